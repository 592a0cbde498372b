//! INTERIM: the exposure score is being written on its own branch; until it lands this
//! placeholder lets the planner, renderer and integrations be built. Its numbers are NOT
//! systemd's; nothing may rely on them.
use crate::unit::Assignment;

#[derive(Debug, Clone)]
pub struct Row {
    pub json_field: &'static str,
    pub badness: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Assessment {
    pub rows: Vec<Row>,
    pub exposure: u32,
}

pub fn assess(_unit_type: &str, a: &[Assignment]) -> Assessment {
    Assessment { rows: vec![], exposure: 96u32.saturating_sub(a.len() as u32) }
}

pub fn label(_exposure: u32) -> &'static str {
    "(interim)"
}
