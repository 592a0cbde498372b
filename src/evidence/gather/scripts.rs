//! What the shell reader needs from the unit and the root: the variables the unit sets, the
//! arguments of the invocation, and the files a script sources.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Gatherer, MAX_SCRIPT_SIZE};
use crate::evidence::files::Located;
use crate::evidence::shell::{read_split_shell_with, ScriptReading, ShellContext, ABSENT};

impl Gatherer<'_> {
    /// How `script` runs when `runner` runs it with `args`: the unit's environment and the
    /// arguments hold only for what the unit's own command lines run.
    pub(super) fn shell_context(&self, runner: &str, script: &str, args: Option<Vec<String>>) -> ShellContext {
        let from_unit = runner.split(' ').next().is_some_and(|r| r.ends_with('='));
        ShellContext {
            program: script.to_owned(),
            // systemd expands `$NAME` and `%i` in the unit's arguments: then they are unknown.
            // A script shows the words it gives a command over all its invocations, not in
            // order: known only when there are none.
            args: args.filter(|a| if from_unit { !a.iter().any(|w| w.contains(['$', '%'])) } else { a.is_empty() }),
            environment: if from_unit { self.environment.clone() } else { BTreeMap::new() },
            open_environment: self.open_environment || !from_unit,
        }
    }

    /// Reads a script's text, and the files it sources from inside the root: once per run
    /// for each text and context, as nothing else of the unit enters the reading.
    pub(super) fn read_script(&mut self, text: &str, ctx: &ShellContext) -> Arc<ScriptReading> {
        let cell = self.cache.shell(text, ctx);
        cell.get_or_init(|| {
            let script = self.cache.split_shell(text);
            let mut source = |file: &str| match self.locate(file) {
                Located::Found { real, .. } => self
                    .cache
                    .read_limited(&real, MAX_SCRIPT_SIZE)
                    .map(|(bytes, _)| crate::evidence::text(&bytes).into_owned()),
                Located::NotFound => Err(ABSENT.into()),
                Located::Refused(why) => Err(why),
            };
            Arc::new(read_split_shell_with(&script, ctx, &mut source))
        })
        .clone()
    }
}
