//! A lead event: what the server announces on `/v1/events`, as the store
//! and the proxy describe it, and as the event log keeps and numbers it.

use leads_core::event::{names, LeadUpdated};
use leads_core::PartialLead;

/// Something that happened to a lead through this server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeadEvent {
    /// A create (through the API or a webhook); the lead as the reply or
    /// the webhook gave it.
    Created(PartialLead),
    /// An update through the API: what changed, and the lead after.
    Updated(LeadUpdated),
}

impl LeadEvent {
    /// The event's name on the wire, e.g. `lead.created`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Created(_) => names::LEAD_CREATED,
            Self::Updated(_) => names::LEAD_UPDATED,
        }
    }

    /// The id of the lead it is about.
    pub fn lead_id(&self) -> &str {
        match self {
            Self::Created(lead) => &lead.id,
            Self::Updated(update) => &update.id,
        }
    }

    /// The event's `data:` line.
    pub fn data(&self) -> String {
        let json = match self {
            Self::Created(lead) => serde_json::to_string(lead),
            Self::Updated(update) => serde_json::to_string(update),
        };
        json.unwrap_or_else(|_| "{}".to_owned())
    }
}

/// One event as streams send it: numbered, its JSON written once for all.
#[derive(Debug)]
pub struct Numbered {
    pub id: u64,
    pub name: &'static str,
    pub data: String,
}

impl Numbered {
    /// An event as the log keeps it; `None` (logged) for a name this
    /// release does not know.
    pub fn read(id: i64, name: &str, data: String) -> Option<Numbered> {
        let known = [names::LEAD_CREATED, names::LEAD_UPDATED];
        let Some(name) = known.into_iter().find(|known| *known == name) else {
            tracing::warn!(id, name, "an event of a kind this release does not know");
            return None;
        };
        Some(Numbered {
            id: u64::try_from(id).ok()?,
            name,
            data,
        })
    }
}
