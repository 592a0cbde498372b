//! `--format json` of every command against schema/output.schema.json, the file the packages
//! install for archive tools, validated by a real JSON Schema validator (python3-jsonschema),
//! and the manual's JSON OUTPUT section against the same file.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::{hardenunit as run, package_trees, write};

const SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/output.schema.json");
const SYS: &str = "lib/systemd/system";
const V: [&str; 2] = ["--systemd-version", "252"];

/// Validates each (definition, document) with Draft 2020-12; returns the errors, one a line.
fn validate(docs: &[(&str, String, String)]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let mut manifest = Vec::new();
    for (i, (def, label, text)) in docs.iter().enumerate() {
        let path = tmp.path().join(format!("{i}.json"));
        fs::write(&path, text).unwrap();
        manifest.push(serde_json::json!({"def": def, "label": label, "file": path}));
    }
    let list = tmp.path().join("manifest.json");
    fs::write(&list, serde_json::to_string(&manifest).unwrap()).unwrap();
    let script = r##"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
bad = 0
for entry in json.load(open(sys.argv[2])):
    wrapper = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/" + entry["def"]}
    doc = json.load(open(entry["file"]))
    for error in jsonschema.Draft202012Validator(wrapper).iter_errors(doc):
        bad += 1
        print(f"{entry['label']}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
print(f"validated {len(json.load(open(sys.argv[2])))} documents, {bad} errors", file=sys.stderr)
"##;
    let out = Command::new("python3")
        .args(["-c", script, SCHEMA, list.to_str().unwrap()])
        .output()
        .expect("python3 runs (scripts/test installs python3-jsonschema)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the validator failed (apt-get install python3-jsonschema): {stderr}");
    eprintln!("{stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json_of(args: &[&str]) -> String {
    let r = run(args);
    // 2 with JSON on stdout: a unit systemd refuses (in the corpus, kexec.service) is named on
    // stderr, and the others are still reported.
    assert!(r.code <= 2, "{args:?}: {}", r.stderr);
    assert!(serde_json::from_str::<serde_json::Value>(&r.stdout).is_ok(), "{args:?}: not JSON: {}", r.stdout);
    r.stdout
}

/// A root with every kind of entry: a system and a user unit of one name, a masked, an
/// excluded and a left-alone unit, a program that is a script and one that is missing, a
/// setting lint finds, a template.
fn varied_root(dir: &Path) -> PathBuf {
    let root = dir.join("root");
    let daemon = "[Service]\nExecStart=/usr/sbin/food\nPrivateTmp=yes # tmp\n";
    write(&root, &format!("{SYS}/food.service"), daemon);
    write(&root, "usr/lib/systemd/user/food.service", daemon);
    write(&root, &format!("{SYS}/tpl@.service"), "[Service]\nExecStart=/usr/bin/tpl %i\n");
    write(&root, &format!("{SYS}/gone.service"), "");
    write(&root, &format!("{SYS}/skipme.service"), daemon);
    write(&root, &format!("{SYS}/ignored.service"), daemon);
    write(&root, &format!("{SYS}/broken.service"), "[Service]\nType=oneshot\n");
    write(&root, &format!("{SYS}/food.socket"), "[Socket]\nListenStream=80\n");
    let script = write(&root, "usr/sbin/food", "#!/bin/sh\nexec /usr/bin/tpl\n");
    let mut perms = fs::metadata(&script).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    fs::set_permissions(&script, perms).unwrap();
    root
}

#[test]
fn every_commands_json_follows_the_installed_schema() {
    let t = tempfile::tempdir().unwrap();
    let root = varied_root(t.path());
    let r = root.to_str().unwrap();
    let policy = write(
        t.path(),
        "p.toml",
        "[unit.\"ignored.service\"]\nignore = true\n\n[unit.\"food.service\"]\nskip = [\"ProtectHome\"]\n\
         set = { UMask = \"0027\" }\nread_write_paths = [\"/var/lib/food\"]\n",
    );
    let p = policy.to_str().unwrap();
    let food = format!("{r}/{SYS}/food.service");
    let user_food = format!("{r}/usr/lib/systemd/user/food.service");
    let mut docs: Vec<(&str, String, String)> = vec![
        (
            "harden",
            "harden varied".into(),
            json_of(&[&["--root", r, "--policy", p, "-X", "skipme.service", "--format", "json"][..], &V].concat()),
        ),
        (
            "harden",
            "harden in-place".into(),
            json_of(&[&["--root", r, "--mode", "in-place", "--format", "json"][..], &V].concat()),
        ),
        (
            "harden",
            "harden no evidence".into(),
            json_of(&[&["--root", r, "--no-evidence", "--format", "json"][..], &V].concat()),
        ),
        (
            "score",
            "score --json".into(),
            json_of(&[&["score", "--json", "--root", r, "food.service"][..], &V].concat()),
        ),
        (
            "score",
            "score --format json".into(),
            json_of(&[&["score", "--format", "json", &food, &user_food][..], &V].concat()),
        ),
        ("lint", "lint".into(), json_of(&["lint", "--format", "json", "--root", r])),
        ("policy", "policy".into(), json_of(&["policy", "--format", "json", "--no-system-policy", "--policy", p])),
        (
            "policy",
            "policy strict".into(),
            json_of(&["policy", "--format", "json", "--profile", "strict", "--no-system-policy"]),
        ),
        (
            "explain",
            "explain".into(),
            json_of(&[&["explain", "--format", "json", "--root", r, "--policy", p, "food.service"][..], &V].concat()),
        ),
        (
            "explain",
            "explain user".into(),
            json_of(&[&["explain", "--format", "json", "--root", r, &user_food][..], &V].concat()),
        ),
        (
            "explain",
            "explain ignored".into(),
            json_of(
                &[&["explain", "--format", "json", "--root", r, "--policy", p, "ignored.service"][..], &V].concat(),
            ),
        ),
        (
            "explain",
            "explain template".into(),
            json_of(&[&["explain", "--format", "json", "--root", r, "tpl@.service"][..], &V].concat()),
        ),
    ];
    // The same root as a built package: every object then names it.
    write(
        &root,
        "DEBIAN/control",
        "Package: food\nVersion: 1\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: t\n",
    );
    let deb = t.path().join("food_1_all.deb");
    let built = std::process::Command::new("dpkg-deb").args(["--root-owner-group", "--build", r]).arg(&deb).output();
    assert!(built.is_ok_and(|o| o.status.success()), "dpkg-deb --build");
    let d = deb.to_str().unwrap();
    let from_package = [
        ("harden", json_of(&[&["--format", "json", d][..], &V].concat())),
        ("score", json_of(&[&["score", "--json", d][..], &V].concat())),
        ("lint", json_of(&["lint", "--format", "json", d])),
        ("explain", json_of(&[&["explain", "--format", "json", d, "food.service"][..], &V].concat())),
    ];
    for (def, doc) in from_package {
        assert!(
            doc.contains(&format!("\"package\": \"{d}\"")) || doc.contains(&format!("\"package\":\"{d}\"")),
            "{doc}"
        );
        docs.push((def, format!("{def} {d}"), doc));
    }
    // The package trees of the tests (and the corpus of real Debian units, when present).
    for tree in package_trees() {
        let tr = tree.to_str().unwrap();
        docs.push(("harden", format!("harden {tr}"), json_of(&[&["--root", tr, "--format", "json"][..], &V].concat())));
        docs.push(("score", format!("score {tr}"), json_of(&[&["score", "--json", "--root", tr][..], &V].concat())));
        docs.push(("lint", format!("lint {tr}"), json_of(&["lint", "--format", "json", "--root", tr])));
    }
    // The varied root holds what the schema must cover.
    let varied: serde_json::Value = serde_json::from_str(&docs[0].2).unwrap();
    let statuses: Vec<&str> = varied.as_array().unwrap().iter().map(|u| u["status"].as_str().unwrap()).collect();
    for s in ["planned", "masked", "excluded"] {
        assert!(statuses.contains(&s), "{statuses:?}");
    }
    assert!(varied.as_array().unwrap().iter().any(|u| u["left_alone"].is_string()), "{varied}");
    assert!(varied.as_array().unwrap().iter().any(|u| !u["findings"].as_array().unwrap().is_empty()), "{varied}");
    let errors = validate(&docs);
    assert!(errors.is_empty(), "{errors}");
    // The validator does fail: a document off the schema is caught.
    let mut wrong: serde_json::Value = serde_json::from_str(&docs[0].2).unwrap();
    wrong[0]["scope"] = serde_json::json!("session");
    wrong[1]["surprise"] = serde_json::json!(1);
    let caught = validate(&[("harden", "tampered".into(), wrong.to_string())]);
    assert!(caught.contains("0/scope: 'session'") && caught.contains("surprise"), "{caught}");
}

#[test]
fn the_manual_names_every_field_of_the_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let man = tmp.path().join("man");
    assert_eq!(run(&["generate-docs", "--man", man.to_str().unwrap()]).code, 0);
    let page = fs::read_to_string(man.join("hardenunit.1")).unwrap();
    let section =
        page.split(".SH \"JSON OUTPUT\"").nth(1).expect("a JSON OUTPUT section").split("\n.SH ").next().unwrap();
    assert!(page.contains("/usr/share/hardenunit/output.schema.json"));
    let schema: serde_json::Value = serde_json::from_str(&fs::read_to_string(SCHEMA).unwrap()).unwrap();
    let defs = &schema["$defs"];
    for command in ["harden", "score", "lint", "policy", "explain"] {
        assert!(section.contains(&format!("({command})")), "{command} has no paragraph");
        let def = &defs[command];
        let object = if def["type"] == "array" { &def["items"] } else { def };
        let object = match object.get("$ref").and_then(|r| r.as_str()) {
            Some(r) => &defs[r.trim_start_matches("#/$defs/")],
            None => object,
        };
        for field in object["properties"].as_object().unwrap().keys() {
            assert!(section.contains(&format!("\\fB{field}\\fR")), "{command}: {field} is not in hardenunit(1)");
        }
    }
}
