//! The hardening policy: which directives to add, layered built-in → vendor file → system-wide
//! file → package files, each layer overriding the one before, like a compiler's config stack.
//! Every layer is an input of the build: nothing here looks at the machine that runs it, except
//! `systemd_version = "host"`, which a layer has to ask for.

mod values;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::directives;
use crate::unit::LoadError;

pub use values::normalize_value;

/// The policy built into the binary; `src/policy/default.toml` is its readable source.
pub const BUILTIN: &str = include_str!("default.toml");
/// The built-in layer's name in `layers` and `systemd_version_from`.
pub const BUILTIN_LAYER: &str = "built-in policy";
/// The distribution's layer, installed by its hardenunit package (it names the systemd of the
/// release), read when it exists.
pub const VENDOR_POLICY: &str = "/usr/share/hardenunit/policy.toml";
/// The administrator's layer, read when it exists.
pub const SYSTEM_POLICY: &str = "/etc/hardenunit/policy.toml";
/// The installed layers, in the order they apply.
pub const INSTALLED_POLICIES: [&str; 2] = [VENDOR_POLICY, SYSTEM_POLICY];

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Mode {
    #[serde(rename = "dropin")]
    DropIn,
    #[serde(rename = "in-place")]
    InPlace,
}

impl Mode {
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "dropin" | "drop-in" => Some(Mode::DropIn),
            "in-place" | "inplace" => Some(Mode::InPlace),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::DropIn => "dropin",
            Mode::InPlace => "in-place",
        }
    }
}

/// What the policy says of one unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitPolicy {
    pub skip: BTreeSet<String>,
    pub set: BTreeMap<String, String>,
    pub read_write_paths: Vec<String>,
    pub ignore: bool,
}

/// The policy in effect after every layer was applied.
#[derive(Debug, Clone)]
pub struct Policy {
    pub profile: String,
    pub mode: Mode,
    pub dropin: String,
    /// The systemd to write for; `None` when the deciding layer says `"host"` (detect it).
    pub systemd_version: Option<u32>,
    /// The layer that set `systemd_version`, for the log.
    pub systemd_version_from: String,
    /// Directive → its values, strongest first, in the order of the directive table: the
    /// planner writes the first the target systemd understands ([`Policy::directives_for`]).
    pub directives: Vec<(String, Vec<String>)>,
    /// Directives a layer turned off with `false`: printed as such, so that the printed
    /// policy, read back over the built-in one, leaves them off too.
    pub dropped: Vec<String>,
    /// The chosen profile and those it inherits from that no built-in profile defines, with
    /// what each inherits: the printed policy declares them so that it loads back.
    pub own_profiles: Vec<(String, Option<String>)>,
    /// Directive → the values the profiles this one inherits from give it, nearest first
    /// (strict's `SystemCallFilter=@system-service` → the baseline's deny list): where a
    /// unit rules the profile's own value out, the planner tries these before giving up,
    /// so that a profile is never weaker than the one it inherits from.
    pub fallbacks: BTreeMap<String, Vec<(Vec<String>, String)>>,
    pub units: BTreeMap<String, UnitPolicy>,
    /// Where each layer came from, built-in first.
    pub layers: Vec<String>,
    /// The `[unit."NAME"]` sections of the files given with --policy (a package's own
    /// policy), where they are: a name matching no unit is a typo worth a warning. The
    /// installed layers cover many packages, so theirs are not listed.
    pub unit_sections: Vec<UnitSection>,
}

/// Where a `[unit."NAME"]` section of a policy file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitSection {
    pub name: String,
    pub file: PathBuf,
    pub line: usize,
}

/// Of a directive's values, strongest first, the first the target systemd understands; when
/// none is, the oldest, which the planner then skips naming the release it needs.
fn choose_for(key: &str, values: &[String], systemd_version: u32) -> Option<String> {
    values.iter().find(|v| directives::since(key, v) <= systemd_version).or(values.last()).cloned()
}

/// One value as a TOML string, several as a TOML list.
fn quote_values(values: &[String]) -> String {
    match values {
        [one] => quote(one),
        many => format!("[{}]", many.iter().map(|v| quote(v)).collect::<Vec<_>>().join(", ")),
    }
}

/// Choices made on the command line, applied after every file layer.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub profile: Option<String>,
    pub mode: Option<Mode>,
    pub systemd_version: Option<u32>,
}

