//! Keyboard triage: which key does what, when keys are left alone, and the
//! dialog that lists them. The page and the rows act on the keys.
//!
//! It may use `ui` (the dialog is a modal); nothing else of the console.

pub mod help;
pub mod shortcuts;
