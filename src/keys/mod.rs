//! Keyboard triage: which key does what, when keys are left alone, and the
//! dialog that lists them. The page and the rows act on the keys.
//!
//! It imports nothing else of the console.

pub mod help;
pub mod shortcuts;