type DirectiveMap = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Layer {
    profile: Option<Spanned<String>>,
    mode: Option<Spanned<String>>,
    dropin: Option<Spanned<String>>,
    systemd_version: Option<Spanned<toml::Value>>,
    #[serde(default)]
    directives: DirectiveMap,
    #[serde(default)]
    unit: BTreeMap<Spanned<String>, UnitLayer>,
    #[serde(default)]
    profiles: BTreeMap<Spanned<String>, ProfileLayer>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitLayer {
    #[serde(default)]
    skip: Vec<Spanned<String>>,
    #[serde(default)]
    set: DirectiveMap,
    #[serde(default)]
    read_write_paths: Vec<Spanned<String>>,
    ignore: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileLayer {
    #[allow(dead_code)]
    description: Option<String>,
    inherits: Option<Spanned<String>>,
    #[serde(default)]
    directives: DirectiveMap,
}

/// A profile after its file was read: values validated, `None` meaning "drop it".
#[derive(Debug, Clone, Default)]
struct Profile {
    inherits: Option<String>,
    directives: BTreeMap<String, Option<Vec<String>>>,
}

struct Source<'a> {
    name: &'a str,
    text: &'a str,
    judge: values::Judge,
}

impl Source<'_> {
    fn error(&self, span: Option<std::ops::Range<usize>>, message: impl Into<String>) -> LoadError {
        LoadError { path: PathBuf::from(self.name), line: span.map(|s| self.line_of(s)), message: message.into() }
    }

    fn line_of(&self, span: std::ops::Range<usize>) -> usize {
        self.text[..span.start.min(self.text.len())].matches('\n').count() + 1
    }
}

impl Policy {
    /// Reads the built-in layer, the system-wide file (when `system` names one that exists)
    /// and each package file in order, then applies the command line's choices.
    pub fn load(system: Option<&Path>, files: &[PathBuf], overrides: &Overrides) -> Result<Policy, LoadError> {
        let installed: Vec<&Path> = system.into_iter().collect();
        Policy::load_layers(&installed, files, overrides)
    }

    /// Like [`Policy::load`], with any number of installed layers (vendor, then system-wide),
    /// each read when it exists.
    pub fn load_layers(installed: &[&Path], files: &[PathBuf], overrides: &Overrides) -> Result<Policy, LoadError> {
        // (name, text, whether it is a file given with --policy)
        let mut texts: Vec<(String, String, bool)> = vec![(BUILTIN_LAYER.into(), BUILTIN.into(), false)];
        for layer in installed.iter().filter(|p| p.exists()) {
            texts.push((layer.display().to_string(), read_policy(layer)?, false));
        }
        for f in files {
            texts.push((f.display().to_string(), read_policy(f)?, true));
        }
        let mut b = Builder::default();
        for (i, (name, text, given)) in texts.iter().enumerate() {
            let judge = if i == 0 { values::Judge::BuiltIn } else { values::Judge::Values };
            b.apply(&Source { name, text, judge }, *given)?;
            if i == 0 {
                b.builtin_profiles = b.profiles.keys().cloned().collect();
            }
        }
        b.finish(overrides)
    }

    /// Whether the target systemd is the built-in default: no installed layer, policy file or
    /// command line names one.
    pub fn systemd_version_is_builtin(&self) -> bool {
        self.systemd_version_from == BUILTIN_LAYER
    }

    pub fn unit(&self, name: &str) -> Option<&UnitPolicy> {
        self.units.get(name)
    }

    /// Each directive's value for a target systemd: the first of its values that release
    /// understands; when none is, the oldest, which the planner then skips naming the
    /// release it needs.
    pub fn directives_for(&self, systemd_version: u32) -> Vec<(String, String)> {
        self.directives
            .iter()
            .filter_map(|(key, values)| Some((key.clone(), choose_for(key, values, systemd_version)?)))
            .collect()
    }

    /// The values the inherited profiles give `key` for a target systemd, nearest profile
    /// first, each with the profile's name.
    pub fn fallbacks_for(&self, key: &str, systemd_version: u32) -> Vec<(String, String)> {
        let inherited = self.fallbacks.get(key).into_iter().flatten();
        inherited.filter_map(|(values, from)| Some((choose_for(key, values, systemd_version)?, from.clone()))).collect()
    }

