//! Presenting and writing what the engine computed.

pub mod diff;
pub mod dropin;
pub mod inplace;
pub mod report;
pub mod score_table;
