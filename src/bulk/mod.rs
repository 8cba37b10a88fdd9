//! Changing many leads at once: the selection (which outlives the view),
//! the batch (four at a time, `429` waits, Cancel, Retry failed, Undo),
//! the change that runs it, and its bar.
//!
//! It may use `edit` (to merge its writes into the page), `ui`, `net` and
//! `leads-core`.

pub mod bar;
pub mod batch;
pub mod change;
pub mod selection;
