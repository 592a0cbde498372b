//! Readers of what a package's own files say its service writes, beyond the directories it
//! ships: the directories its maintainer scripts create (slapd's postinst: `mkdir -m 0700
//! /var/lib/ldap`), its tmpfiles.d entries, the paths its shipped configuration names
//! (pgbouncer.ini: `logfile = /var/log/postgresql/pgbouncer.log`), and which installed packages
//! come from the same source (winbind's logs and state are in samba-common's directories).
//! Each reader takes text and gives paths; [`super::package`] decides what they make writable.

use std::collections::BTreeMap;

/// Absolute paths under /var or /run, as the service sees them: `/var/run` and `/var/lock`
/// are symlinks to `/run` and `/run/lock` on every systemd system.
pub fn canonical_state_path(path: &str) -> Option<String> {
    let path = path.trim_end_matches('/');
    let path = match path.strip_prefix("/var/run") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("/run{rest}"),
        _ => match path.strip_prefix("/var/lock") {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("/run/lock{rest}"),
            _ => path.to_owned(),
        },
    };
    let under_state = ["/var/", "/run/"].iter().any(|top| path.starts_with(top));
    (under_state && !path.split('/').any(|c| c == "..")).then_some(path)
}

/// Characters that make a path a pattern or an expansion, not one path: a shell or
/// configuration variable, a systemd or printf specifier, a glob.
const EXPANDED: &[char] = &['$', '%', '*', '?', '[', '{', '`', '~'];

/// The directories a maintainer script creates with `mkdir` or `install -d`, when it names
/// them literally under /var or /run (a `$dir` one is not known, and not counted).
pub fn created_directories(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in script.lines() {
        let line = line.split('#').next().unwrap_or("");
        for command in line.split([';', '&', '|']) {
            let words: Vec<&str> = command.split_whitespace().collect();
            let creates = match words.first().map(|w| w.rsplit('/').next().unwrap_or(w)) {
                Some("mkdir") => true,
                Some("install") => words.iter().any(|w| *w == "-d" || *w == "--directory"),
                _ => false,
            };
            if !creates {
                continue;
            }
            for word in &words[1..] {
                let word = word.trim_matches(['"', '\'']);
                if word.starts_with('/') && !word.contains(EXPANDED) {
                    out.extend(canonical_state_path(word));
                }
            }
        }
    }
    out
}

/// The directories a tmpfiles.d file creates under /var or /run (`d /run/food 0755 ...`,
/// also `D`, `v`, `q`, `Q`, `e`); files, links and the lines that remove or exclude paths
/// are left out, and so are paths with specifiers.
pub fn tmpfiles_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let mut fields = line.split_whitespace();
        let (Some(kind), Some(path)) = (fields.next(), fields.next()) else { continue };
        if !kind.starts_with(['d', 'D', 'v', 'q', 'Q', 'e']) || path.contains(EXPANDED) {
            continue;
        }
        out.extend(canonical_state_path(path));
    }
    out
}

/// What a configuration file says about where its program writes: the paths under /var and
/// /run its settings name, and the settings whose path the program expands at run time
/// (`logfile = /var/log/%s.log`), which cannot be read from the file.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ConfiguredPaths {
    /// (path, line number).
    pub paths: Vec<(String, usize)>,
    /// (line number, the setting), each a path this reading cannot know.
    pub unreadable: Vec<(usize, String)>,
    /// (path, line number) of each file, directory or `*` pattern the file includes.
    pub includes: Vec<(String, usize)>,
}

