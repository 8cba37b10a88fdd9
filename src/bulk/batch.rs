//! A status change for many leads at once: one `PATCH {"status": …}` per
//! lead, at most [`MAX_IN_FLIGHT`] at a time, all of them waiting when the
//! server answers `429` for its `Retry-After`, and Cancel, which stops
//! sending (what was sent stays sent). [`Batch`] is the whole state, and
//! says what became of every lead; [`run`] drives it against the API.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use leads_core::{LeadPatch, LeadStatus, PartialLead};
use leptos::prelude::*;

use crate::i18n::{msg, I18n};
use crate::net::api::ApiClient;
use crate::net::pause::{millis, sleep};
use crate::net::session::Session;
use crate::ui::mounted::Mounted;

/// Requests a batch keeps in flight at most: quick, without crowding out
/// the person's other work or the server.
pub const MAX_IN_FLIGHT: usize = 4;

/// What a batch does, which decides how its outcome reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchKind {
    /// "Apply": the status chosen for the selection.
    Apply,
    /// "Undo": each lead back to its status before.
    Undo,
}

/// One lead in a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchItem {
    pub id: String,
    pub name: String,
    /// Its status before, as last seen: what Undo sends back.
    pub from: Option<LeadStatus>,
    pub to: LeadStatus,
}

/// Where one lead of a batch stands.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemState {
    Waiting,
    Sending,
    Updated,
    Failed(String),
    /// Cancelled before it was sent.
    NotSent,
}

/// A batch and what became of each of its leads.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub kind: BatchKind,
    items: Vec<(BatchItem, ItemState)>,
    cancelled: bool,
}

impl Batch {
    /// A batch of `items`, none sent yet.
    pub fn new(kind: BatchKind, items: Vec<BatchItem>) -> Self {
        Self {
            kind,
            items: items
                .into_iter()
                .map(|item| (item, ItemState::Waiting))
                .collect(),
            cancelled: false,
        }
    }

    /// The next lead to send, now marked as sending; `None` when none waits.
    pub fn take_next(&mut self) -> Option<BatchItem> {
        let (item, state) = self
            .items
            .iter_mut()
            .find(|(_, state)| *state == ItemState::Waiting)?;
        *state = ItemState::Sending;
        Some(item.clone())
    }

    fn set(&mut self, id: &str, to: ItemState) {
        if let Some((_, state)) = self.items.iter_mut().find(|(item, _)| item.id == id) {
            *state = to;
        }
    }

    /// The lead's PATCH succeeded.
    pub fn updated(&mut self, id: &str) {
        self.set(id, ItemState::Updated);
    }

    /// The lead's PATCH failed for `reason`.
    pub fn failed(&mut self, id: &str, reason: String) {
        self.set(id, ItemState::Failed(reason));
    }

    /// The server asked to wait (`429`): the lead goes back in line, unless
    /// the batch was cancelled meanwhile.
    pub fn wait_again(&mut self, id: &str) {
        let state = if self.cancelled {
            ItemState::NotSent
        } else {
            ItemState::Waiting
        };
        self.set(id, state);
    }

    /// Cancel: nothing more is sent; requests in flight finish.
    pub fn cancel(&mut self) {
        self.cancelled = true;
        for (_, state) in &mut self.items {
            if *state == ItemState::Waiting {
                *state = ItemState::NotSent;
            }
        }
    }

