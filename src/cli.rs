//! The command line.

pub fn main() -> i32 {
    eprintln!("hardenunit: not yet");
    2
}