/// Reads the settings of a configuration file of the `key = value`, `key: value` or
/// `key value` kinds; lines that start with `#` or `;` are comments. A setting that includes
/// other files (`include`, `%include`, `!include`, `@include`, `include_dir`...) gives the
/// absolute path it names, which may end in a `*` pattern; one it names otherwise (relative,
/// or with a variable) is unreadable.
pub fn configured_paths(text: &str) -> ConfiguredPaths {
    let mut out = ConfiguredPaths::default();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        let key: String = line
            .trim_start_matches(['%', '!', '@', '.'])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase()
            .replace(['_', '-'], "");
        let words = line.split(|c: char| c.is_whitespace() || matches!(c, '=' | ',' | '"' | '\'' | ':' | ';'));
        if key.starts_with("include") {
            let targets: Vec<&str> = words.skip(1).filter(|w| !w.is_empty()).collect();
            let (dir, pattern) = targets.first().and_then(|t| t.rsplit_once('/')).unwrap_or(("", ""));
            match targets.as_slice() {
                [target]
                    if target.starts_with('/')
                        && !dir.contains(EXPANDED)
                        && !pattern.contains(['$', '%', '[', '{', '`']) =>
                {
                    out.includes.push((target.to_string(), index + 1))
                }
                _ => out.unreadable.push((index + 1, line.to_owned())),
            }
            continue;
        }
        for word in words {
            if !word.starts_with('/') {
                continue;
            }
            if word.contains(EXPANDED) {
                if ["/var/", "/run/"].iter().any(|top| word.starts_with(top)) {
                    out.unreadable.push((index + 1, line.to_owned()));
                }
                continue;
            }
            if let Some(path) = canonical_state_path(word) {
                out.paths.push((path, index + 1));
            }
        }
    }
    out
}

/// An installed package as the dpkg status file gives it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Installed {
    /// Its source package (the package's own name when the stanza has no Source:).
    pub source: String,
    /// The packages it depends on (Depends:, Pre-Depends:, every alternative).
    pub depends: Vec<String>,
}

/// The installed packages of a dpkg status file, by name.
pub fn installed_packages(status: &str) -> BTreeMap<String, Installed> {
    let mut out = BTreeMap::new();
    for stanza in status.split("\n\n") {
        let (mut name, mut source, mut depends, mut installed) = (None, None, Vec::new(), false);
        for line in stanza.lines() {
            let Some((key, value)) = line.split_once(':') else { continue };
            let value = value.trim();
            match key {
                "Package" => name = Some(value.to_owned()),
                // `Source: samba (2:4.22.11+dfsg-0+deb13u1)` when the versions differ.
                "Source" => source = value.split_whitespace().next().map(str::to_owned),
                "Status" => installed = value.ends_with(" installed"),
                "Depends" | "Pre-Depends" => {
                    for alternative in value.split([',', '|']) {
                        let dep = alternative.split_whitespace().next().unwrap_or("");
                        let dep = dep.split(':').next().unwrap_or(dep);
                        if !dep.is_empty() {
                            depends.push(dep.to_owned());
                        }
                    }
                }
                _ => {}
            }
        }
        if let (Some(name), true) = (name, installed) {
            let source = source.unwrap_or_else(|| name.clone());
            out.insert(name, Installed { source, depends });
        }
    }
    out
}