    /// The effective policy as TOML that reads back into the same policy.
    pub fn to_toml(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# Effective hardenunit policy, from: {}", self.layers.join(" < "));
        let _ = writeln!(s, "profile = {}", quote(&self.profile));
        let _ = writeln!(s, "mode = {}", quote(self.mode.as_str()));
        let _ = writeln!(s, "dropin = {}", quote(&self.dropin));
        match self.systemd_version {
            Some(v) => {
                let _ = writeln!(s, "systemd_version = {v}");
            }
            None => {
                let _ = writeln!(s, "systemd_version = \"host\"");
            }
        }
        // The values are all in [directives]; a profile of a layer's own only needs to exist.
        for (name, parent) in &self.own_profiles {
            let _ = writeln!(s, "\n[profiles.{}]", quote(name));
            if let Some(parent) = parent {
                let _ = writeln!(s, "inherits = {}", quote(parent));
            }
        }
        let _ = writeln!(s, "\n[directives]");
        for (k, values) in &self.directives {
            let _ = writeln!(s, "{k} = {}", quote_values(values));
            // Not a key: the profile's inheritance, which reading this back restores.
            for (fallback, from) in self.fallbacks.get(k).into_iter().flatten() {
                let _ = writeln!(s, "# where a unit rules it out: {} (profile {from})", quote_values(fallback));
            }
        }
        for k in &self.dropped {
            let _ = writeln!(s, "{k} = false");
        }
        for (name, u) in &self.units {
            let _ = writeln!(s, "\n[unit.{}]", quote(name));
            if u.ignore {
                let _ = writeln!(s, "ignore = true");
            }
            if !u.skip.is_empty() {
                let list: Vec<String> = u.skip.iter().map(|x| quote(x)).collect();
                let _ = writeln!(s, "skip = [{}]", list.join(", "));
            }
            if !u.set.is_empty() {
                let list: Vec<String> = u.set.iter().map(|(k, v)| format!("{k} = {}", quote(v))).collect();
                let _ = writeln!(s, "set = {{ {} }}", list.join(", "));
            }
            if !u.read_write_paths.is_empty() {
                let list: Vec<String> = u.read_write_paths.iter().map(|x| quote(x)).collect();
                let _ = writeln!(s, "read_write_paths = [{}]", list.join(", "));
            }
        }
        s
    }
}

impl Policy {
    /// The effective policy as one JSON object (`policy --format json`): the same facts as
    /// [`Policy::to_toml`], directives in table order as an array of pairs.
    pub fn to_json(&self) -> String {
        let units: serde_json::Map<String, serde_json::Value> = self
            .units
            .iter()
            .map(|(name, u)| {
                let unit = serde_json::json!({
                    "ignore": u.ignore,
                    "skip": u.skip,
                    "set": u.set,
                    "read_write_paths": u.read_write_paths,
                });
                (name.clone(), unit)
            })
            .collect();
        let target = self.systemd_version.unwrap_or(u32::MAX);
        let directives: Vec<serde_json::Value> = self
            .directives
            .iter()
            .map(|(k, values)| {
                let value = choose_for(k, values, target).unwrap_or_default();
                serde_json::json!({"directive": k, "value": value, "values": values})
            })
            .collect();
        let doc = serde_json::json!({
            "layers": self.layers,
            "profile": self.profile,
            "mode": self.mode.as_str(),
            "dropin": self.dropin,
            "systemd_version": self.systemd_version.map_or(serde_json::json!("host"), serde_json::Value::from),
            "directives": directives,
            "units": units,
        });
        let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into());
        s.push('\n');
        s
    }
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

fn read_policy(path: &Path) -> Result<String, LoadError> {
    let meta = std::fs::metadata(path).map_err(|e| LoadError::new(path, format!("cannot read policy: {e}")))?;
    if !meta.is_file() {
        return Err(LoadError::new(path, "policy is not a regular file"));
    }
    if meta.len() > 1024 * 1024 {
        return Err(LoadError::new(path, "policy file over 1 MiB"));
    }
    let bytes = std::fs::read(path).map_err(|e| LoadError::new(path, format!("cannot read policy: {e}")))?;
    String::from_utf8(bytes).map_err(|_| LoadError::new(path, "policy is not UTF-8"))
}

#[derive(Default)]
struct Builder {
    profile: Option<String>,
    mode: Option<Mode>,
    dropin: Option<String>,
    /// Outer `None`: no layer set it; inner `None`: `"host"`.
    systemd_version: Option<(Option<u32>, String)>,
    profiles: BTreeMap<String, Profile>,
    builtin_profiles: BTreeSet<String>,
    directives: BTreeMap<String, Option<Vec<String>>>,
    units: BTreeMap<String, UnitPolicy>,
    layers: Vec<String>,
    unit_sections: Vec<UnitSection>,
}

