//! `POST /webhooks/new_lead`: the vendor announces a captured lead. The
//! signature (HMAC-SHA256 over `"{timestamp}.{raw body}"`, compared in
//! constant time) and the timestamp's age are checked before the body is
//! even parsed; an event id seen before is acknowledged and ignored. With
//! the SQLite store the lead is stored under its own id; in proxy mode the
//! vendor already has it, so it is only announced.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hmac::{Hmac, Mac};
use leads_core::event::NewLeadEvent;
use leads_core::field::LeadField;
use leads_core::{ErrorType, FieldError, PartialLead};
use sha2::Sha256;

use crate::api::body::limited_bytes;
use crate::backend::LeadsBackend;
use crate::bus::{LeadEvent, LeadEvents};
use crate::error::AppError;

/// A delivery signed longer ago (or further ahead) than this is refused: a
/// captured request cannot be replayed later.
pub const MAX_SKEW_SECS: u64 = 300;

/// How many event ids are remembered. Vendors retry within minutes to
/// hours; ten thousand is far more than that many leads for one business,
/// and bounded whatever a sender does.
const REMEMBERED: usize = 10_000;

/// The webhook's secret: never logged or shown.
#[derive(Clone)]
pub struct Secret(Arc<[u8]>);

impl Secret {
    /// The secret from a file's text; trailing whitespace (a final newline)
    /// is not part of it. `None` when nothing is left.
    pub fn new(text: &str) -> Option<Secret> {
        let text = text.trim_end();
        (!text.is_empty()).then(|| Secret(Arc::from(text.as_bytes())))
    }

    /// The `X-Leads-Signature` value for `body` sent at `timestamp`.
    pub fn sign(&self, timestamp: &str, body: &[u8]) -> String {
        format!(
            "sha256={}",
            hex::encode(self.mac(timestamp, body).finalize().into_bytes())
        )
    }

    fn mac(&self, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// True when `signature` (`sha256=<hex>`) signs `body` at `timestamp`.
    fn verifies(&self, timestamp: &str, body: &[u8], signature: &str) -> bool {
        let Some(hex) = signature.trim().strip_prefix("sha256=") else {
            return false;
        };
        let Ok(bytes) = hex::decode(hex) else {
            return false;
        };
        self.mac(timestamp, body).verify_slice(&bytes).is_ok()
    }
}

/// What the webhook needs; cheap to clone.
#[derive(Clone)]
pub struct Webhook {
    secret: Secret,
    backend: LeadsBackend,
    events: LeadEvents,
    seen: Arc<Mutex<Seen>>,
}

/// Event ids already taken, oldest first out.
#[derive(Default)]
struct Seen {
    ids: HashSet<String>,
    order: VecDeque<String>,
}

impl Seen {
    /// Claims `id`; `false` when it was claimed before.
    fn claim(&mut self, id: &str) -> bool {
        if !self.ids.insert(id.to_owned()) {
            return false;
        }
        self.order.push_back(id.to_owned());
        if self.order.len() > REMEMBERED {
            if let Some(oldest) = self.order.pop_front() {
                self.ids.remove(&oldest);
            }
        }
        true
    }

    /// Gives a claim back: its delivery failed, so a retry must count.
    fn release(&mut self, id: &str) {
        self.ids.remove(id);
        self.order.retain(|seen| seen != id);
    }
}

impl Webhook {
    pub fn new(secret: Secret, backend: LeadsBackend, events: LeadEvents) -> Self {
        Self {
            secret,
            backend,
            events,
            seen: Arc::default(),
        }
    }

