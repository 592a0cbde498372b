//! AFL target: see fuzz/src/targets.rs.
fn main() {
    hardenunit_fuzz::run_stdin(hardenunit_fuzz::targets::policy_loader);
}