impl Builder {
    /// `given`: a file named with --policy, whose unit sections are recorded.
    fn apply(&mut self, src: &Source, given: bool) -> Result<(), LoadError> {
        let layer: Layer = toml::from_str(src.text).map_err(|e| {
            if let Some(span) = profile_written_as_table(src.text) {
                return src.error(
                    Some(span),
                    "profile = \"NAME\" chooses a profile; a profile is defined in [profiles.NAME] \
                     (did you mean [profiles.…]?)",
                );
            }
            let msg = e.message().trim().lines().map(str::trim).collect::<Vec<_>>().join("; ");
            src.error(e.span(), format!("invalid policy: {msg}"))
        })?;
        self.layers.push(src.name.to_owned());
        if let Some(p) = layer.profile {
            self.profile = Some(p.get_ref().clone());
        }
        if let Some(m) = layer.mode {
            let mode = Mode::parse(m.get_ref()).ok_or_else(|| {
                src.error(Some(m.span()), format!("mode: {:?} is not \"dropin\" or \"in-place\"", m.get_ref()))
            })?;
            self.mode = Some(mode);
        }
        if let Some(d) = layer.dropin {
            let name = d.get_ref();
            values::check_dropin_name(name).map_err(|m| src.error(Some(d.span()), format!("dropin: {m}")))?;
            self.dropin = Some(name.clone());
        }
        if let Some(v) = layer.systemd_version {
            let version = match v.get_ref() {
                toml::Value::Integer(n) => Some(check_version(*n).map_err(|m| src.error(Some(v.span()), m))?),
                toml::Value::String(s) if s == "host" => None,
                other => {
                    return Err(src.error(
                        Some(v.span()),
                        format!("systemd_version: {other} is neither a release number (like 252) nor \"host\""),
                    ))
                }
            };
            self.systemd_version = Some((version, src.name.to_owned()));
        }
        for (name, p) in layer.profiles {
            values::check_profile_name(name.get_ref()).map_err(|m| src.error(Some(name.span()), m))?;
            // A later layer amends a profile key by key, as the manual promises for every
            // table: `[profiles.baseline.directives] ProtectHome = false` drops one directive,
            // not the rest of the baseline.
            let profile = self.profiles.entry(name.into_inner()).or_default();
            if let Some(parent) = p.inherits {
                profile.inherits = Some(parent.into_inner());
            }
            profile.directives.extend(directive_map(src, p.directives)?);
        }
        self.directives.extend(directive_map(src, layer.directives)?);
        for (name, u) in layer.unit {
            let unit_name = name.get_ref();
            if crate::unit::UnitName::parse(unit_name).is_none() {
                return Err(
                    src.error(Some(name.span()), format!("unit.{unit_name:?}: not a unit name like foo.service"))
                );
            }
            if given {
                self.unit_sections.push(UnitSection {
                    name: unit_name.clone(),
                    file: PathBuf::from(src.name),
                    line: src.line_of(name.span()),
                });
            }
            let entry = self.units.entry(unit_name.clone()).or_default();
            for s in u.skip {
                known_directive(src, &s)?;
                entry.skip.insert(s.into_inner());
            }
            for (k, v) in unit_set_map(src, unit_name, u.set)? {
                match v {
                    Some(v) => entry.set.insert(k, v),
                    None => {
                        entry.skip.insert(k.clone());
                        entry.set.remove(&k)
                    }
                };
            }
            for p in u.read_write_paths {
                values::check_path_word(p.get_ref())
                    .map_err(|m| src.error(Some(p.span()), format!("read_write_paths: {m}")))?;
                entry.read_write_paths.push(p.into_inner());
            }
            if let Some(i) = u.ignore {
                entry.ignore = i;
            }
        }
        Ok(())
    }

