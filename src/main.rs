fn main() {
    std::process::exit(hardenunit::cli::main());
}
