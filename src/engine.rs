//! One engine behind every mode: find the units, plan each, render the new files, and
//! score before and after. The summary, `--diff`, `--check`, `--write` and JSON modes
//! only present (or apply) what this computes, so they can never disagree.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use serde::Serialize;

use crate::emit::{dropin, inplace};
use crate::plan::{self, Plan, ProgramEvidence};
use crate::policy::{Mode, Policy};
use crate::score;
use crate::unit::facts::UnitFacts;
use crate::unit::rootfs::RootFs;
use crate::unit::write_set::{write_all_or_none, PlannedWrite};
use crate::unit::{assignments_of, Assignment, Document, Fragment, LoadError, LoadOutcome, LoadedUnit, Loader, Scope};

#[derive(Clone)]
pub struct Request {
    pub root: Option<PathBuf>,
    /// Unit files or names; empty with a root means every service in it.
    pub units: Vec<String>,
    pub exclude: Vec<String>,
    pub policy: Policy,
    /// The systemd release to write for (`--systemd-version`, the policy's, or detected).
    pub systemd_version: u32,
    /// Plan from the unit files alone, without reading the programs they run.
    pub no_evidence: bool,
    /// Gather all the evidence shows, also what the plan cannot use (`explain` prints it).
    pub full_evidence: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileChange {
    /// The path shown to the user.
    pub path: PathBuf,
    /// Where it is written (inside the root, no symlink on the way).
    #[serde(skip)]
    pub real_path: PathBuf,
    #[serde(skip)]
    pub before: Option<String>,
    /// `None`: the file is to be removed.
    #[serde(skip)]
    pub after: Option<String>,
}

impl FileChange {
    pub fn changes_anything(&self) -> bool {
        self.before != self.after
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Planned (the plan may be empty when everything is in place).
    Planned,
    Masked,
    Excluded,
    /// Not a service: only services are hardened.
    NotAService,
}

#[derive(Debug, Clone)]
pub struct UnitReport {
    /// The built package the unit comes from (`.deb`, `.rpm`), when it does.
    pub package: Option<PathBuf>,
    pub unit: String,
    pub path: PathBuf,
    pub scope: Option<Scope>,
    pub status: Status,
    pub before: Option<score::Assessment>,
    pub after: Option<score::Assessment>,
    pub plan: Plan,
    pub changes: Vec<FileChange>,
    pub evidence: Option<ProgramEvidence>,
    /// The evidence in full, for `hardenunit explain`.
    pub gathered: Option<crate::evidence::Evidence>,
    /// Settings of the unit's own files that systemd would reject or ignore.
    pub findings: Vec<crate::lint::Finding>,
}

impl UnitReport {
    pub fn would_change(&self) -> bool {
        self.changes.iter().any(FileChange::changes_anything)
    }
}

pub struct Outcome {
    pub units: Vec<UnitReport>,
    pub errors: Vec<LoadError>,
    /// Worth saying, not worth failing a build for.
    pub warnings: Vec<String>,
    /// `[unit."NAME"]` sections of the package's policy that apply to no unit here (a typo,
    /// most likely): warnings, or errors under --check.
    pub unmatched_sections: Vec<LoadError>,
}

pub fn run(req: &Request) -> Outcome {
    let mut units = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let loader = match Loader::new(req.root.as_deref()) {
        Ok(l) => l,
        Err(e) => return Outcome { units, errors: vec![e], warnings: vec![], unmatched_sections: vec![] },
    };
    let display = loader.display_paths();
    let mut failed = Vec::new();
    let outcomes = loader.select_each(&req.units, &["service"]).filter_map(|o| o.map_err(|e| failed.push(e)).ok());
    let results = process_all(loader.rootfs(), req, outcomes);
    errors.extend(failed);
    for result in results {
        match result {
            Ok(r) => units.push(r),
            Err(e) => errors.push(e),
        }
    }
    for x in &req.exclude {
        let known = units.iter().any(|u| {
            u.unit == *x
                || crate::unit::UnitName::parse(&u.unit).and_then(|n| n.template()).is_some_and(|t| t.as_str() == x)
        });
        if !known {
            warnings.push(format!("--exclude {x}: no such unit here (a typo?)"));
        }
    }
    let unmatched_sections = unmatched_sections(req, &loader, &units);
    // Show paths as the user named the root (debian/foo/lib/...), not canonicalised.
    for u in &mut units {
        u.path = display.show(&u.path);
        for c in &mut u.changes {
            c.path = display.show(&c.path);
        }
        for f in &mut u.findings {
            f.file = display.show(&f.file);
        }
    }
    for e in &mut errors {
        e.path = display.show(&e.path);
    }
    // User units first, then system units, each by path: a reader keyed by file name (the
    // same name can be both a user and a system unit) ends on the system unit's entry.
    let package = loader.rootfs().is_in_memory().then(|| loader.rootfs().dir().to_owned());
    for u in &mut units {
        u.package.clone_from(&package);
    }
    units.sort_by(|a, b| (a.scope != Some(Scope::User), &a.path).cmp(&(b.scope != Some(Scope::User), &b.path)));
    Outcome { units, errors, warnings, unmatched_sections }
}

/// The package policy's unit sections that name no service of the run. With units named on
/// the command line, a section for another unit that exists is not a typo.
fn unmatched_sections(req: &Request, loader: &Loader, units: &[UnitReport]) -> Vec<LoadError> {
    let names: Vec<&str> = units.iter().map(|u| u.unit.as_str()).collect();
    let exists = |name: &str| {
        crate::unit::UnitName::parse(name).is_some_and(|n| matches!(loader.load_name(&n), Ok(LoadOutcome::Unit(_))))
    };
    let place = req.root.as_ref().map(|r| format!(" in {}", r.display())).unwrap_or_default();
    req.policy
        .unit_sections
        .iter()
        .filter(|s| !names.contains(&s.name.as_str()) && (req.units.is_empty() || !exists(&s.name)))
        .map(|s| {
            let closest = names
                .iter()
                .map(|n| (crate::unit::words::edit_distance(&s.name, n), *n))
                .filter(|(d, _)| *d <= 3)
                .min();
            let hint = closest.map(|(_, n)| format!(" (did you mean {n}?)")).unwrap_or_default();
            let what = if req.units.is_empty() { "no service" } else { "no unit named here or found" };
            LoadError {
                path: s.file.clone(),
                line: Some(s.line),
                message: format!("[unit.\"{}\"] applies to {what}{place}{hint}", s.name),
            }
        })
        .collect()
}

fn is_excluded(req: &Request, unit: &LoadedUnit) -> bool {
    let template = unit.name.template().map(|t| t.to_string());
    req.exclude
        .iter()
        .any(|x| x == unit.name.as_str() || Some(x) == template.as_ref() || unit.aliases.iter().any(|a| a == x))
}

/// Each unit of `outcomes` processed, the results in the order of `outcomes`. Units are
/// shared out to rayon's threads one at a time (their evidence costs anything from nothing
/// to a hundred times the median), each thread with an evidence cache of its own: a cache
/// only remembers what reading the root gives whoever asks first, so a unit's report does
/// not depend on which thread had it or what that thread read before. The loader (not
/// `Send`) stays on this thread and hands each unit over as soon as it is read, so the
/// threads start on the first unit while the others load; then this thread takes units too.
/// Inside a rayon thread (`hardenunit report` runs one package per thread) the units run in
/// turn.
fn process_all(
    root: &RootFs,
    req: &Request,
    outcomes: impl Iterator<Item = LoadOutcome>,
) -> Vec<Result<UnitReport, LoadError>> {
    let at_most = outcomes.size_hint().1.unwrap_or(usize::MAX);
    let sequential = at_most < 2 || rayon::current_thread_index().is_some() || rayon::current_num_threads() < 2;
    if sequential {
        let mut cache = crate::evidence::Cache::default();
        return outcomes.map(|o| process(root, req, o, &mut cache)).collect();
    }
    let queue = Queue::default();
    let shared = Arc::new(crate::evidence::SharedReadings::default());
    let done = Mutex::new(Vec::new());
    let mut count = 0;
    let work = || {
        let mut cache = crate::evidence::Cache::sharing(shared.clone());
        let mut mine = Vec::new();
        while let Some((i, outcome)) = queue.take() {
            mine.push((i, process(root, req, outcome, &mut cache)));
        }
        done.lock().unwrap_or_else(PoisonError::into_inner).extend(mine);
    };
    rayon::in_place_scope(|scope| {
        for _ in 0..rayon::current_num_threads() {
            scope.spawn(|_| work());
        }
        for outcome in outcomes {
            queue.put(count, outcome);
            count += 1;
        }
        queue.close();
        work();
    });
    // The readings shared (every ELF file, module and listing) are freed on a pool thread
    // while this one goes on to present the reports: freeing them is about 1% of a run.
    rayon::spawn(move || drop(shared));
    let mut results: Vec<Option<Result<UnitReport, LoadError>>> = (0..count).map(|_| None).collect();
    for (i, result) in done.into_inner().unwrap_or_else(PoisonError::into_inner) {
        results[i] = Some(result);
    }
    results.into_iter().map(|r| r.expect("every unit is taken by one thread")).collect()
}

/// The units loaded and not yet taken, each with its place in the run, until the loader
/// closes it.
#[derive(Default)]
struct Queue {
    state: Mutex<(VecDeque<(usize, LoadOutcome)>, bool)>,
    changed: Condvar,
}

impl Queue {
    fn lock(&self) -> std::sync::MutexGuard<'_, (VecDeque<(usize, LoadOutcome)>, bool)> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn put(&self, i: usize, outcome: LoadOutcome) {
        self.lock().0.push_back((i, outcome));
        self.changed.notify_one();
    }

