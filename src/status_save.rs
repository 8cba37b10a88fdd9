//! Saving a row's status select: one change at a time, the latest choice
//! shown while it saves, Undo after a success and Retry after a failure.
//!
//! Quick changes queue behind the one in flight (only the latest waits), so
//! the last choice wins on the server and on screen. The whole state is one
//! [`SaveState`] value, so no combination that means nothing can exist.

use leads_core::{LeadPatch, LeadStatus, PartialLead};
use leptos::prelude::*;

use crate::announcer::{Announcer, NoticeAction};
use crate::lead_edits::LeadEdits;
use crate::session::Session;

/// Why a status is sent, which decides what is announced after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    /// The person picked it.
    Chosen(LeadStatus),
    /// Undo sends the status from before.
    Undo(LeadStatus),
}

impl StatusChange {
    fn status(self) -> LeadStatus {
        match self {
            Self::Chosen(s) | Self::Undo(s) => s,
        }
    }

    /// The PATCH body: exactly `{"status": …}`.
    fn patch(self) -> LeadPatch {
        LeadPatch {
            status: Some(self.status()),
            ..LeadPatch::default()
        }
    }
}

/// Where a row's status saving stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveState {
    /// Nothing in flight: the row shows the lead's own status.
    Idle,
    /// `sending` is on its way and `queued` waits for it. `before` is the
    /// status the lead had when this run of changes began, for Undo.
    Saving {
        sending: StatusChange,
        queued: Option<StatusChange>,
        before: Option<LeadStatus>,
    },
}

/// What to do once the save in flight has succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterSave {
    /// Send the queued change next.
    Send(StatusChange),
    /// All saved: announce `last`, with Undo back to `before` if it differs.
    Done {
        last: StatusChange,
        before: Option<LeadStatus>,
    },
}

impl SaveState {
    /// The status to show: the latest choice while saving, else `None`
    /// (the lead's own).
    pub fn shown(self) -> Option<LeadStatus> {
        match self {
            Self::Idle => None,
            Self::Saving {
                sending, queued, ..
            } => Some(queued.unwrap_or(sending).status()),
        }
    }

    /// The person chose `change` while the lead showed `current`; returns
    /// the new state and the change to send now, if any.
    pub fn choose(
        self,
        change: StatusChange,
        current: Option<LeadStatus>,
    ) -> (SaveState, Option<StatusChange>) {
        match self {
            Self::Idle => (
                Self::Saving {
                    sending: change,
                    queued: None,
                    before: current,
                },
                Some(change),
            ),
            Self::Saving {
                sending, before, ..
            } => (
                Self::Saving {
                    sending,
                    queued: Some(change),
                    before,
                },
                None,
            ),
        }
    }

    /// The save in flight succeeded.
    pub fn saved(self) -> (SaveState, Option<AfterSave>) {
        match self {
            Self::Idle => (Self::Idle, None),
            Self::Saving {
                queued: Some(next),
                before,
                ..
            } => (
                Self::Saving {
                    sending: next,
                    queued: None,
                    before,
                },
                Some(AfterSave::Send(next)),
            ),
            Self::Saving {
                sending,
                queued: None,
                before,
            } => (
                Self::Idle,
                Some(AfterSave::Done {
                    last: sending,
                    before,
                }),
            ),
        }
    }

    /// The save in flight failed: back to the lead's own status, and the
    /// person's latest choice (even one still queued) for Retry.
    pub fn failed(self) -> (SaveState, Option<StatusChange>) {
        match self {
            Self::Idle => (Self::Idle, None),
            Self::Saving {
                sending, queued, ..
            } => (Self::Idle, Some(queued.unwrap_or(sending))),
        }
    }
}

/// What a row needs from its status saving.
#[derive(Clone, Copy)]
pub struct StatusSave {
    /// The status the select shows.
    pub shown: Signal<Option<LeadStatus>>,
    /// True while a save is in flight.
    pub saving: Signal<bool>,
    /// Call with the person's choice.
    pub choose: Callback<LeadStatus>,
}

