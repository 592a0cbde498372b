//! `--profile strict` adds ProcSubset=pid, which hides every /proc file outside the process
//! entries. A service that reads one of them where nothing stands in keeps /proc whole, as
//! the baseline (which never adds ProcSubset=) leaves it: systemd's sd_id128_get_boot()
//! (/proc/sys/kernel/random/boot_id: journal-gatewayd's /machine answers 500 without it) and
//! the Java VM (/proc/net/if_inet6: without it Tomcat listens on IPv4 only). The baseline's
//! plan does not change.

use std::path::Path;
use std::process::Command;

mod common;

use common::{hardenunit as run, write};

const SYS: &str = "usr/lib/systemd/system";
const LIBDIR: &str = "usr/lib/x86_64-linux-gnu";
/// The stand-in libraries call into libc, as the real ones do: a library that links nothing
/// reads as statically linked, whose own functions count as used.
const LIBC: &str = "#include <stdlib.h>\n";

/// Builds `source` with `cc` into `root/inside`; `args` after the source.
fn cc(root: &Path, source: &str, inside: &str, args: &[&str]) {
    let src = root.join(format!("{inside}.c"));
    write(root, &format!("{inside}.c"), source);
    let status = Command::new("cc")
        .arg("-O1")
        .arg("-o")
        .arg(root.join(inside))
        .arg(&src)
        .args(args)
        .status()
        .expect("cc (build-essential) is needed to build the test programs");
    assert!(status.success(), "cc {inside} failed");
    std::fs::remove_file(src).unwrap();
}

/// A root with: `bootidd` importing sd_id128_get_boot from a stand-in libsystemd-shared,
/// `idd` importing only sd_id128_get_machine from it, `javad` linking a stand-in libjvm.so,
/// and Tomcat's launcher (a script the unit names; the program row knows it).
fn root() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    let lib = format!("-L{}", r.join(LIBDIR).display());
    cc(
        r,
        &format!("{LIBC}int sd_id128_get_boot(void *id) {{ return id && getenv(\"B\") ? 0 : -1; }}\nint sd_id128_get_machine(void *id) {{ return id && getenv(\"M\") ? 0 : -1; }}\n"),
        &format!("{LIBDIR}/libsystemd-shared-257.so"),
        &["-shared", "-fPIC", "-Wl,-soname,libsystemd-shared-257.so"],
    );
    cc(
        r,
        &format!("{LIBC}int JNI_CreateJavaVM(void *a) {{ return a && getenv(\"J\") ? 0 : -1; }}\n"),
        &format!("{LIBDIR}/libjvm.so"),
        &["-shared", "-fPIC", "-Wl,-soname,libjvm.so"],
    );
    let boot = "int sd_id128_get_boot(void *id);\nint main(void) { char id[16]; return sd_id128_get_boot(id); }\n";
    let machine =
        "int sd_id128_get_machine(void *id);\nint main(void) { char id[16]; return sd_id128_get_machine(id); }\n";
    let java = "int JNI_CreateJavaVM(void *a);\nint main(void) { return JNI_CreateJavaVM(0); }\n";
    cc(r, boot, "usr/sbin/bootidd", &[&lib, "-l:libsystemd-shared-257.so"]);
    cc(r, machine, "usr/sbin/idd", &[&lib, "-l:libsystemd-shared-257.so"]);
    cc(r, java, "usr/sbin/javad", &[&lib, "-l:libjvm.so"]);
    write(r, "usr/libexec/tomcat10/tomcat-start.sh", "#!/bin/sh\nexec /usr/bin/java \"$@\"\n");
    for (name, exec) in [
        ("bootidd", "/usr/sbin/bootidd"),
        ("idd", "/usr/sbin/idd"),
        ("javad", "/usr/sbin/javad"),
        ("tomcat10", "/bin/sh /usr/libexec/tomcat10/tomcat-start.sh"),
    ] {
        let text = format!("[Unit]\nDescription=d\n\n[Service]\nExecStart={exec}\nUser=d\n");
        write(r, &format!("{SYS}/{name}.service"), text);
    }
    t
}

fn plan(root: &Path, name: &str, profile: &str) -> serde_json::Value {
    let root = root.to_str().unwrap();
    let args = ["--root", root, "--format", "json", "--systemd-version", "257", "--profile", profile, name];
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    v[0].clone()
}

fn proc_subset(unit: &serde_json::Value) -> (Option<String>, Option<String>) {
    let find = |list: &str| {
        unit[list].as_array().unwrap().iter().find(|a| a["directive"] == "ProcSubset").map(|a| {
            let field = if list == "added" { "value" } else { "reason" };
            a[field].as_str().unwrap().to_owned()
        })
    };
    (find("added"), find("skipped"))
}

#[test]
fn strict_keeps_proc_whole_for_what_reads_proc_outside_the_process_entries() {
    let t = root();
    let r = t.path();
    // The control: the same library, without the boot id: strict adds ProcSubset=pid.
    assert_eq!(proc_subset(&plan(r, "idd.service", "strict")).0.as_deref(), Some("pid"));
    for (name, why) in [
        (
            "bootidd.service",
            "/usr/sbin/bootidd imports sd_id128_get_boot: reads the boot id, /proc/sys/kernel/random/boot_id",
        ),
        ("javad.service", "/usr/sbin/javad links libjvm.so: the Java VM reads /proc/net/if_inet6"),
        ("tomcat10.service", "tomcat-start.sh runs the Java VM, which reads /proc/net/if_inet6"),
    ] {
        let (added, skipped) = proc_subset(&plan(r, name, "strict"));
        assert_eq!(added, None, "{name}");
        let skipped = skipped.unwrap_or_else(|| panic!("{name}: ProcSubset neither added nor skipped"));
        assert!(skipped.starts_with("reads /proc files outside the process entries"), "{name}: {skipped}");
        assert!(skipped.contains(why), "{name}: {skipped}");
    }
}

#[test]
fn the_baseline_plan_does_not_change() {
    let t = root();
    let r = t.path();
    let boot = plan(r, "bootidd.service", "baseline");
    let machine = plan(r, "idd.service", "baseline");
    assert_eq!(boot["added"], machine["added"]);
    assert_eq!(boot["exposure_after"], machine["exposure_after"]);
    assert_eq!(proc_subset(&boot), (None, None), "the baseline has no ProcSubset= to skip");
}