    fn close(&self) {
        self.lock().1 = true;
        self.changed.notify_all();
    }

    /// The next unit, waiting for the loader; None once it is closed and empty.
    fn take(&self) -> Option<(usize, LoadOutcome)> {
        let mut state = self.lock();
        loop {
            if let Some(next) = state.0.pop_front() {
                return Some(next);
            }
            if state.1 {
                return None;
            }
            state = self.changed.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

fn process(
    root: &RootFs,
    req: &Request,
    outcome: LoadOutcome,
    evidence_cache: &mut crate::evidence::Cache,
) -> Result<UnitReport, LoadError> {
    let unit = match outcome {
        LoadOutcome::Masked { name, path } => {
            let scope = Scope::of_unit_path(&path);
            return Ok(empty_report(name.to_string(), path, Some(scope), Status::Masked));
        }
        LoadOutcome::Unit(u) => *u,
    };
    if let Some(e) = crate::unit::loader::open_continuation_error(&unit) {
        return Err(e);
    }
    let name = unit.name.to_string();
    if unit.name.unit_type() != "service" {
        return Ok(empty_report(name, unit.path().to_owned(), Some(unit.scope), Status::NotAService));
    }
    if is_excluded(req, &unit) {
        return Ok(empty_report(name, unit.path().to_owned(), Some(unit.scope), Status::Excluded));
    }
    let score_type = unit.name.as_str().to_owned();
    let current = unit.assignments();
    let before = score::assess(req.systemd_version, &score_type, &current);
    // `assess` takes the first assignment's file for the unit file: when that is the unit's
    // own file, `before` is the very assessment `score::refused_by_systemd` makes.
    let refusal = match current.first() {
        Some(first) if first.file == unit.path() => before.refusal.as_ref().map(crate::score::Refusal::text),
        _ => crate::score::refused_by_systemd(req.systemd_version, &unit),
    };
    if let Some(why) = refusal {
        let mut r = empty_report(name, unit.path().to_owned(), Some(unit.scope), Status::Planned);
        r.plan.left_alone = Some(why);
        return Ok(r);
    }

    // Plan against the unit as it is without hardenunit's own output, so that a second run
    // plans the same thing again and finds nothing to change.
    let output = OwnOutput::locate(&unit, &req.policy)?;
    let base_fragments = output.base_fragments(&unit)?;
    // Without a drop-in of its own the unit's files are the base, and their assignments `current`.
    let unchanged = output.mode == Mode::DropIn && base_fragments.len() == unit.fragments.len();
    let own_base;
    let base: &[Assignment] = if unchanged {
        &current
    } else {
        own_base = assignments_of(&base_fragments);
        &own_base
    };
    let ctx = plan::Context { policy: &req.policy, systemd_version: req.systemd_version };
    // Read from the base, as the plan is: hardenunit's own NoNewPrivileges=yes of a run
    // before must not change what the evidence counts (and so the plan) in the next.
    let facts = UnitFacts::read(unit.name.prefix(), base);
    // The paths the package declares count only for ProtectSystem=strict: a plan that cannot
    // add it does not read the whole dpkg database to find them.
    let declared_paths =
        req.full_evidence || plan::may_protect_system_strict(&req.policy, unit.name.as_str(), req.systemd_version);
    let gathered =
        (!req.no_evidence).then(|| crate::evidence::gather_with(&unit, &facts, root, evidence_cache, declared_paths));
    let evidence = gathered.as_ref().map(crate::evidence::Evidence::for_planner);
    let mut plan = plan::plan(&unit, base, &facts, evidence.as_ref(), &ctx);
    let base_score_of_own;
    let base_score = if unchanged || base == current {
        &before
    } else {
        base_score_of_own = score::assess(req.systemd_version, &score_type, base);
        &base_score_of_own
    };
    let (change, after) = match never_weaken(&mut plan, &output, &base_fragments, base, base_score, &score_type, req) {
        Some(rendered) => rendered,
        None => {
            let (change, assignments) = output.render(&plan, &base_fragments, base, req)?;
            let after = score::assess(req.systemd_version, &score_type, &assignments);
            (change, after)
        }
    };
    Ok(UnitReport {
        package: None,
        unit: name,
        path: unit.path().to_owned(),
        scope: Some(unit.scope),
        status: Status::Planned,
        before: Some(before),
        after: Some(after),
        plan,
        changes: change.into_iter().collect(),
        evidence,
        gathered,
        findings: crate::lint::lint_unit(&unit, req.systemd_version),
    })
}

fn empty_report(unit: String, path: PathBuf, scope: Option<Scope>, status: Status) -> UnitReport {
    UnitReport {
        package: None,
        unit,
        path,
        scope,
        status,
        before: None,
        after: None,
        plan: Plan::default(),
        changes: vec![],
        evidence: None,
        gathered: None,
        findings: vec![],
    }
}

/// The change to write for a plan, and the score afterwards.
type Rendered = (Option<FileChange>, score::Assessment);

/// Drops added directives that would make any row of the score worse than without them
/// (ProtectClock= next to an existing closed device policy adds `char-rtc r`, say), but for
/// a worsening the directive's row marks harmless ([`crate::directives::Flag::UnreachableGrantUnder`])
/// while the exposure as a whole does not rise. `before` is the score of `base_fragments`,
/// whose assignments are `base`. Returns the rendering of the plan as it is left, unless the
/// plan changed after its last rendering (or rendering failed).
fn never_weaken(
    plan: &mut Plan,
    output: &OwnOutput,
    base_fragments: &[Fragment],
    base: &[Assignment],
    before: &score::Assessment,
    score_type: &str,
    req: &Request,
) -> Option<Rendered> {
    for _ in 0..plan.added.len() + 1 {
        let (change, assignments) = output.render(plan, base_fragments, base, req).ok()?;
        let after = score::assess(req.systemd_version, score_type, &assignments);
        let worse: Vec<&str> = before
            .rows
            .iter()
            .zip(after.rows.iter())
            .filter(|(b, a)| a.badness.unwrap_or(0) > b.badness.unwrap_or(0))
            .map(|(b, _)| b.json_field)
            .filter(|row| after.exposure > before.exposure || !harmless(plan, row, &after))
            .collect();
        if worse.is_empty() {
            return Some((change, after));
        }
        let culprit = plan.added.iter().rposition(|a| {
            crate::directives::lookup(&a.directive).is_some_and(|d| d.rows.iter().any(|r| worse.contains(r)))
        });
        let Some(i) = culprit else { return Some((change, after)) };
        let removed = plan.added.remove(i);
        plan.skipped.push(plan::Skipped {
            directive: removed.directive,
            reason: format!("would make {} worse", worse.join(", ")),
        });
    }
    None
}

/// Whether an added directive's worsening of `row` is one it marks harmless while the
/// directive its row names is on in `after`.
fn harmless(plan: &Plan, row: &str, after: &score::Assessment) -> bool {
    let on = |key: &str| after.rows.iter().any(|r| r.json_field == key && r.badness == Some(0));
    plan.added
        .iter()
        .any(|a| crate::directives::lookup(&a.directive).and_then(|d| d.unreachable_grant_under(row)).is_some_and(on))
}

/// Where hardenunit's own output for a unit lives: its drop-in, or the main file's block.
struct OwnOutput {
    mode: Mode,
    /// Shown and real path of the file written.
    shown: PathBuf,
    real: PathBuf,
    existing: Option<String>,
}

impl OwnOutput {
    fn locate(unit: &LoadedUnit, policy: &Policy) -> Result<OwnOutput, LoadError> {
        let main = unit.main();
        match policy.mode {
            Mode::InPlace => Ok(OwnOutput {
                mode: Mode::InPlace,
                shown: main.path.clone(),
                real: main.real_path.clone(),
                existing: Some(main.doc.to_string()),
            }),
            Mode::DropIn => {
                let dir_name = format!("{}.d", unit.name);
                let real_dir = main.real_path.parent().unwrap_or(Path::new("/")).join(&dir_name);
                let shown_dir = main.path.parent().unwrap_or(Path::new("/")).join(&dir_name);
                let real = real_dir.join(&policy.dropin);
                let existing = unit.fragments.iter().find(|f| f.real_path == real).map(|f| f.doc.to_string());
                Ok(OwnOutput { mode: Mode::DropIn, shown: shown_dir.join(&policy.dropin), real, existing })
            }
        }
    }

    /// The unit's fragments without hardenunit's output (the unit's own, not a copy, when it
    /// has none).
    fn base_fragments<'u>(&self, unit: &'u LoadedUnit) -> Result<Cow<'u, [Fragment]>, LoadError> {
        match self.mode {
            Mode::DropIn if unit.fragments.iter().all(|f| f.real_path != self.real) => {
                Ok(Cow::Borrowed(&unit.fragments))
            }
            Mode::DropIn => {
                Ok(Cow::Owned(unit.fragments.iter().filter(|f| f.real_path != self.real).cloned().collect()))
            }
            Mode::InPlace => {
                let mut fragments = unit.fragments.clone();
                fragments[0].doc = inplace::strip_block(&fragments[0].doc).map_err(|e| parse_error(&self.shown, e))?;
                Ok(Cow::Owned(fragments))
            }
        }
    }

    /// The change to write, and the assignments systemd would read afterwards: `base` (the
    /// assignments of `base_fragments`) with the new file's spliced in where systemd reads
    /// it, without copying the fragments.
    fn render(
        &self,
        plan: &Plan,
        base_fragments: &[Fragment],
        base: &[Assignment],
        req: &Request,
    ) -> Result<(Option<FileChange>, Vec<Assignment>), LoadError> {
        let (after, assignments) = match self.mode {
            Mode::InPlace => {
                let main = &base_fragments[0];
                let doc = inplace::with_block(&main.doc, &dropin::directive_lines(plan))
                    .map_err(|e| parse_error(&self.shown, e))?;
                let replaced = main.doc.entries().count();
                let assignments = assignments_in(&main.path, &doc).chain(base[replaced..].iter().cloned()).collect();
                (Some(doc.to_string()), assignments)
            }
            Mode::DropIn => {
                let doc = dropin::document(plan, &req.policy.profile, req.systemd_version)
                    .map_err(|e| parse_error(&self.shown, e))?;
                match doc {
                    Some(doc) => {
                        let name = self.real.file_name();
                        let pos = base_fragments
                            .iter()
                            .skip(1)
                            .position(|f| f.real_path.file_name() > name)
                            .map(|p| p + 1)
                            .unwrap_or(base_fragments.len());
                        let before: usize = base_fragments[..pos].iter().map(|f| f.doc.entries().count()).sum();
                        let assignments = base[..before]
                            .iter()
                            .cloned()
                            .chain(assignments_in(&self.shown, &doc))
                            .chain(base[before..].iter().cloned())
                            .collect();
                        (Some(doc.to_string()), assignments)
                    }
                    None => (None, base.to_vec()),
                }
            }
        };
        let change = (self.existing.is_some() || after.is_some()).then(|| FileChange {
            path: self.shown.clone(),
            real_path: self.real.clone(),
            before: self.existing.clone(),
            after,
        });
        Ok((change, assignments))
    }
}

/// The assignments of `doc`, read from `path`, as [`assignments_of`] makes them.
fn assignments_in<'a>(path: &'a Path, doc: &'a Document) -> impl Iterator<Item = Assignment> + 'a {
    doc.entries().map(move |e| Assignment {
        section: e.section.clone(),
        key: e.key.clone(),
        value: e.value.clone(),
        file: path.to_owned(),
        line: e.line,
    })
}

fn parse_error(path: &Path, e: crate::unit::ParseError) -> LoadError {
    LoadError { path: path.to_owned(), line: Some(e.line), message: e.message }
}

/// Writes every change of `reports` inside the root; a file whose text would not change
/// is not touched (its modification time stays).
pub fn apply(loader_root: Option<&Path>, reports: &[UnitReport]) -> Result<Vec<PathBuf>, LoadError> {
    let fs = match loader_root {
        Some(r) => crate::unit::rootfs::RootFs::new(r)?,
        None => crate::unit::rootfs::RootFs::host(),
    };
    let changes: Vec<&FileChange> =
        reports.iter().flat_map(|r| r.changes.iter()).filter(|c| c.changes_anything()).collect();
    let plan: Vec<PlannedWrite> = changes
        .iter()
        .map(|c| PlannedWrite { path: &c.real_path, contents: c.after.as_deref().map(str::as_bytes) })
        .collect();
    write_all_or_none(&fs, &plan)?;
    Ok(changes.iter().map(|c| c.path.clone()).collect())
}

#[cfg(test)]
mod tests;
