//! The leads chosen for a bulk change. The selection outlives the view: it
//! survives paging and filter changes until it is cleared, so it keeps what
//! a batch needs of each lead (its name, for the outcome, and its status,
//! for Undo) even when the lead is not on screen.

use leads_core::{LeadStatus, PartialLead};
use leptos::prelude::*;

use crate::ui::display::MISSING;

/// One chosen lead, as last seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Chosen {
    pub id: String,
    pub name: String,
    pub status: Option<LeadStatus>,
}

impl Chosen {
    fn of(lead: &PartialLead) -> Self {
        Self {
            id: lead.id.clone(),
            name: lead.name.clone().unwrap_or_else(|| MISSING.to_owned()),
            status: lead.status,
        }
    }
}

/// The selection, shared through context by the leads page.
#[derive(Clone, Copy)]
pub struct Selection {
    /// In the order chosen, so a batch goes through them as picked.
    chosen: RwSignal<Vec<Chosen>>,
}

impl Default for Selection {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether the leads of a page are chosen: all, some or none of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageChoice {
    All,
    Some,
    None,
}

impl Selection {
    /// Nothing chosen.
    pub fn new() -> Self {
        Self {
            chosen: RwSignal::new(Vec::new()),
        }
    }

    /// True when `id` is chosen (tracked).
    pub fn contains(&self, id: &str) -> bool {
        self.chosen.with(|chosen| chosen.iter().any(|c| c.id == id))
    }

    /// How many leads are chosen, on screen or not (tracked).
    pub fn len(&self) -> usize {
        self.chosen.with(Vec::len)
    }

    /// True when nothing is chosen (tracked).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The chosen leads, as last seen (untracked: for starting a batch).
    pub fn chosen_untracked(&self) -> Vec<Chosen> {
        self.chosen.get_untracked()
    }

    /// Chooses `lead`, or lets it go.
    pub fn set(&self, lead: &PartialLead, on: bool) {
        self.chosen.update(|chosen| {
            let at = chosen.iter().position(|c| c.id == lead.id);
            match (at, on) {
                (None, true) => chosen.push(Chosen::of(lead)),
                (Some(at), false) => {
                    chosen.remove(at);
                }
                _ => {}
            }
        });
    }

    /// Chooses `lead` if it was not chosen, else lets it go.
    pub fn toggle(&self, lead: &PartialLead) {
        let chosen = self
            .chosen
            .with_untracked(|chosen| chosen.iter().any(|c| c.id == lead.id));
        self.set(lead, !chosen);
    }

    /// Chooses every lead of a page, or lets them all go.
    pub fn set_all(&self, leads: &[PartialLead], on: bool) {
        self.chosen.update(|chosen| {
            if on {
                for lead in leads {
                    if !chosen.iter().any(|c| c.id == lead.id) {
                        chosen.push(Chosen::of(lead));
                    }
                }
            } else {
                chosen.retain(|c| !leads.iter().any(|l| l.id == c.id));
            }
        });
    }

    /// How many of `leads` are chosen (tracked).
    pub fn page_choice(&self, leads: &[PartialLead]) -> PageChoice {
        let picked = self.chosen.with(|chosen| {
            leads
                .iter()
                .filter(|l| chosen.iter().any(|c| c.id == l.id))
                .count()
        });
        match picked {
            0 => PageChoice::None,
            n if n == leads.len() => PageChoice::All,
            _ => PageChoice::Some,
        }
    }

    /// Learns the names and statuses of chosen leads from what was loaded
    /// or saved, so a batch and its Undo start from what the lead is now.
    /// Changes nothing (and notifies no one) when nothing differs.
    pub fn refresh(&self, leads: &[PartialLead]) {
        let stale = self.chosen.with_untracked(|chosen| {
            chosen
                .iter()
                .any(|c| leads.iter().any(|l| l.id == c.id && Chosen::of(l) != *c))
        });
        if stale {
            self.chosen.update(|chosen| {
                for c in chosen.iter_mut() {
                    if let Some(lead) = leads.iter().find(|l| l.id == c.id) {
                        *c = Chosen::of(lead);
                    }
                }
            });
        }
    }

    /// Lets every lead go.
    pub fn clear(&self) {
        self.chosen.update(Vec::clear);
    }
}
