//! "A lead was created" and "a lead was updated", announced from one place:
//! a layer around whatever answers `/v1/leads…`, which reads the successful
//! replies. The SQLite handlers know nothing of it, and a second way to
//! answer (forwarding to the vendor's API) is announced the same way.
//!
//! One process holds the subscribers, so one server instance is the limit
//! for anyone listening here.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use leads_core::limits::MAX_BODY_BYTES;
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

/// The layer: a successful `POST /leads` or `PATCH /leads/{id}` (paths as
/// seen inside `/v1`) is announced with the lead from its reply.
pub async fn announce_writes(
    State(events): State<LeadEvents>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let created = method == Method::POST && path == "/leads";
    let updated = method == Method::PATCH && path.starts_with("/leads/");
    let response = next.run(request).await;
    let wanted = match response.status() {
        StatusCode::CREATED | StatusCode::OK => created || updated,
        _ => false,
    };
    if !wanted {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::warn!(%err, "a lead reply could not be read for its event");
            Bytes::new()
        }
    };
    if let Ok(lead) = serde_json::from_slice::<PartialLead>(&bytes) {
        events.announce(if created {
            LeadEvent::Created(lead)
        } else {
            LeadEvent::Updated(lead)
        });
    }
    Response::from_parts(parts, Body::from(bytes))
}
