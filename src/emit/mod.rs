//! The files hardenunit writes, as documents: a drop-in, or a marked block in the unit's
//! own file. The engine scores these documents as they are and writes their text, so what is
//! scored is what is written.

pub mod dropin;
pub mod inplace;
