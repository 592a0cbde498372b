//! config_parse_timer(): OnCalendar= takes a calendar specification (calendar_spec_from_string()
//! of src/shared/calendarspec.c), the other On*Sec= settings a time span.

use super::*;

pub(super) fn timer(key: &str, value: &str) -> Verdict {
    if value.is_empty() {
        return Verdict::Accepted;
    }
    let value = match expanded(value) {
        Ok(v) => v,
        Err(e) => return rejected(e),
    };
    if key != "OnCalendar" {
        return match is_time_span(&value) {
            true => Verdict::Accepted,
            false => rejected(format!("{value:?} is not a time span (e.g. 5min, 1h 30min)")),
        };
    }
    match calendar_spec_is_valid(&value) {
        true => Verdict::Accepted,
        false => rejected(format!(
            "{value:?} is not a calendar specification (e.g. daily, Mon..Fri 09:00, *-*-01 04:00:00; see systemd.time(7))"
        )),
    }
}

/// Whether calendar_spec_from_string() of systemd 252 parses `spec`. A trailing word that
/// names a time zone is valid only where that zone exists; lint cannot know the machine, so
/// it accepts such a word when the rest is valid.
pub fn calendar_spec_is_valid(spec: &str) -> bool {
    let upper = spec.to_ascii_uppercase();
    let body = match upper.strip_suffix(" UTC") {
        Some(_) => &spec[..spec.len() - 4],
        None => spec,
    };
    if parse_spec(body) {
        return true;
    }
    match body.rsplit_once(' ') {
        Some((rest, zone)) if looks_like_time_zone(zone) => parse_spec(rest),
        _ => false,
    }
}

fn looks_like_time_zone(word: &str) -> bool {
    !word.is_empty()
        && word.starts_with(|c: char| c.is_ascii_alphabetic())
        && word.chars().all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c))
        && !word.contains("//")
        && !word.ends_with('/')
}

const SHORTHANDS: &[&str] = &[
    "minutely",
    "hourly",
    "daily",
    "monthly",
    "weekly",
    "annually",
    "yearly",
    "anually",
    "quarterly",
    "biannually",
    "bi-annually",
    "semiannually",
    "semi-annually",
];

const USEC_PER_SEC: i64 = 1_000_000;

/// One component of a chain: `start[..stop][/repeat]`.
#[derive(Clone, Copy)]
struct Component {
    start: i64,
    stop: i64,
    repeat: i64,
}

#[derive(Default)]
struct Spec {
    end_of_month: bool,
    year: Vec<Component>,
    month: Vec<Component>,
    day: Vec<Component>,
    hour: Vec<Component>,
    minute: Vec<Component>,
    second: Vec<Component>,
}

fn parse_spec(p: &str) -> bool {
    if p.is_empty() {
        return false;
    }
    if SHORTHANDS.iter().any(|s| s.eq_ignore_ascii_case(p)) {
        return true;
    }
    let mut spec = Spec::default();
    let mut rest = p.as_bytes();
    if parse_weekdays(&mut rest).is_none() {
        return false;
    }
    let Some(done) = parse_date(&mut rest, &mut spec) else { return false };
    if !done && parse_time(&mut rest, &mut spec).is_none() {
        return false;
    }
    rest.is_empty() && spec_valid(&mut spec)
}

fn skip_spaces(p: &mut &[u8]) {
    while p.first() == Some(&b' ') {
        *p = &p[1..];
    }
}

