//! Saving a row's status select: one change at a time, the latest choice
//! shown while it saves, Undo after a success and Retry after a failure.
//!
//! Quick changes queue behind the one in flight (only the latest waits), so
//! the last choice wins on the server and on screen. The whole state is one
//! [`SaveState`] value, so no combination that means nothing can exist.

use crate::ui::collections::HashMap;

use leads_core::{LeadPatch, LeadStatus, PartialLead};
use leptos::prelude::*;
use leptos::wasm_split::wasm_split;

use crate::edit::lead_edits::LeadEdits;
use crate::i18n::msg;
use crate::net::session::Session;
use crate::ui::announcer::{Announcer, NoticeAction};
use crate::ui::deferred::ExtraWork;

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
        LeadPatch::status(self.status())
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

/// The status saving of every row on the page, in one place, shared
/// through context by the leads page. A row shows what it says and hands
/// it the person's choices; the sending, with Undo and Retry, is in the
/// extras module, fetched after the first view, so the rows carry no
/// saving machinery of their own. It
/// belongs to the page, so a save finishes, and its Undo works, after its
/// row has left the view.
#[derive(Clone, Copy)]
pub struct StatusSaves {
    /// Rows with a save under way; a row that is absent is idle.
    states: RwSignal<HashMap<String, SaveState>>,
    session: Session,
    edits: LeadEdits,
    announcer: Announcer,
}

impl StatusSaves {
    /// No saves under way, for the page that has these.
    pub fn new(session: Session, edits: LeadEdits, announcer: Announcer) -> Self {
        Self {
            states: RwSignal::new(HashMap::default()),
            session,
            edits,
            announcer,
        }
    }

    /// The status lead `id`'s select shows while it saves (tracked); `None`
    /// when idle, when the row shows the lead's own.
    pub fn shown(&self, id: &str) -> Option<LeadStatus> {
        self.states
            .with(|states| states.get(id).and_then(|s| s.shown()))
    }

    /// True while a save of lead `id` is under way (tracked).
    pub fn saving(&self, id: &str) -> bool {
        self.states.with(|states| states.contains_key(id))
    }

    /// The person chose `status` for `lead` (as its row shows it), which
    /// announcements call `name`.
    pub fn choose(&self, lead: PartialLead, name: String, status: LeadStatus) {
        self.change(lead, name, StatusChange::Chosen(status));
    }

    fn change(&self, lead: PartialLead, name: String, change: StatusChange) {
        let current = lead.status;
        let Some(now) = self.step(&lead.id, |state| state.choose(change, current)) else {
            return;
        };
        let this = *self;
        leptos::task::spawn_local(async move {
            let id = lead.id.clone();
            match status_sending(this, lead.clone(), name.clone(), now).await {
                Ok(sending) => sending.await,
                Err(_) if this.is_gone() => {}
                Err(_) => {
                    let latest = this.step(&id, SaveState::failed);
                    let unavailable = this.session.i18n().t(msg::ERROR_EXTRAS_UNAVAILABLE);
                    this.not_saved(lead, name, latest, &unavailable);
                }
            }
        });
    }

    /// True once the page is closed (a Disconnect while a save was on its
    /// way): nothing of it may be touched then.
    fn is_gone(&self) -> bool {
        self.states.try_with_untracked(|_| ()).is_none()
    }

    /// Moves lead `id`'s state by `step`; what it answers, or `None` once
    /// the page is gone.
    fn step<T>(
        &self,
        id: &str,
        step: impl FnOnce(SaveState) -> (SaveState, Option<T>),
    ) -> Option<T> {
        self.states
            .try_update(|states| {
                let (next, out) = step(states.get(id).copied().unwrap_or(SaveState::Idle));
                match next {
                    SaveState::Idle => states.remove(id),
                    saving => states.insert(id.to_owned(), saving),
                };
                out
            })
            .flatten()
    }

    /// Sends `change` for `lead` and every change queued behind it, then
    /// announces how it went. `lead` is the lead as its row showed it.
    pub async fn send(self, mut lead: PartialLead, name: String, mut change: StatusChange) {
        loop {
            let client = self.session.client_untracked();
            let result = self
                .session
                .checked(client.update_lead(&lead.id, &change.patch()).await);
            if self.is_gone() {
                return;
            }
            let reply = match result {
                Ok(reply) => reply,
                Err(err) => {
                    let latest = self.step(&lead.id, SaveState::failed);
                    if err != crate::net::error::RequestError::Unauthorized {
                        self.not_saved(lead, name, latest, &err.message(self.session.i18n()));
                    }
                    return;
                }
            };
            lead = self.edits.record(&lead, &change.patch(), reply);
            match self.step(&lead.id, SaveState::saved) {
                Some(AfterSave::Send(next)) => change = next,
                Some(AfterSave::Done { last, before }) => {
                    self.announce_saved(lead, name, last, before);
                    return;
                }
                None => return,
            }
        }
    }

    /// "Status updated" with Undo back to `before`, or "Status change undone".
    fn announce_saved(
        self,
        lead: PartialLead,
        name: String,
        last: StatusChange,
        before: Option<LeadStatus>,
    ) {
        let i18n = self.session.i18n();
        match (last, before) {
            (StatusChange::Chosen(now), Some(before)) if before != now => self.announcer.success(
                i18n.t(msg::STATUS_UPDATED),
                Some(NoticeAction {
                    label: msg::ACTION_UNDO,
                    run: Callback::new(move |()| {
                        self.change(lead.clone(), name.clone(), StatusChange::Undo(before))
                    }),
                }),
            ),
            (StatusChange::Chosen(_), _) => {
                self.announcer.success(i18n.t(msg::STATUS_UPDATED), None)
            }
            (StatusChange::Undo(_), _) => self.announcer.success(i18n.t(msg::STATUS_UNDONE), None),
        }
    }

    /// The save failed for `why`: say so, with Retry of the person's latest
    /// choice.
    fn not_saved(self, lead: PartialLead, name: String, latest: Option<StatusChange>, why: &str) {
        let message = self
            .session
            .i18n()
            .fill(msg::STATUS_NOT_SAVED, &[("name", &name), ("reason", why)]);
        let retry = latest.map(|latest| NoticeAction {
            label: msg::ERROR_RETRY,
            run: Callback::new(move |()| self.change(lead.clone(), name.clone(), latest)),
        });
        self.announcer.error(message, retry);
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

/// A row's status save and those queued behind it ([`StatusSaves::send`]),
/// from the extras module.
#[wasm_split(extras, wasm_split_path = ::leptos::wasm_split, fallible)]
fn status_sending(
    saves: StatusSaves,
    lead: PartialLead,
    name: String,
    change: StatusChange,
) -> ExtraWork<()> {
    Ok(Box::pin(saves.send(lead, name, change)))
}
