//! What follows every create and update, whatever answered it (the store
//! or the vendor's API): one audit line (when, who, which lead, which field
//! *names*, the outcome; never a value, since phones and emails are
//! personal data), and, for the vendor's answers, the lead event for anyone
//! listening (the store records its own, in the write's transaction).

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use leads_core::event::LeadUpdated;
use leads_core::limits::MAX_BODY_BYTES;
use leads_core::{is_lead_id, PartialLead};

use crate::api::body::limited_bytes;
use crate::auth::Who;
use crate::bus::LeadEvents;
use crate::event::LeadEvent;
use crate::idempotency::{self, Keys};

/// What every route that writes a lead carries, whatever answers it: the
/// routes mark themselves with [`Writes::create`] and [`Writes::update`].
#[derive(Clone)]
pub struct Writes {
    /// Where the vendor's answers are announced; `None` for the store.
    pub events: Option<LeadEvents>,
    pub keys: Keys,
}

impl Writes {
    /// `route` as the create: its `Idempotency-Key` honoured, then the
    /// create audited and announced.
    pub fn create<S>(&self, route: MethodRouter<S>) -> MethodRouter<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        route
            .layer(middleware::from_fn_with_state(
                (self.events.clone(), Write::Create),
                audit_and_announce,
            ))
            .layer(middleware::from_fn_with_state(
                self.keys.clone(),
                idempotency::honour,
            ))
    }

    /// `route` as an update of one lead: audited and announced.
    pub fn update<S>(&self, route: MethodRouter<S>) -> MethodRouter<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        route.layer(middleware::from_fn_with_state(
            (self.events.clone(), Write::Update),
            audit_and_announce,
        ))
    }
}

/// A write this layer looks after.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Write {
    Create,
    Update,
}

/// The layer, inside sign-in (so it knows who), around a route that
/// writes (paths as seen inside `/v1`).
async fn audit_and_announce(
    State((events, write)): State<(Option<LeadEvents>, Write)>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let who = request
        .extensions()
        .get::<Who>()
        .map_or_else(|| "unknown".to_owned(), |who| who.0.clone());
    let (parts, body) = request.into_parts();
    let body = match limited_bytes(body).await {
        Ok(body) => body,
        Err(err) => {
            let response = err.into_response();
            audit(write, &who, "-", &[], response.status());
            return response;
        }
    };
    let fields = field_names(&body);
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    let status = response.status();
    if !status.is_success() {
        // An id that no lead can have is someone probing: not logged.
        let lead = path
            .strip_prefix("/leads/")
            .filter(|id| is_lead_id(id))
            .unwrap_or("-");
        audit(write, &who, lead, &fields, status);
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .unwrap_or_else(|err| {
            tracing::warn!(%err, "a lead reply could not be read for its event");
            Bytes::new()
        });
    let lead = serde_json::from_slice::<PartialLead>(&bytes).ok();
    let id = lead.as_ref().map_or("-", |lead| lead.id.as_str());
    audit(write, &who, id, &fields, status);
    match (events, write, lead) {
        (Some(events), Write::Create, Some(lead)) => {
            events.announce(LeadEvent::Created(lead)).await;
        }
        // The vendor's API does not say what changed: the fields the
        // request set are the best knowledge.
        (Some(events), Write::Update, Some(lead)) if !fields.is_empty() => {
            events
                .announce(LeadEvent::Updated(LeadUpdated {
                    id: lead.id.clone(),
                    fields,
                    lead,
                }))
                .await;
        }
        _ => {}
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The top-level field names of a JSON body; none for a body that is not
/// a JSON object.
fn field_names(body: &[u8]) -> Vec<String> {
    match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body) {
        Ok(object) => object.keys().cloned().collect(),
        Err(_) => Vec::new(),
    }
}

/// One audit line; the field names comma-separated.
fn audit(write: Write, who: &str, lead: &str, fields: &[String], status: StatusCode) {
    let fields = fields.join(",");
    let action = match write {
        Write::Create => "create",
        Write::Update => "update",
    };
    tracing::info!(
        target: "audit",
        action,
        who,
        lead,
        fields,
        status = status.as_u16(),
        "audit"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_field_names_are_kept() {
        assert_eq!(
            field_names(br#"{"phone":"+15551234567","email":null}"#),
            ["phone", "email"]
        );
        assert!(field_names(b"not json").is_empty());
    }
}