    /// The secret, for the call simulator that signs with it.
    pub fn secret(&self) -> Secret {
        self.secret.clone()
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// `POST /webhooks/new_lead`.
pub async fn new_lead(
    State(webhook): State<Webhook>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let body = limited_bytes(body).await?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(timestamp), Some(signature)) =
        (header("x-leads-timestamp"), header("x-leads-signature"))
    else {
        return Err(unsigned(
            "The delivery is not signed: send X-Leads-Timestamp and X-Leads-Signature.",
        ));
    };
    let sent: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| unsigned("X-Leads-Timestamp must be the time in Unix seconds."))?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if now.abs_diff(sent) > MAX_SKEW_SECS {
        return Err(unsigned(
            "The delivery's timestamp is more than 300 seconds from the server's clock; \
             check both clocks, then send it again.",
        ));
    }
    if !webhook.secret.verifies(timestamp.trim(), &body, signature) {
        return Err(unsigned(
            "The signature does not match the body: check the webhook secret.",
        ));
    }
    let event = NewLeadEvent::from_body(&leads_core::body::object(&body)?)?;
    let event_id = event.event_id.clone();
    if !webhook.seen().claim(&event_id) {
        return Ok(received(StatusCode::OK, &event_id, "duplicate"));
    }
    match take(&webhook, event).await {
        Ok(outcome) => Ok(outcome),
        Err(err) => {
            webhook.seen().release(&event_id);
            Err(err)
        }
    }
}

/// Stores (with the SQLite store) and announces a new event's lead.
async fn take(webhook: &Webhook, mut event: NewLeadEvent) -> Result<Response, AppError> {
    let event_id = event.event_id.clone();
    for (name, slot) in [
        (LeadField::CreatedAt.as_str(), &mut event.lead.created_at),
        (LeadField::UpdatedAt.as_str(), &mut event.lead.updated_at),
    ] {
        if let Some(text) = slot.take() {
            *slot = Some(crate::time::normalise(&text).ok_or_else(|| {
                FieldError::new(
                    format!("data.{name}"),
                    format!("data.{name} must be an RFC 3339 time, e.g. 2025-03-20T10:00:00Z"),
                )
            })?);
        }
    }
    let lead = event.into_lead(&crate::time::now());
    if let LeadsBackend::Store(store) = &webhook.backend {
        if !store.adopt(lead.clone()).await? {
            tracing::info!(event = %event_id, lead = %lead.id, "webhook lead already stored");
            return Ok(received(StatusCode::OK, &event_id, "lead_exists"));
        }
    }
    tracing::info!(event = %event_id, lead = %lead.id, "webhook lead received");
    webhook
        .events
        .announce(LeadEvent::Created(PartialLead::from(lead)));
    Ok(received(StatusCode::ACCEPTED, &event_id, "accepted"))
}

/// The acknowledgement: which event, and what became of it.
fn received(status: StatusCode, event_id: &str, outcome: &str) -> Response {
    let body = serde_json::json!({ "id": event_id, "outcome": outcome });
    (status, Json(body)).into_response()
}

/// What answers the webhook's path when no secret is configured.
pub async fn disabled() -> AppError {
    AppError::not_found(
        "The new_lead webhook is not enabled on this server: start it with --webhook-secret-file.",
    )
}

fn unsigned(message: &str) -> AppError {
    AppError::new(ErrorType::Unauthorized, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_its_own_timestamp_body_and_secret() {
        let secret = Secret::new("s3cret\n").unwrap();
        let signature = secret.sign("1700000000", b"{}");
        assert!(secret.verifies("1700000000", b"{}", &signature));
        assert!(!secret.verifies("1700000001", b"{}", &signature));
        assert!(!secret.verifies("1700000000", b"{ }", &signature));
        let other = Secret::new("s3cret2").unwrap();
        assert!(!other.verifies("1700000000", b"{}", &signature));
        assert!(!secret.verifies("1700000000", b"{}", signature.trim_start_matches("sha256=")));
        assert!(!secret.verifies("1700000000", b"{}", "sha256=zz"));
        assert!(Secret::new(" \n").is_none());
    }

    #[test]
    fn event_ids_are_remembered_within_a_bound() {
        let mut seen = Seen::default();
        assert!(seen.claim("a"));
        assert!(!seen.claim("a"));
        seen.release("a");
        assert!(seen.claim("a"));
        for n in 0..REMEMBERED {
            seen.claim(&n.to_string());
        }
        assert_eq!(seen.ids.len(), REMEMBERED);
        assert!(seen.claim("a"), "the oldest was forgotten");
    }
}