    /// The number of leads in the batch.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True for a batch of no leads.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn count(&self, which: impl Fn(&ItemState) -> bool) -> usize {
        self.items.iter().filter(|(_, state)| which(state)).count()
    }

    /// Leads answered so far, either way: the progress.
    pub fn answered(&self) -> usize {
        self.count(|s| matches!(s, ItemState::Updated | ItemState::Failed(_)))
    }

    /// True while anything waits or is being sent.
    pub fn is_running(&self) -> bool {
        self.count(|s| matches!(s, ItemState::Waiting | ItemState::Sending)) > 0
    }

    /// "Updated 38 of 40 leads." (or "Restored …" for Undo), with what was
    /// cancelled before it was sent.
    pub fn summary(&self, i18n: I18n) -> String {
        let done = self.count(|s| *s == ItemState::Updated) as u64;
        let counted = match self.kind {
            BatchKind::Apply => msg::BULK_UPDATED,
            BatchKind::Undo => msg::BULK_RESTORED,
        };
        let mut text = i18n.count(counted, self.len() as u64, &[("done", &i18n.number(done))]);
        let not_sent = self.count(|s| *s == ItemState::NotSent) as u64;
        if not_sent > 0 {
            text.push(' ');
            text.push_str(&i18n.count(msg::BULK_NOT_SENT, not_sent, &[]));
        }
        text
    }

    /// The leads that failed, with why.
    pub fn failures(&self) -> Vec<(BatchItem, String)> {
        self.items
            .iter()
            .filter_map(|(item, state)| match state {
                ItemState::Failed(reason) => Some((item.clone(), reason.clone())),
                _ => None,
            })
            .collect()
    }

    /// The same change again, for the leads that failed ("Retry failed").
    pub fn retry(&self) -> Option<Batch> {
        let items: Vec<BatchItem> = self.failures().into_iter().map(|(item, _)| item).collect();
        (!items.is_empty()).then(|| Batch::new(self.kind, items))
    }

    /// Each updated lead back to its status before ("Undo"); leads whose
    /// status before is not known, or was already this one, are left alone.
    pub fn undo(&self) -> Option<Batch> {
        let items: Vec<BatchItem> = self
            .items
            .iter()
            .filter(|(_, state)| *state == ItemState::Updated)
            .filter_map(|(item, _)| {
                let before = item.from.filter(|before| *before != item.to)?;
                Some(BatchItem {
                    id: item.id.clone(),
                    name: item.name.clone(),
                    from: Some(item.to),
                    to: before,
                })
            })
            .collect();
        (!items.is_empty()).then(|| Batch::new(BatchKind::Undo, items))
    }
}

/// Sends `batch`'s leads, [`MAX_IN_FLIGHT`] at a time, keeping `batch` up
/// to date; `on_updated` hears of each lead saved, with the server's reply.
/// The state is an `ArcRwSignal` and `alive` is checked before every step,
/// so a batch whose page has gone (a sign-in refused, the console removed)
/// stops without touching anything disposed.
pub fn run(
    batch: ArcRwSignal<Option<Batch>>,
    session: Session,
    alive: Mounted,
    on_updated: impl Fn(&BatchItem, PartialLead) + Clone + 'static,
) {
    let client = session.client_untracked();
    let resume_at = Rc::new(Cell::new(0.0));
    for _ in 0..MAX_IN_FLIGHT {
        let worker = Worker {
            batch: batch.clone(),
            session,
            client: client.clone(),
            alive: alive.clone(),
            resume_at: Rc::clone(&resume_at),
        };
        let on_updated = on_updated.clone();
        leptos::task::spawn_local(async move { worker.work(on_updated).await });
    }
}

/// One of the batch's senders: takes the next waiting lead until none is
/// left.
struct Worker {
    batch: ArcRwSignal<Option<Batch>>,
    session: Session,
    client: ApiClient,
    alive: Mounted,
    /// When sending may resume after a `429` (`Date.now()` milliseconds).
    resume_at: Rc<Cell<f64>>,
}

impl Worker {
    async fn work(self, on_updated: impl Fn(&BatchItem, PartialLead)) {
        loop {
            let wait = self.resume_at.get() - js_sys::Date::now();
            if wait > 0.0 {
                sleep(Duration::from_millis(wait.ceil() as u64)).await;
                continue;
            }
            if !self.alive.get() {
                return;
            }
            let Some(item) = self.batch.write().as_mut().and_then(Batch::take_next) else {
                return;
            };
            let patch = LeadPatch::status(item.to);
            let result = self.client.update_lead(&item.id, &patch).await;
            if !self.alive.get() {
                return;
            }
            match self.session.checked(result) {
                Ok(reply) => {
                    on_updated(&item, reply);
                    self.update(|batch| batch.updated(&item.id));
                }
                Err(err) => match err.pause() {
                    Some(pause) => {
                        self.resume_at
                            .set(js_sys::Date::now() + millis(pause) as f64);
                        self.update(|batch| batch.wait_again(&item.id));
                    }
                    None => {
                        let reason = err.message(self.session.i18n());
                        self.update(|batch| batch.failed(&item.id, reason));
                    }
                },
            }
        }
    }

