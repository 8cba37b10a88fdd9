//! A bulk status change as the page runs it: the chosen leads made into a
//! batch, sent, its saved leads shown in their rows and learned by the
//! selection (for Undo), and the follow-ups a finished batch offers.

use leads_core::{LeadPatch, LeadStatus, PartialLead};
use leptos::prelude::*;

use crate::bulk::batch::{self, Batch, BatchItem, BatchKind};
use crate::bulk::selection::Selection;
use crate::edit::lead_edits::LeadEdits;
use crate::net::session::Session;
use crate::ui::mounted::Mounted;

/// The bulk change of one bar: the batch running or last run, if any.
#[derive(Clone)]
pub struct BulkChange {
    pub batch: ArcRwSignal<Option<Batch>>,
    selection: Selection,
    session: Session,
    edits: LeadEdits,
    /// False once the bar is gone: the batch stops sending.
    alive: Mounted,
}

impl BulkChange {
    pub fn new(selection: Selection, session: Session, edits: LeadEdits, alive: Mounted) -> Self {
        Self {
            batch: ArcRwSignal::new(None),
            selection,
            session,
            edits,
            alive,
        }
    }

    /// Gives every chosen lead the status `to`.
    pub fn apply(&self, to: LeadStatus) {
        let edits = self.edits;
        let items = self
            .selection
            .chosen_untracked()
            .into_iter()
            .map(|chosen| BatchItem {
                from: edits.saved_status(&chosen.id).or(chosen.status),
                id: chosen.id,
                name: chosen.name,
                to,
            })
            .collect();
        self.start(Batch::new(BatchKind::Apply, items));
    }

    /// Runs the batch `make` makes of the finished one (Retry failed, Undo).
    pub fn follow_up(&self, make: fn(&Batch) -> Option<Batch>) {
        if let Some(next) = self.batch.with_untracked(|b| b.as_ref().and_then(make)) {
            self.start(next);
        }
    }

    /// Stops sending; what was sent stays sent.
    pub fn cancel(&self) {
        self.batch.update(|b| b.iter_mut().for_each(Batch::cancel));
    }

    /// Forgets the selection and the last batch.
    pub fn clear(&self) {
        self.selection.clear();
        self.batch.set(None);
    }

    fn start(&self, next: Batch) {
        let (edits, selection) = (self.edits, self.selection);
        // A saved lead shows its new status in its row, marked as changed
        // here until the view reloads, and the selection learns it for Undo.
        let on_updated = move |item: &BatchItem, reply: PartialLead| {
            let known = PartialLead {
                id: item.id.clone(),
                name: Some(item.name.clone()),
                status: item.from,
                ..PartialLead::default()
            };
            edits.record(&known, &LeadPatch::status(item.to), reply);
            selection.refresh(&[PartialLead {
                status: Some(item.to),
                ..known
            }]);
        };
        self.batch.set(Some(next));
        batch::run(
            self.batch.clone(),
            self.session,
            self.alive.clone(),
            on_updated,
        );
    }
}