/// Status saving for lead `id`. `lead` is the lead as the row shows it,
/// `name` how announcements call it.
///
/// ```ignore
/// let status = use_status_save(id.clone(), lead, name);
/// view! { <select prop:value=move || status.shown.get().map(LeadStatus::as_str)
///                 on:change=move |ev| status.choose.run(parse(ev)) /> }
/// ```
pub fn use_status_save(id: String, lead: Memo<PartialLead>, name: Signal<String>) -> StatusSave {
    let edits = expect_context::<LeadEdits>();
    let session = expect_context::<Session>();
    let announcer = expect_context::<Announcer>();
    let state = RwSignal::new(SaveState::Idle);
    let save = Action::new_local(move |change: &StatusChange| {
        let client = session.client_untracked();
        let (id, change) = (id.clone(), *change);
        async move {
            let result = session.checked(client.update_lead(&id, &change.patch()).await);
            (change, result)
        }
    });
    let send = move |change: StatusChange| {
        let current = lead.with_untracked(|l| l.status);
        let (next, now) = state.get_untracked().choose(change, current);
        state.set(next);
        if let Some(change) = now {
            save.dispatch(change);
        }
    };
    Effect::new(move |_| {
        let Some((change, result)) = save.value().get() else {
            return;
        };
        match result {
            Ok(reply) => {
                edits.record(&lead.get_untracked(), &change.patch(), reply);
                let (next, after) = state.get_untracked().saved();
                state.set(next);
                match after {
                    Some(AfterSave::Send(next)) => {
                        save.dispatch(next);
                    }
                    Some(AfterSave::Done { last, before }) => {
                        announce_saved(announcer, last, before, send)
                    }
                    None => {}
                }
            }
            Err(err) => {
                let (next, latest) = state.get_untracked().failed();
                state.set(next);
                if err == crate::api::ApiError::Unauthorized {
                    return;
                }
                let retry = latest.map(|latest| NoticeAction {
                    label: "Retry",
                    run: Callback::new(move |()| send(latest)),
                });
                let who = name.get_untracked();
                announcer.error(
                    format!("The status of {who} was not saved. {}", err.message()),
                    retry,
                );
            }
        }
    });
    StatusSave {
        shown: Signal::derive(move || state.get().shown().or_else(|| lead.with(|l| l.status))),
        saving: save.pending().into(),
        choose: Callback::new(move |status| send(StatusChange::Chosen(status))),
    }
}

/// "Status updated" with Undo back to `before`, or "Status change undone".
fn announce_saved(
    announcer: Announcer,
    last: StatusChange,
    before: Option<LeadStatus>,
    send: impl Fn(StatusChange) + Copy + Send + Sync + 'static,
) {
    match (last, before) {
        (StatusChange::Chosen(now), Some(before)) if before != now => announcer.success(
            "Status updated",
            Some(NoticeAction {
                label: "Undo",
                run: Callback::new(move |()| send(StatusChange::Undo(before))),
            }),
        ),
        (StatusChange::Chosen(_), _) => announcer.success("Status updated", None),
        (StatusChange::Undo(_), _) => announcer.success("Status change undone", None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LeadStatus::*;

    #[test]
    fn quick_changes_queue_only_the_latest_and_undo_goes_to_the_first_status() {
        let (state, now) = SaveState::Idle.choose(StatusChange::Chosen(Contacted), Some(New));
        assert_eq!(now, Some(StatusChange::Chosen(Contacted)));
        let (state, now) = state.choose(StatusChange::Chosen(Qualified), Some(New));
        let (state, now2) = state.choose(StatusChange::Chosen(Converted), Some(New));
        assert_eq!(
            (now, now2),
            (None, None),
            "nothing sent while one is in flight"
        );
        assert_eq!(state.shown(), Some(Converted), "the latest choice shows");
        let (state, after) = state.saved();
        assert_eq!(
            after,
            Some(AfterSave::Send(StatusChange::Chosen(Converted)))
        );
        let (state, after) = state.saved();
        assert_eq!(state, SaveState::Idle);
        assert_eq!(
            after,
            Some(AfterSave::Done {
                last: StatusChange::Chosen(Converted),
                before: Some(New)
            })
        );
    }

    #[test]
    fn a_failure_reverts_and_offers_the_latest_choice() {
        let (state, _) = SaveState::Idle.choose(StatusChange::Chosen(Contacted), Some(New));
        let (state, _) = state.choose(StatusChange::Chosen(Converted), Some(New));
        let (state, retry) = state.failed();
        assert_eq!((state, state.shown()), (SaveState::Idle, None));
        assert_eq!(retry, Some(StatusChange::Chosen(Converted)));
    }
}
