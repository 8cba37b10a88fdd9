//! `POST /webhooks/new_lead`: the vendor announces a captured lead. The
//! signature (HMAC-SHA256 over `"{timestamp}.{raw body}"`, compared in
//! constant time) and the timestamp's age are checked before the body is
//! even parsed; an event id seen before (by any instance on the database)
//! is acknowledged and ignored. With the store the lead is stored under its
//! own id, and with a synced copy it joins the copy at once; in plain proxy
//! mode the vendor already has it, so it is only announced. Either way the delivery, the lead and its event are kept in
//! one transaction.

use std::sync::Arc;

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
use crate::bus::LeadEvents;
use crate::error::AppError;
use crate::event::LeadEvent;
use crate::store::copy::{Absorbed, Incoming};
use crate::store::Adopted;

/// A delivery signed longer ago (or further ahead) than this is refused: a
/// captured request cannot be replayed later.
pub const MAX_SKEW_SECS: u64 = 300;

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
}

impl Webhook {
    pub fn new(secret: Secret, backend: LeadsBackend, events: LeadEvents) -> Self {
        Self {
            secret,
            backend,
            events,
        }
    }

    /// The secret, for the call simulator that signs with it.
    pub fn secret(&self) -> Secret {
        self.secret.clone()
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
    take(&webhook, event).await
}

/// Stores (with the store) and announces a new delivery's lead.
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
    let said = event.lead.clone();
    let lead = event.into_lead(&crate::time::now());
    let id = lead.id.clone();
    let adopted = match &webhook.backend {
        LeadsBackend::Store(store) => store.adopt(lead, &event_id).await?,
        LeadsBackend::Mirror(mirror) => {
            let incoming = Incoming {
                guessed: said.created_at.is_none() && said.updated_at.is_none(),
                lead: said,
                fallback: lead,
                delivery: Some(event_id.clone()),
            };
            match mirror.store.absorb(incoming).await? {
                Absorbed::Created(_) => Adopted::Stored,
                Absorbed::Duplicate => Adopted::Duplicate,
                _ => Adopted::LeadExists,
            }
        }
        LeadsBackend::Upstream(_) => {
            let created = LeadEvent::Created(PartialLead::from(lead));
            match webhook.events.deliver(&event_id, created).await? {
                true => Adopted::Stored,
                false => Adopted::Duplicate,
            }
        }
    };
    match adopted {
        Adopted::Stored => {
            tracing::info!(event = %event_id, lead = %id, "webhook lead received");
            Ok(received(StatusCode::ACCEPTED, &event_id, "accepted"))
        }
        Adopted::Duplicate => Ok(received(StatusCode::OK, &event_id, "duplicate")),
        Adopted::LeadExists => {
            tracing::info!(event = %event_id, lead = %id, "webhook lead already stored");
            Ok(received(StatusCode::OK, &event_id, "lead_exists"))
        }
    }
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
}
