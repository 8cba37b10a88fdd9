//! Changing leads one at a time: what was typed into a form and the
//! request it becomes ([`lead_form`]), a form's messages
//! ([`form_feedback`]), the lead inputs, the New lead dialog, the row
//! editor, a row's status save with its queue, Undo and Retry
//! ([`status_save`]), and what the console knows beyond the loaded page:
//! its own writes, open drafts and the highlight ([`lead_edits`]).
//!
//! It may use `ui`, `net` and `leads-core`; no other feature.

pub mod edit_row;
pub mod fields;
pub mod form_feedback;
pub mod lead_edits;
pub mod lead_form;
pub mod new_lead;
pub mod status_save;