/// parse_weekdays(): `Mon`, `Monday`, ranges with `..` or `-`, lists with `,`.
fn parse_weekdays(p: &mut &[u8]) -> Option<()> {
    const DAYS: &[(&str, i32)] = &[
        ("Monday", 0),
        ("Mon", 0),
        ("Tuesday", 1),
        ("Tue", 1),
        ("Wednesday", 2),
        ("Wed", 2),
        ("Thursday", 3),
        ("Thu", 3),
        ("Friday", 4),
        ("Fri", 4),
        ("Saturday", 5),
        ("Sat", 5),
        ("Sunday", 6),
        ("Sun", 6),
    ];
    let mut range_start = -1;
    let mut first = true;
    loop {
        let found = DAYS
            .iter()
            .find(|(name, _)| p.len() >= name.len() && p[..name.len()].eq_ignore_ascii_case(name.as_bytes()));
        let Some((name, nr)) = found else { return if first { Some(()) } else { None } };
        let after = p.get(name.len()).copied();
        if !matches!(after, None | Some(b'-' | b'.' | b',' | b' ')) {
            return None;
        }
        if range_start >= 0 && range_start > *nr {
            return None;
        }
        *p = &p[name.len()..];
        match p.first() {
            None => return Some(()),
            Some(b' ') => {
                skip_spaces(p);
                return Some(());
            }
            Some(b'.') => {
                if range_start >= 0 || p.get(1) != Some(&b'.') {
                    return None;
                }
                range_start = *nr;
                *p = &p[2..];
            }
            Some(b'-') => {
                if range_start >= 0 {
                    return None;
                }
                range_start = *nr;
                *p = &p[1..];
            }
            Some(b',') => {
                range_start = -1;
                *p = &p[1..];
            }
            _ => {}
        }
        if matches!(p.first(), None | Some(b' ')) {
            skip_spaces(p);
            return (range_start < 0).then_some(());
        }
        first = false;
    }
}

/// strtoul() of a run of digits.
fn number(p: &mut &[u8]) -> Option<i64> {
    let digits = p.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let n = std::str::from_utf8(&p[..digits]).ok()?.parse::<i64>().ok()?;
    *p = &p[digits..];
    Some(n)
}

/// parse_component_decimal(): seconds carry up to six decimals (`.` but not `..`).
fn decimal(p: &mut &[u8], usec: bool) -> Option<i64> {
    let mut value = number(p)?;
    if usec {
        value = value.checked_mul(USEC_PER_SEC)?;
        if p.first() == Some(&b'.') && p.get(1) != Some(&b'.') {
            *p = &p[1..];
            let digits = p.iter().take_while(|c| c.is_ascii_digit()).count();
            let mut frac = 0i64;
            for (i, c) in p[..digits].iter().enumerate() {
                if i < 6 {
                    frac = frac * 10 + i64::from(c - b'0');
                }
            }
            for _ in digits.min(6)..6 {
                frac *= 10;
            }
            *p = &p[digits..];
            value += frac;
        }
    }
    (value <= i64::from(i32::MAX)).then_some(value)
}

fn parse_components(p: &mut &[u8], usec: bool, out: &mut Vec<Component>) -> Option<()> {
    loop {
        if out.len() > 2048 {
            return None;
        }
        let start = decimal(p, usec)?;
        let (mut stop, mut repeat) = (-1, 0);
        if p.starts_with(b"..") {
            *p = &p[2..];
            stop = decimal(p, usec)?;
            repeat = if usec { USEC_PER_SEC } else { 1 };
        }
        if p.first() == Some(&b'/') {
            *p = &p[1..];
            repeat = decimal(p, usec)?;
            if repeat == 0 {
                return None;
            }
        } else if usec && stop >= 0 && start + repeat > stop {
            return None;
        }
        if !matches!(p.first(), None | Some(b' ' | b',' | b'-' | b'~' | b':')) {
            return None;
        }
        out.push(Component { start, stop, repeat });
        if p.first() != Some(&b',') {
            return Some(());
        }
        *p = &p[1..];
    }
}

/// parse_chain(): `*` (every value) or components.
fn parse_chain(p: &mut &[u8], usec: bool) -> Option<Vec<Component>> {
    let mut out = Vec::new();
    if p.first() == Some(&b'*') {
        *p = &p[1..];
        if usec {
            out.push(Component { start: 0, stop: -1, repeat: USEC_PER_SEC });
        }
        return Some(out);
    }
    parse_components(p, usec, &mut out)?;
    Some(out)
}

