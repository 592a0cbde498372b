/// mimalloc instead of glibc's malloc: a unit's run allocates and frees many small strings
/// and vectors on two threads, where glibc spent a fifth of all instructions in malloc and
/// free and grew each thread's arena page by page (an mprotect call each time). Built from
/// the C source the crate bundles, as liblzma and zstd are; no transparent huge pages
/// (`no_thp`), which would take the resident size from 37 to 70 MiB for the corpus.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let code = hardenunit::cli::main();
    // Everything is written and every file closed: the process ends without the exit
    // handlers, where mimalloc would free every page of every heap, memory the kernel takes
    // back whole anyway (about 4 of 99 ms wall for the bench's corpus: BENCHMARKS.md).
    // Standard output is flushed first, as `std::process::exit` would; a failing flush is
    // ignored, as it is there.
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: _exit(2) ends the process; no Rust code runs after it.
    unsafe { libc::_exit(code) }
}
