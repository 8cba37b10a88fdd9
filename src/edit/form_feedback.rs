//! What a lead form shows besides its inputs: a message per field (from the
//! `leads-core` checks or from the server) and one sentence for a failure
//! that names no field. The create dialog and the row editor share it, so a
//! failed save is shown the same way in both.

use leptos::prelude::*;

use crate::edit::lead_form::FieldErrors;
use crate::net::error::RequestError;

/// A form's messages; cheap to copy into handlers.
#[derive(Clone, Copy)]
pub struct FormFeedback {
    /// Messages next to their fields.
    pub errors: RwSignal<FieldErrors>,
    /// A sentence about the whole form, such as a failed save.
    pub failure: RwSignal<Option<String>>,
}

impl Default for FormFeedback {
    fn default() -> Self {
        Self::new()
    }
}

impl FormFeedback {
    /// No messages.
    pub fn new() -> Self {
        Self {
            errors: RwSignal::new(FieldErrors::new()),
            failure: RwSignal::new(None),
        }
    }

    /// Removes every message, before a new attempt or after a success.
    pub fn clear(&self) {
        self.errors.set(FieldErrors::new());
        self.failure.set(None);
    }

    /// Shows a failed save where it belongs: on the field the API named, or
    /// as the sentence `describe` builds from the error's message. A `401`
    /// shows nothing here: the session has already gone back to Connect.
    ///
    /// ```ignore
    /// feedback.show_failed_save(&err, |m| format!("Not saved. {m}"));
    /// ```
    pub fn show_failed_save(&self, err: &RequestError, describe: impl FnOnce(String) -> String) {
        if *err == RequestError::Unauthorized {
            return;
        }
        match err.field() {
            Some(field) => self.errors.update(|e| {
                e.insert(field, err.message());
            }),
            None => self.failure.set(Some(describe(err.message()))),
        }
    }
}
