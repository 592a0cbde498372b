//! Presenting what the engine computed: the summary, diffs, JSON, explain and score tables.

pub mod diff;
pub mod report;
pub mod score_table;
