//! What a lead form shows besides its inputs: a message per field (from the
//! `leads-core` checks or from the server) and one sentence for a failure
//! that names no field; and the save that fills it. The create dialog and
//! the row editor share both, so a save behaves and fails the same way in
//! each.

use std::future::Future;

use leptos::prelude::*;

use crate::edit::lead_form::FieldErrors;
use crate::i18n::{use_i18n, I18n, Msg};
use crate::net::error::RequestError;

/// A form's messages; cheap to copy into handlers.
#[derive(Clone, Copy)]
pub struct FormFeedback {
    /// Messages next to their fields.
    pub errors: RwSignal<FieldErrors>,
    /// A sentence about the whole form, such as a failed save.
    pub failure: RwSignal<Option<String>>,
    /// The language failures are said in.
    i18n: I18n,
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
            i18n: use_i18n(),
        }
    }

    /// Removes every message, before a new attempt or after a success.
    pub fn clear(&self) {
        self.errors.set(FieldErrors::new());
        self.failure.set(None);
    }

    /// Shows a failed save where it belongs: on the field the API named, or
    /// as the sentence `describe` with the error's message as its
    /// `{reason}`. A `401` shows nothing here: the session has already gone
    /// back to Connect.
    pub fn show_failed_save(&self, err: &RequestError, describe: Msg) {
        if *err == RequestError::Unauthorized {
            return;
        }
        match err.field() {
            Some(field) => self.errors.update(|e| {
                e.insert(field, err.message(self.i18n));
            }),
            None => self.failure.set(Some(
                self.i18n
                    .fill(describe, &[("reason", &err.message(self.i18n))]),
            )),
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
    /// in `feedback`, the sentence `word` with the error as its `{reason}`.
    pub fn new<Fut>(
        send: impl Fn(I) -> Fut + 'static,
        feedback: FormFeedback,
        word: Msg,
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
