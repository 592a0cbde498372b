/// mimalloc instead of glibc's malloc: a unit's run allocates and frees many small strings
/// and vectors on two threads, where glibc spent a fifth of all instructions in malloc and
/// free and grew each thread's arena page by page (an mprotect call each time). Built from
/// the C source the crate bundles, as liblzma and zstd are; no transparent huge pages
/// (`no_thp`), which would take the resident size from 37 to 70 MiB for the corpus.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(hardenunit::cli::main());
}
