//! What a lead form shows besides its inputs: a message per field (from the
//! `leads-core` checks or from the server) and one sentence for a failure
//! that names no field; and the save that fills it. The create dialog and
//! the row editor share both, so a save behaves and fails the same way in
//! each.

use std::future::Future;

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

/// A form's save: one at a time (a submit while one is on its way sends
/// nothing), a success to its handler, a failure into the form's
/// [`FormFeedback`].
pub struct FormSave<I: 'static, O: 'static> {
    action: Action<I, Result<O, RequestError>>,
}

impl<I, O> Clone for FormSave<I, O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I, O> Copy for FormSave<I, O> {}

impl<I: Clone + Send + Sync + 'static, O: Clone + Send + Sync + 'static> FormSave<I, O> {
    /// `send` makes the request; `saved` takes its answer; a failure shows
    /// in `feedback`, the sentence worded by `word`.
    pub fn new<Fut>(
        send: impl Fn(I) -> Fut + 'static,
        feedback: FormFeedback,
        word: fn(String) -> String,
        saved: impl Fn(O) + 'static,
    ) -> Self
    where
        Fut: Future<Output = Result<O, RequestError>> + 'static,
    {
        let action = Action::new_local(move |input: &I| send(input.clone()));
        Effect::new(move |_| match action.value().get() {
            Some(Ok(done)) => saved(done),
            Some(Err(err)) => feedback.show_failed_save(&err, word),
            None => {}
        });
        Self { action }
    }

    /// Sends `input`, unless a save is on its way. A form that clears its
    /// messages or changes its fields before sending asks [`FormSave::busy`]
    /// first.
    pub fn send(&self, input: I) {
        if !self.busy() {
            self.action.dispatch(input);
        }
    }

    /// True while a save is on its way.
    pub fn busy(&self) -> bool {
        self.action.pending().get_untracked()
    }

    /// [`FormSave::busy`], tracked, for the form to show.
    pub fn pending(&self) -> Memo<bool> {
        self.action.pending()
    }
}