/// The packages `package` depends on that are built from its own source, sorted: they ship
/// the directories its service shares (winbind: samba-common's /var/lib/samba, /var/log/samba).
pub fn same_source_dependencies(packages: &BTreeMap<String, Installed>, package: &str) -> Vec<String> {
    let Some(own) = packages.get(package) else { return Vec::new() };
    let mut out: Vec<String> = own
        .depends
        .iter()
        .filter(|d| d.as_str() != package && packages.get(d.as_str()).is_some_and(|p| p.source == own.source))
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_paths_as_the_service_sees_them() {
        assert_eq!(canonical_state_path("/var/run/postgresql/").as_deref(), Some("/run/postgresql"));
        assert_eq!(canonical_state_path("/var/lock/food").as_deref(), Some("/run/lock/food"));
        assert_eq!(canonical_state_path("/var/runner/x").as_deref(), Some("/var/runner/x"));
        assert_eq!(canonical_state_path("/var/lib/../../etc"), None);
        assert_eq!(canonical_state_path("/etc/food"), None);
    }

    #[test]
    fn maintainer_scripts_create_literal_directories_only() {
        let script = "#!/bin/sh\nset -e\n\tmkdir -p -m 700 \"$dir\"\n\tif [ ! -d /var/lib/ldap ]; then\n\t\tmkdir -m 0700 /var/lib/ldap\n\
                      fi\ninstall -d -o food /var/run/food && chown x /var/lib/chowned\ninstall -m 644 a /var/lib/file\n\
                      # mkdir /var/lib/commented\nmkdir /etc/food\n";
        assert_eq!(created_directories(script), ["/var/lib/ldap", "/run/food"]);
    }

    #[test]
    fn tmpfiles_entries_that_create() {
        let text = "# comment\nd /run/food 0755 food food -\nd! /var/lib/boot-only\nr /run/removed\nd %t/spec\n\
                    L+ /var/run/link - - - - x\nf /run/file\nD /var/run/sub/dir\n";
        assert_eq!(tmpfiles_paths(text), ["/run/food", "/var/lib/boot-only", "/run/sub/dir"]);
    }

    #[test]
    fn configuration_paths_and_what_cannot_be_read() {
        let ini = "[pgbouncer]\nlogfile = /var/log/postgresql/pgbouncer.log\npidfile=/var/run/postgresql/pgbouncer.pid\n\
                   ;unix_socket_dir = /tmp\n# socket /run/commented\nunix_socket_dir /var/run/postgresql\nauth_file = /etc/x\n";
        let read = configured_paths(ini);
        assert_eq!(
            read.paths,
            [
                ("/var/log/postgresql/pgbouncer.log".to_owned(), 2),
                ("/run/postgresql/pgbouncer.pid".to_owned(), 3),
                ("/run/postgresql".to_owned(), 6)
            ]
        );
        assert!(read.unreadable.is_empty());
        let read = configured_paths(
            "logfile = /var/log/food/%s.log\n%include /etc/food/more.ini\nlog /tmp/$x\ninclude_dir=/etc/food/conf.d/\n\
             include /etc/food/*.conf\ninclude conf.d/*.conf\n!include /etc/$HOST.conf\n",
        );
        assert!(read.paths.is_empty());
        let unreadable: Vec<usize> = read.unreadable.iter().map(|u| u.0).collect();
        assert_eq!(unreadable, [1, 6, 7]);
        assert_eq!(read.unreadable[0].1, "logfile = /var/log/food/%s.log");
        let includes: Vec<&str> = read.includes.iter().map(|i| i.0.as_str()).collect();
        assert_eq!(includes, ["/etc/food/more.ini", "/etc/food/conf.d/", "/etc/food/*.conf"]);
    }

    #[test]
    fn packages_of_the_same_source() {
        let status = "Package: winbind\nStatus: install ok installed\nSource: samba\n\
                      Depends: samba-common (= 2:4), samba-common-bin:any, libc6 (>= 2.38) | libc7, winbind\n\n\
                      Package: samba-common\nStatus: install ok installed\nSource: samba (2:4)\n\n\
                      Package: samba-common-bin\nStatus: install ok installed\nSource: samba\n\n\
                      Package: samba-libs\nStatus: deinstall ok config-files\nSource: samba\n\n\
                      Package: libc6\nStatus: install ok installed\nSource: glibc\n\n\
                      Package: food\nStatus: install ok installed\nDepends: food-data\n\n\
                      Package: food-data\nStatus: install ok installed\nSource: food\n";
        let packages = installed_packages(status);
        assert_eq!(packages["food"].source, "food");
        assert!(!packages.contains_key("samba-libs"));
        assert_eq!(same_source_dependencies(&packages, "winbind"), ["samba-common", "samba-common-bin"]);
        assert_eq!(same_source_dependencies(&packages, "food"), ["food-data"]);
        assert!(same_source_dependencies(&packages, "none").is_empty());
    }
}
