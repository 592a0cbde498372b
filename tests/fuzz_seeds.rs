//! The fuzz targets (fuzz/src/targets.rs) over their committed seeds, in plain `cargo
//! test`: every invariant the AFL runs check holds for every seed, with no AFL needed.

#[path = "../fuzz/src/targets.rs"]
mod targets;

use std::path::Path;

fn seeds(target: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds").join(target)
}

#[test]
fn unit_parser_seeds() {
    assert!(targets::replay(&seeds("unit_parser"), targets::unit_parser) >= 10);
}

#[test]
fn policy_loader_seeds() {
    assert!(targets::replay(&seeds("policy_loader"), targets::policy_loader) >= 5);
}

#[test]
fn writer_seeds() {
    assert!(targets::replay(&seeds("writer"), targets::writer) >= 4);
    // The seeds do reach the checks of what was written (not only early exits).
    let mut checked = 0;
    for e in std::fs::read_dir(seeds("writer")).unwrap() {
        checked += targets::writer_checked(&std::fs::read(e.unwrap().path()).unwrap());
    }
    assert!(checked >= 4, "only {checked} written files checked");
}
