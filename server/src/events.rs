//! "A lead was created" and "a lead was updated", announced from one place:
//! the [`crate::writes`] layer around whatever answers `/v1/leads…`, which
//! reads the successful replies. The SQLite handlers know nothing of it,
//! and forwarding to the vendor's API is announced the same way.
//!
//! One process holds the subscribers, so one server instance is the limit
//! for anyone listening here.

use leads_core::PartialLead;
use tokio::sync::broadcast;

/// How many events a slow subscriber may fall behind before it misses some
/// (and is told so by `broadcast`'s `Lagged`).
const BACKLOG: usize = 256;

/// Something that happened to a lead through this server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeadEvent {
    /// A create succeeded; the lead as the reply gave it.
    Created(PartialLead),
    /// An update succeeded; the lead as the reply gave it (the vendor's
    /// replies may leave fields out).
    Updated(PartialLead),
}

impl LeadEvent {
    /// The event's name on the wire, e.g. `lead.created`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Created(_) => "lead.created",
            Self::Updated(_) => "lead.updated",
        }
    }

    /// The lead it is about.
    pub fn lead(&self) -> &PartialLead {
        match self {
            Self::Created(lead) | Self::Updated(lead) => lead,
        }
    }
}

/// Where lead events are announced and heard; cheap to clone.
#[derive(Clone)]
pub struct LeadEvents {
    sender: broadcast::Sender<LeadEvent>,
}

impl Default for LeadEvents {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(BACKLOG).0,
        }
    }
}

impl LeadEvents {
    /// Every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<LeadEvent> {
        self.sender.subscribe()
    }

    /// Logs the event and hands it to every subscriber; nobody listening
    /// is fine.
    pub fn announce(&self, event: LeadEvent) {
        tracing::info!(event = event.name(), id = %event.lead().id, "lead event");
        let _ = self.sender.send(event);
    }
}
