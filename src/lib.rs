//! hardenunit: inspect the systemd units a package ships, inject a policy-defined hardening
//! baseline, and show the diff with the exposure score before and after, as
//! `systemd-analyze security` of systemd 252 computes it.

pub mod cli;
pub mod directives;
pub mod emit;
pub mod engine;
pub mod evidence;
pub mod grammar;
pub mod lint;
pub mod package;
pub mod plan;
pub mod policy;
pub mod render;
pub mod score;
pub mod survey;
pub mod unit;