/// parse_date(): `@TIMESTAMP` (then done: Some(true)), `[YEAR-]MONTH-DAY` (with `~` for days
/// from the end of the month), or nothing when what follows is a time.
fn parse_date(p: &mut &[u8], spec: &mut Spec) -> Option<bool> {
    if p.is_empty() {
        return Some(false);
    }
    if p[0] == b'@' {
        let mut t = &p[1..];
        number(&mut t)?;
        *p = t;
        return Some(true);
    }
    let mut t = *p;
    let first = parse_chain(&mut t, false)?;
    if matches!(t.first(), None | Some(b':')) {
        return Some(false);
    }
    match t.first() {
        Some(b'~') => spec.end_of_month = true,
        Some(b'-') => {}
        _ => return None,
    }
    t = &t[1..];
    let second = parse_chain(&mut t, false)?;
    if matches!(t.first(), None | Some(b' ')) {
        skip_spaces(&mut t);
        *p = t;
        spec.month = first;
        spec.day = second;
        return Some(false);
    }
    if spec.end_of_month {
        return None;
    }
    match t.first() {
        Some(b'~') => spec.end_of_month = true,
        Some(b'-') => {}
        _ => return None,
    }
    t = &t[1..];
    let third = parse_chain(&mut t, false)?;
    if !matches!(t.first(), None | Some(b' ')) {
        return None;
    }
    skip_spaces(&mut t);
    *p = t;
    spec.year = first;
    spec.month = second;
    spec.day = third;
    Some(false)
}

/// parse_calendar_time(): `HOUR:MINUTE[:SECOND]`, or nothing (midnight).
fn parse_time(p: &mut &[u8], spec: &mut Spec) -> Option<()> {
    if p.is_empty() {
        return Some(());
    }
    let mut t = *p;
    spec.hour = parse_chain(&mut t, false)?;
    if t.first() != Some(&b':') {
        return None;
    }
    t = &t[1..];
    spec.minute = parse_chain(&mut t, false)?;
    if t.is_empty() {
        *p = t;
        return Some(());
    }
    if t.first() != Some(&b':') {
        return None;
    }
    t = &t[1..];
    spec.second = parse_chain(&mut t, true)?;
    t.is_empty().then(|| *p = t)
}

/// fix_year() and calendar_spec_valid(): every value within its field's range.
fn spec_valid(spec: &mut Spec) -> bool {
    for c in &mut spec.year {
        for v in [&mut c.start, &mut c.stop] {
            if (0..70).contains(v) {
                *v += 2000;
            } else if (70..100).contains(v) {
                *v += 1900;
            }
        }
    }
    chain_valid(&spec.year, 1970, 2199, false)
        && chain_valid(&spec.month, 1, 12, false)
        && chain_valid(&spec.day, 1, 31, spec.end_of_month)
        && chain_valid(&spec.hour, 0, 23, false)
        && chain_valid(&spec.minute, 0, 59, false)
        && chain_valid(&spec.second, 0, 60 * USEC_PER_SEC - 1, false)
}

fn chain_valid(chain: &[Component], from: i64, to: i64, end_of_month: bool) -> bool {
    let to = if end_of_month { to - 3 } else { to };
    chain.iter().all(|c| {
        if c.start < from || c.start > to || c.repeat > to - from {
            return false;
        }
        if c.stop >= 0 {
            c.stop >= from && c.stop <= to && c.start + c.repeat <= c.stop
        } else if end_of_month {
            c.start - c.repeat >= from
        } else {
            c.start + c.repeat <= to
        }
    })
}

#[cfg(test)]
mod tests {
    use super::calendar_spec_is_valid as ok;

    /// Each checked with systemd-analyze verify (252) as OnCalendar= of a timer.
    #[test]
    fn calendar_specs_as_systemd_252_reads_them() {
        for good in [
            "daily",
            "Mon *-*-* 00:00:00",
            "*-*-* 04:00",
            "Mon..Fri 10:00",
            "*:0/15",
            "2023-01-01",
            "*-*-01 00:00:00 UTC",
            "Sat,Sun 20:00",
            "*-*~01",
            "12:00 Europe/Berlin",
            "*-02-30",
            "Monday",
            "mon",
            "Fri 9:00",
            "*:*:0/10",
            "@1700000000",
            "00:00:59.5",
            "Mon..Wed,Fri 10:00",
            "*-*-* *:*:*",
            "*-*-1..7 10:00",
            "*-*-1/2",
        ] {
            assert!(ok(good), "{good}");
        }
        for bad in ["bogus", "25:00", "2023-13-01", "today", "now", "00:00:60", "daily # x", "1..31/2", ""] {
            assert!(!ok(bad), "{bad}");
        }
    }
}
