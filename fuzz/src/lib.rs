//! The fuzz targets, shared with the seed replay of the main test suite.
#[path = "targets.rs"]
pub mod targets;

/// Reads AFL's input from stdin and runs `target` on it.
pub fn run_stdin(target: fn(&[u8])) {
    use std::io::Read;
    let mut data = Vec::new();
    if std::io::stdin().read_to_end(&mut data).is_ok() {
        target(&data);
    }
}