    fn finish(self, overrides: &Overrides) -> Result<Policy, LoadError> {
        let profile = overrides.profile.clone().or(self.profile).unwrap_or_else(|| "baseline".into());
        let mut chain = Vec::new();
        let mut cur = Some(profile.clone());
        while let Some(name) = cur {
            if chain.contains(&name) {
                return Err(LoadError::new(Path::new("policy"), inheritance_cycle(&chain, &name)));
            }
            let p = self.profiles.get(&name).ok_or_else(|| {
                let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
                LoadError::new(Path::new("policy"), format!("no profile {name:?} (known: {})", known.join(", ")))
            })?;
            chain.push(name);
            cur = p.inherits.clone();
        }
        let mut merged: BTreeMap<String, Option<Vec<String>>> = BTreeMap::new();
        for name in chain.iter().rev() {
            merged.extend(self.profiles[name].directives.clone());
        }
        merged.extend(self.directives);
        let mut fallbacks: BTreeMap<String, Vec<(Vec<String>, String)>> = BTreeMap::new();
        for (key, value) in merged.iter().filter_map(|(k, v)| Some((k, v.as_ref()?))) {
            for ancestor in &chain[1..] {
                let Some(Some(inherited)) = self.profiles[ancestor].directives.get(key) else { continue };
                let list = fallbacks.entry(key.clone()).or_default();
                if inherited != value && !list.iter().any(|(v, _)| v == inherited) {
                    list.push((inherited.clone(), ancestor.clone()));
                }
            }
        }
        fallbacks.retain(|_, list| !list.is_empty());
        let own_profiles: Vec<(String, Option<String>)> = chain
            .iter()
            .filter(|name| !self.builtin_profiles.contains(*name))
            .map(|name| (name.clone(), self.profiles[name].inherits.clone()))
            .collect();
        let dropped: Vec<String> = merged.iter().filter(|(_, v)| v.is_none()).map(|(k, _)| k.clone()).collect();
        let mut directives: Vec<(String, Vec<String>)> =
            merged.into_iter().filter_map(|(k, v)| Some((k, v?))).collect();
        directives.sort_by_key(|(k, _)| directives::order(k));
        let (systemd_version, systemd_version_from) = match (overrides.systemd_version, self.systemd_version) {
            (Some(v), _) => (Some(v), "--systemd-version".to_owned()),
            (None, Some(layer)) => layer,
            (None, None) => return Err(LoadError::new(Path::new("policy"), "no layer sets systemd_version")),
        };
        Ok(Policy {
            profile,
            mode: overrides.mode.or(self.mode).unwrap_or(Mode::DropIn),
            dropin: self.dropin.unwrap_or_else(|| "10-hardenunit.conf".into()),
            systemd_version,
            systemd_version_from,
            directives,
            dropped,
            own_profiles,
            fallbacks,
            units: self.units,
            layers: self.layers,
            unit_sections: self.unit_sections,
        })
    }
}

/// Where a layer writes `[profile.NAME]` (a table under the key that names the chosen
/// profile), the likeliest slip for `[profiles.NAME]`; serde's own message for it names a
/// "borrowed string" and no fix.
fn profile_written_as_table(text: &str) -> Option<std::ops::Range<usize>> {
    let table: toml::Table = toml::from_str(text).ok()?;
    if !table.get("profile")?.is_table() {
        return None;
    }
    let at = text.find("[profile.").or_else(|| text.find("profile."))?;
    Some(at..at + "[profile".len())
}

/// "profile p inherits from itself" for p → p, else the whole cycle: "profiles inherit in a
/// cycle: p → q → p".
fn inheritance_cycle(chain: &[String], again: &str) -> String {
    let start = chain.iter().position(|n| n == again).unwrap_or(0);
    if chain.len() - start == 1 {
        return format!("profile {again:?} inherits from itself");
    }
    let cycle: Vec<&str> = chain[start..].iter().map(String::as_str).chain([again]).collect();
    format!("profiles inherit in a cycle: {}", cycle.join(" → "))
}

pub fn check_version(v: i64) -> Result<u32, String> {
    if (100..=999).contains(&v) {
        Ok(v as u32)
    } else {
        Err(format!("systemd_version: {v} is not a systemd release number (like 252)"))
    }
}

fn known_directive(src: &Source, key: &Spanned<String>) -> Result<(), LoadError> {
    if directives::lookup(key.get_ref()).is_some() {
        return Ok(());
    }
    let hint = values::closest_directive(key.get_ref()).map(|d| format!(" (did you mean {d}?)")).unwrap_or_default();
    Err(src.error(Some(key.span()), format!("unknown directive {:?}{hint}", key.get_ref())))
}

fn directive_map(src: &Source, map: DirectiveMap) -> Result<BTreeMap<String, Option<Vec<String>>>, LoadError> {
    let mut out = BTreeMap::new();
    for (k, v) in map {
        known_directive(src, &k)?;
        let value = normalize_value(k.get_ref(), v.get_ref(), src.judge)
            .map_err(|m| src.error(Some(v.span()), format!("{}: {m}", k.get_ref())))?;
        out.insert(k.into_inner(), value);
    }
    Ok(out)
}

/// A unit's own `set`: one value per directive (the unit is built for one target, so a list
/// of values by release has nothing to choose between).
fn unit_set_map(src: &Source, unit: &str, map: DirectiveMap) -> Result<BTreeMap<String, Option<String>>, LoadError> {
    let mut out = BTreeMap::new();
    for (k, v) in map {
        if v.get_ref().is_array() {
            let msg = format!("unit.{unit:?}.set.{}: one value, not a list (lists are for profiles)", k.get_ref());
            return Err(src.error(Some(v.span()), msg));
        }
        let one = directive_map(src, BTreeMap::from([(k, v)]))?;
        out.extend(one.into_iter().map(|(k, v)| (k, v.and_then(|v| v.into_iter().next()))));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
