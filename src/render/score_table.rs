//! INTERIM renderer until the score branch lands with systemd-analyze's exact table.
use crate::score::Assessment;

pub fn text(name: &str, a: &Assessment) -> String {
    format!(
        "→ Overall exposure level for {name}: {}.{} {}\n",
        a.exposure / 10,
        a.exposure % 10,
        crate::score::label(a.exposure)
    )
}

pub fn json(name: &str, path: &str, a: &Assessment) -> serde_json::Value {
    serde_json::json!({"unit": name, "path": path, "exposure": f64::from(a.exposure) / 10.0, "label": crate::score::label(a.exposure), "rows": []})
}
