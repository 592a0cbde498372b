//! `%` specifiers in the values the score reads (User=, SupplementaryGroups=, RootDirectory=,
//! RootImage=, DeviceAllow=, IP filter paths), as unit_full_printf() expands them for a
//! system unit loaded by `systemd-analyze security --offline=true`.
//!
//! Specifiers that depend on the analysing machine (host name, machine id, kernel, os-release,
//! the manager's user) expand to fixed stand-ins, so the score does not depend on where
//! hardenunit runs; they only decide the score when they produce a user name or an empty
//! path, which no real unit relies on.

/// The identity of the unit being scored.
#[derive(Debug, Clone)]
pub struct UnitIdent {
    /// `foo@i.service` for the template `foo@.service`, as the oracle loads it.
    pub id: String,
    pub prefix: String,
    pub instance: Option<String>,
    pub unit_type: String,
    /// The main unit file, for `%y`/`%Y`.
    pub fragment_path: Option<String>,
}

/// The instance `systemd-analyze security --offline=true` gives a template it is asked about.
pub const TEMPLATE_INSTANCE: &str = "i";

impl UnitIdent {
    /// From a unit name (`foo.service`, `foo@bar.service`, `foo@.service`) or, when the
    /// caller only knows the type, a bare type (`service`): the name is then the unit
    /// file's name when `fragment_path` has one of that type, else `unit.service`.
    /// `template_instance` stands for the instance of a template (`foo@.service`).
    pub fn new(name_or_type: &str, fragment_path: Option<String>, template_instance: &str) -> UnitIdent {
        let from_file = || {
            let file = fragment_path.as_deref()?.rsplit('/').next()?;
            let name = crate::unit::UnitName::parse(file)?;
            (name.unit_type() == name_or_type).then(|| file.to_owned())
        };
        let name = if name_or_type.contains('.') { None } else { from_file() };
        let name = name.as_deref().unwrap_or(name_or_type);
        let (stem, ty) = match name.rsplit_once('.') {
            Some((s, t)) => (s.to_owned(), t.to_owned()),
            None => ("unit".to_owned(), name.to_owned()),
        };
        let (prefix, instance) = match stem.split_once('@') {
            Some((p, "")) => (p.to_owned(), Some(template_instance.to_owned())),
            Some((p, i)) => (p.to_owned(), Some(i.to_owned())),
            None => (stem.clone(), None),
        };
        let id = match &instance {
            Some(i) => format!("{prefix}@{i}.{ty}"),
            None => format!("{prefix}.{ty}"),
        };
        UnitIdent { id, prefix, instance, unit_type: ty, fragment_path }
    }
}

/// unit_name_unescape(): `\xNN` bytes and `-` for `/`.
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'-' {
            out.push(b'/');
        } else if b[i] == b'\\' && i + 3 < b.len() && b[i + 1] == b'x' {
            let hex = std::str::from_utf8(&b[i + 2..i + 4]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(v) => {
                    out.push(v);
                    i += 4;
                    continue;
                }
                None => out.push(b[i]),
            }
        } else {
            out.push(b[i]);
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// unit_name_path_unescape() for `%f`.
fn path_unescape(s: &str) -> String {
    let u = unescape(s);
    if u.starts_with('/') {
        u
    } else {
        format!("/{u}")
    }
}

/// The error systemd reports for an unknown specifier ("Invalid slot").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadSpecifier(pub char);

/// specifier_printf() with the unit specifier table.
pub fn expand(ident: &UnitIdent, text: &str) -> Result<String, BadSpecifier> {
    if !text.contains('%') {
        return Ok(text.to_owned());
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(s) = chars.next() else {
            // A trailing '%' is kept as it is.
            out.push('%');
            break;
        };
        let stem = ident.id.rsplit_once('.').map(|(s, _)| s).unwrap_or(&ident.id);
        let last_part = ident.prefix.rsplit_once('-').map(|(_, l)| l).unwrap_or(&ident.prefix);
        let v = match s {
            '%' => "%".to_owned(),
            'n' => ident.id.clone(),
            'N' => stem.to_owned(),
            'p' => ident.prefix.clone(),
            'P' => unescape(&ident.prefix),
            'i' => ident.instance.clone().unwrap_or_default(),
            'I' => unescape(ident.instance.as_deref().unwrap_or("")),
            'j' => last_part.to_owned(),
            'J' => unescape(last_part),
            'f' => path_unescape(ident.instance.as_deref().unwrap_or(&ident.prefix)),
            'y' => ident.fragment_path.clone().unwrap_or_default(),
            'Y' => ident
                .fragment_path
                .as_deref()
                .and_then(|p| p.rsplit_once('/'))
                .map(|(d, _)| if d.is_empty() { "/".to_owned() } else { d.to_owned() })
                .unwrap_or_default(),
            'u' | 'g' => "root".to_owned(),
            'U' | 'G' => "0".to_owned(),
            'h' => "/root".to_owned(),
            's' => "/bin/sh".to_owned(),
            't' => "/run".to_owned(),
            'S' => "/var/lib".to_owned(),
            'C' => "/var/cache".to_owned(),
            'L' => "/var/log".to_owned(),
            'E' => "/etc".to_owned(),
            'T' => "/tmp".to_owned(),
            'V' => "/var/tmp".to_owned(),
            'd' => format!("/run/credentials/{}", ident.id),
            'H' | 'l' | 'q' => "localhost".to_owned(),
            'm' | 'b' => "0123456789abcdef0123456789abcdef".to_owned(),
            'v' => "6.1.0".to_owned(),
            'a' => "x86-64".to_owned(),
            'o' => "debian".to_owned(),
            'w' | 'A' | 'B' | 'W' | 'M' => "12".to_owned(),
            other => return Err(BadSpecifier(other)),
        };
        out.push_str(&v);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_is_loaded_as_instance_i() {
        let id = UnitIdent::new("bar-baz@.service", None, TEMPLATE_INSTANCE);
        assert_eq!(id.id, "bar-baz@i.service");
        assert_eq!(expand(&id, "%i%p%n%N%j%J").unwrap(), "ibar-bazbar-baz@i.servicebar-baz@ibazbaz");
        assert_eq!(expand(&id, "100%%").unwrap(), "100%");
        assert_eq!(expand(&id, "a%").unwrap(), "a%");
        assert_eq!(expand(&id, "%z"), Err(BadSpecifier('z')));
    }

    #[test]
    fn plain_unit() {
        let id = UnitIdent::new("cc.service", None, TEMPLATE_INSTANCE);
        assert_eq!(expand(&id, "%f|%i|%I").unwrap(), "/cc||");
        assert_eq!(UnitIdent::new("service", None, TEMPLATE_INSTANCE).id, "unit.service");
        assert_eq!(UnitIdent::new("service", Some("/x/user@.service".into()), TEMPLATE_INSTANCE).id, "user@i.service");
        assert_eq!(
            UnitIdent::new("service", Some("/x/a.service.d/x.conf".into()), TEMPLATE_INSTANCE).id,
            "unit.service"
        );
    }
}