    fn update(&self, change: impl FnOnce(&mut Batch)) {
        if let Some(batch) = self.batch.write().as_mut() {
            change(batch);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LeadStatus::*;

    /// `batch`'s summary as an English console words it.
    fn summary(batch: &Batch) -> String {
        crate::i18n::in_english(|i18n| batch.summary(i18n))
    }

    fn item(id: &str, from: Option<LeadStatus>, to: LeadStatus) -> BatchItem {
        BatchItem {
            id: id.to_owned(),
            name: format!("Lead {id}"),
            from,
            to,
        }
    }

    #[test]
    fn leads_go_out_in_order_and_the_outcome_counts_each_kind() {
        let mut batch = Batch::new(
            BatchKind::Apply,
            vec![
                item("a", Some(New), Contacted),
                item("b", Some(New), Contacted),
                item("c", None, Contacted),
            ],
        );
        assert_eq!(batch.take_next().map(|i| i.id), Some("a".to_owned()));
        assert_eq!(batch.take_next().map(|i| i.id), Some("b".to_owned()));
        batch.updated("a");
        batch.failed("b", "The server had a problem.".to_owned());
        assert!(batch.is_running(), "c still waits");
        assert_eq!(batch.answered(), 2);
        assert_eq!(batch.take_next().map(|i| i.id), Some("c".to_owned()));
        assert_eq!(batch.take_next(), None, "nothing else waits");
        batch.updated("c");
        assert!(!batch.is_running());
        assert_eq!(summary(&batch), "Updated 2 of 3 leads.");
        assert_eq!(
            batch.failures(),
            vec![(
                item("b", Some(New), Contacted),
                "The server had a problem.".to_owned()
            )]
        );
        let retry = batch.retry().expect("one to retry");
        assert_eq!(retry.len(), 1);
    }

    #[test]
    fn cancel_stops_what_waits_and_the_summary_says_so() {
        let mut batch = Batch::new(
            BatchKind::Apply,
            (0..6)
                .map(|n| item(&n.to_string(), Some(New), Qualified))
                .collect(),
        );
        batch.take_next();
        batch.take_next();
        batch.cancel();
        assert!(batch.is_running(), "two are still in flight");
        assert_eq!(batch.take_next(), None, "nothing more is sent");
        batch.updated("0");
        batch.wait_again("1");
        assert!(!batch.is_running());
        assert_eq!(
            summary(&batch),
            "Updated 1 of 6 leads. Cancelled: 5 not sent; those already sent stay changed."
        );
    }

    #[test]
    fn a_rate_limited_lead_waits_its_turn_again() {
        let mut batch = Batch::new(BatchKind::Apply, vec![item("a", Some(New), Converted)]);
        batch.take_next();
        batch.wait_again("a");
        assert_eq!(batch.take_next().map(|i| i.id), Some("a".to_owned()));
    }

    #[test]
    fn undo_sends_each_updated_lead_back_and_skips_the_unknown_and_unchanged() {
        let mut batch = Batch::new(
            BatchKind::Apply,
            vec![
                item("a", Some(New), Converted),
                item("b", None, Converted),
                item("c", Some(Converted), Converted),
                item("d", Some(Qualified), Converted),
            ],
        );
        while let Some(next) = batch.take_next() {
            if next.id == "d" {
                batch.failed("d", "no".to_owned());
            } else {
                batch.updated(&next.id);
            }
        }
        let undo = batch.undo().expect("a to restore");
        assert_eq!(undo.kind, BatchKind::Undo);
        let mut undo = undo;
        assert_eq!(undo.take_next(), Some(item("a", Some(Converted), New)));
        assert_eq!(undo.take_next(), None);
        undo.updated("a");
        assert_eq!(summary(&undo), "Restored 1 of 1 lead.");
    }
}
