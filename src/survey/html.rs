//! The survey as one self-contained HTML page: inline CSS, JS and SVG, nothing fetched. The
//! table sorts by a click on a column header and filters by the text typed above it; the
//! histogram of exposure before and after is an SVG chart drawn here.
//!
//! A page address ending in `#sort=COLUMN` (twice: descending) or `#filter=TEXT` applies
//! them on load through the same handlers a click and typing use, which lets a headless
//! browser check them.

use std::fmt::Write;

use super::{num, Header, PackageError, Summary, UnitRecord};

const STYLE: &str = "
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
th{cursor:pointer;background:#f4f4f4;user-select:none}th.sorted-asc::after{content:' \\25B2'}
th.sorted-desc::after{content:' \\25BC'}td.num{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:#b00020}.ok{color:#1b5e20}small{color:#555}details{margin:.2em 0}
#filter{padding:4px;width:24em;margin:.5em 0}svg text{font:11px sans-serif}
.errors{color:#b00020}";

const SCRIPT: &str = r#"
(function(){
  var table=document.getElementById('units'), body=table.tBodies[0];
  var heads=table.tHead.rows[0].cells;
  function key(row,col,numeric){
    var t=row.cells[col].getAttribute('data-sort')||row.cells[col].textContent;
    if(numeric){var v=parseFloat(t);return isNaN(v)?-1:v;}
    return t.toLowerCase();
  }
  function sortBy(col){
    var th=heads[col], numeric=th.getAttribute('data-type')==='num';
    var desc=th.classList.contains('sorted-asc');
    for(var i=0;i<heads.length;i++){heads[i].classList.remove('sorted-asc','sorted-desc');}
    th.classList.add(desc?'sorted-desc':'sorted-asc');
    var rows=Array.prototype.slice.call(body.rows);
    rows.sort(function(a,b){
      var x=key(a,col,numeric), y=key(b,col,numeric);
      var c=x<y?-1:x>y?1:0; return desc?-c:c;
    });
    rows.forEach(function(r){body.appendChild(r);});
  }
  for(var i=0;i<heads.length;i++){(function(i){heads[i].addEventListener('click',function(){sortBy(i);});})(i);}
  var filter=document.getElementById('filter');
  function applyFilter(){
    var q=filter.value.toLowerCase(), shown=0;
    Array.prototype.forEach.call(body.rows,function(r){
      var hit=r.textContent.toLowerCase().indexOf(q)>=0; r.hidden=!hit; if(hit)shown++;
    });
    document.getElementById('shown').textContent=shown;
  }
  filter.addEventListener('input',applyFilter);
  var h=decodeURIComponent(location.hash.slice(1));
  h.split('&').forEach(function(part){
    var kv=part.split('=');
    if(kv[0]==='sort'){for(var i=0;i<heads.length;i++){if(heads[i].getAttribute('data-key')===kv[1]){heads[i].click();}}}
    if(kv[0]==='sortdesc'){for(var i=0;i<heads.length;i++){if(heads[i].getAttribute('data-key')===kv[1]){heads[i].click();heads[i].click();}}}
    if(kv[0]==='filter'){filter.value=kv.slice(1).join('=');filter.dispatchEvent(new Event('input'));}
  });
  document.body.setAttribute('data-ready','yes');
})();
"#;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Two bars per exposure bin (now, after), with axis labels and a legend.
fn histogram(before: &[usize; 10], after: &[usize; 10]) -> String {
    let (w, h, left, bottom, top) = (620.0, 240.0, 40.0, 30.0, 20.0);
    let max = before.iter().chain(after).copied().max().unwrap_or(0).max(1) as f64;
    let slot = (w - left - 10.0) / 10.0;
    let bar = slot * 0.38;
    let scale = (h - bottom - top) / max;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg id="histogram" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img" aria-label="Exposure histogram, before and after hardening">"#
    );
    let _ =
        write!(s, r##"<line x1="{left}" y1="{y}" x2="{x2}" y2="{y}" stroke="#444"/>"##, y = h - bottom, x2 = w - 10.0);
    for (i, (b, a)) in before.iter().zip(after).enumerate() {
        let x = left + slot * i as f64 + slot * 0.1;
        for (j, (count, class, colour)) in [(b, "before", "#d9534f"), (a, "after", "#2e7d32")].into_iter().enumerate() {
            let bh = *count as f64 * scale;
            let _ = write!(
                s,
                r#"<rect class="bar {class}" data-bin="{i}" data-count="{count}" x="{:.1}" y="{:.1}" width="{bar:.1}" height="{bh:.1}" fill="{colour}"><title>{class} {i}-{}: {count}</title></rect>"#,
                x + bar * j as f64,
                h - bottom - bh,
                i + 1
            );
        }
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{i}-{}</text>"#,
            x + bar,
            h - bottom + 14.0,
            i + 1
        );
    }
    let _ = write!(s, r#"<text x="{left}" y="12">units (max {max})</text>"#);
    let _ = write!(
        s,
        r##"<rect x="{x}" y="4" width="10" height="10" fill="#d9534f"/><text x="{tx}" y="13">now</text><rect x="{x2}" y="4" width="10" height="10" fill="#2e7d32"/><text x="{tx2}" y="13">after the policy</text></svg>"##,
        x = w - 200.0,
        tx = w - 186.0,
        x2 = w - 140.0,
        tx2 = w - 126.0
    );
    s
}

/// The page up to the table's rows: what the summary of all units says, so it is made
/// last and the rows (made as packages are done) are put after it.
pub fn head(s: &Header, m: &Summary, errors: &[PackageError], units: usize) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hardenunit report</title><style>{STYLE}</style></head><body>\n"
    );
    let _ = writeln!(
        out,
        "<h1>hardenunit report</h1><p>{} package(s), {} service(s) scored, target systemd {}, profile {}. Median exposure <b id=\"median-before\">{}</b> now, <b id=\"median-after\">{}</b> after the policy.</p>",
        s.packages,
        m.scored_units,
        s.systemd_version,
        esc(&s.profile),
        num(m.median_before),
        num(m.median_after)
    );
    out.push_str(&histogram(&m.histogram_before, &m.histogram_after));
    if !m.worst_packages.is_empty() {
        out.push_str("<h2>Worst packages</h2><ol id=\"worst\">");
        for w in &m.worst_packages {
            let _ = write!(out, "<li>{:.1} {} ({} service(s))</li>", w.exposure_after, esc(&w.package), w.units);
        }
        out.push_str("</ol>\n");
    }
    if !errors.is_empty() {
        out.push_str("<h2>Errors</h2><ul class=\"errors\" id=\"errors\">");
        for e in errors {
            let _ = write!(out, "<li>{}</li>", esc(&e.error));
        }
        out.push_str("</ul>\n");
    }
    let _ = writeln!(
        out,
        "<h2>Services</h2><input id=\"filter\" type=\"search\" placeholder=\"Filter: package, unit, directive...\"> <small><span id=\"shown\">{}</span> shown</small>",
        units
    );
    out.push_str("<table id=\"units\"><thead><tr>");
    for (key, label, kind) in [
        ("package", "Package", "text"),
        ("unit", "Unit", "text"),
        ("before", "Now", "num"),
        ("after", "After", "num"),
        ("added", "Added", "num"),
        ("skipped", "Skipped", "num"),
        ("heaviest", "Heaviest rows left", "text"),
        ("findings", "Lint", "num"),
    ] {
        let _ = write!(out, "<th data-key=\"{key}\" data-type=\"{kind}\">{label}</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    out
}

/// The table's rows for one package's units.
pub fn rows(units: &[UnitRecord]) -> String {
    let mut out = String::new();
    for u in units {
        let class = |v: Option<f64>| match v {
            Some(v) if v >= 7.0 => "num bad",
            Some(v) if v < 4.0 => "num ok",
            _ => "num",
        };
        let list = |items: Vec<String>| -> String {
            if items.is_empty() {
                return "0".into();
            }
            let mut d = format!("<details><summary>{}</summary><ul>", items.len());
            for i in items {
                let _ = write!(d, "<li>{}</li>", esc(&i));
            }
            d.push_str("</ul></details>");
            d
        };
        let skipped: Vec<String> = u
            .skipped
            .iter()
            .map(|k| format!("{}: {}", k.directive, k.reason))
            .chain(u.left_alone.iter().map(|w| format!("left alone: {w}")))
            .collect();
        let heaviest: Vec<String> =
            u.heaviest_rows.iter().map(|r| format!("{} {:.1}", r.setting, r.exposure)).collect();
        let findings: Vec<String> =
            u.findings.iter().map(|f| format!("{}: {} {}: {}", f.line, f.severity, f.tag, f.message)).collect();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td title=\"{}\">{}</td><td class=\"{}\">{}</td><td class=\"{}\">{}</td><td class=\"num\" data-sort=\"{}\">{}</td><td class=\"num\" data-sort=\"{}\">{}</td><td>{}</td><td class=\"num\" data-sort=\"{}\">{}</td></tr>",
            esc(&u.package),
            esc(&u.path),
            esc(&u.unit),
            class(u.exposure_before),
            num(u.exposure_before),
            class(u.exposure_after),
            num(u.exposure_after),
            u.added.len(),
            list(u.added.clone()),
            skipped.len(),
            list(skipped),
            esc(&heaviest.join(", ")),
            u.findings.len(),
            list(findings),
        );
    }
    out
}

/// The page after the rows.
pub fn tail() -> String {
    format!("</tbody></table>\n<script>{SCRIPT}</script>\n</body></html>\n")
}
