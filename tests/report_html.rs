//! `hardenunit report --html`: the page loaded in a real headless browser (Debian's
//! chromium), checked for what it renders after its script ran: the table and its rows,
//! the histogram chart, sorting by a column and filtering.

mod common;

use std::path::Path;
use std::process::Command;

use common::hardenunit;

/// The DOM after the page's script ran, with `fragment` (`#sortdesc=after`) in the address.
fn rendered(page: &Path, fragment: &str) -> String {
    let out = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000", "--dump-dom"])
        .arg(format!("file://{}{fragment}", page.display()))
        .output()
        .expect("chromium runs (apt-get install chromium)");
    assert!(out.status.success(), "chromium: {}", String::from_utf8_lossy(&out.stderr));
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(dom.contains("data-ready=\"yes\""), "the page's script did not run to its end:\n{dom}");
    dom
}

/// Visible body rows, each as its cells' text.
fn rows(dom: &str) -> Vec<Vec<String>> {
    let body = &dom[dom.find("<tbody>").unwrap()..dom.find("</tbody>").unwrap()];
    body.split("<tr")
        .skip(1)
        .filter(|r| !r.starts_with(" hidden"))
        .map(|r| {
            r.split("<td")
                .skip(1)
                .map(|c| {
                    let inner = &c[c.find('>').unwrap() + 1..];
                    let mut text = String::new();
                    let mut in_tag = false;
                    for ch in inner[..inner.find("</td>").unwrap()].chars() {
                        match ch {
                            '<' => in_tag = true,
                            '>' => in_tag = false,
                            c if !in_tag => text.push(c),
                            _ => {}
                        }
                    }
                    text
                })
                .collect()
        })
        .collect()
}

#[test]
fn the_html_report_renders_sorts_and_filters_in_chromium() {
    let t = tempfile::tempdir().unwrap();
    // Units of our own, as a build root would hold them, packed as a .deb by dpkg-deb.
    let mut expected_units = 0;
    for (pkg, units) in [
        ("alpha", vec![("alpha.service", "[Service]\nExecStart=/bin/true\n")]),
        (
            "beta",
            vec![(
                "beta.service",
                "[Service]\nExecStart=/bin/true\nPrivateNetwork=yes\nProtectSystem=strict\nDynamicUser=yes\n",
            )],
        ),
        (
            "gamma",
            vec![
                ("gamma.service", "[Service]\nExecStart=/bin/true\nProtectHome=yes\n"),
                ("gamma-two.service", "[Service]\nExecStart=/bin/true\nUser=nobody\n"),
            ],
        ),
    ] {
        let root = t.path().join(pkg);
        for (name, text) in &units {
            common::write(&root, &format!("lib/systemd/system/{name}"), text);
            expected_units += 1;
        }
        common::write(
            &root,
            "DEBIAN/control",
            format!("Package: {pkg}\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: t\n"),
        );
        let deb = t.path().join("pool").join(format!("{pkg}_1.0_all.deb"));
        std::fs::create_dir_all(deb.parent().unwrap()).unwrap();
        let ok =
            Command::new("dpkg-deb").args(["--root-owner-group", "-Zxz", "-b"]).arg(&root).arg(&deb).output().unwrap();
        assert!(ok.status.success(), "dpkg-deb -b: {}", String::from_utf8_lossy(&ok.stderr));
    }
    let page = t.path().join("report.html");
    let json = t.path().join("report.json");
    let pool = t.path().join("pool");
    let run = hardenunit(&[
        "report",
        "--systemd-version",
        "252",
        "--html",
        page.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        pool.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(&page).unwrap();
    // Self-contained: nothing is loaded from anywhere.
    for external in ["src=", "href=", "@import", "url("] {
        assert!(!html.contains(external), "the page refers to something outside it: {external}");
    }
    let survey: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(survey["units"].as_array().unwrap().len(), expected_units);

    let dom = rendered(&page, "");
    let shown = rows(&dom);
    assert_eq!(shown.len(), expected_units, "{shown:?}");
    // The chart: two bars per bin, their counts adding up to the units scored.
    assert!(dom.contains("<svg id=\"histogram\""));
    let counts: Vec<usize> =
        dom.split("data-count=\"").skip(1).map(|s| s[..s.find('"').unwrap()].parse().unwrap()).collect();
    assert_eq!(counts.len(), 20);
    assert_eq!(counts.iter().sum::<usize>(), 2 * expected_units);

    // Sorting by the exposure after hardening, descending, through the header's click handler.
    let sorted = rows(&rendered(&page, "#sortdesc=after"));
    let after: Vec<f64> = sorted.iter().map(|r| r[3].parse().unwrap()).collect();
    let mut want = after.clone();
    want.sort_by(|a, b| b.total_cmp(a));
    assert_eq!(after, want, "{sorted:?}");
    let by_unit = rows(&rendered(&page, "#sortdesc=unit"));
    let names: Vec<&str> = by_unit.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(names, ["gamma.service", "gamma-two.service", "beta.service", "alpha.service"]);
    // The page's own order is not that one, so the sort did something.
    let before_names: Vec<&str> = shown.iter().map(|r| r[1].as_str()).collect();
    assert_ne!(before_names, names);

    let filtered = rows(&rendered(&page, "#filter=gamma"));
    assert_eq!(filtered.len(), 2, "{filtered:?}");
    assert!(filtered.iter().all(|r| r[0].contains("gamma")));
}
