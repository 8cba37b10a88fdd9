//! `/v1/leads` and `/v1/leads/{id}` in proxy mode: forwarded to the
//! vendor's API through [`Upstream`], whatever the method, so the vendor's
//! own `405`s pass through. Everything else under `/v1` (sign-in, the 404
//! for other paths, events, logging) is the same layers as on SQLite.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::{patch, post};
use axum::Router;

use leads_core::FieldError;

use super::lead_id::LeadId;
use crate::error::AppError;
use crate::state::AppState;
use crate::upstream::Upstream;
use crate::writes::Writes;

/// The routes that forward to `upstream`; its creates and updates carry
/// what every write does ([`Writes`]), its other methods go as they are.
pub fn routes(upstream: Upstream, writes: &Writes) -> Router<AppState> {
    Router::new()
        .route(
            "/leads",
            writes
                .create(post(forward_collection))
                .fallback(forward_collection),
        )
        .route(
            "/leads/{id}",
            writes.update(patch(forward_one)).fallback(forward_one),
        )
        .with_state(upstream)
}

async fn forward_collection(
    State(upstream): State<Upstream>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    if method == Method::GET {
        refuse_search(query.as_deref().unwrap_or_default())?;
    }
    upstream
        .forward(method, "/leads", query, &headers, body)
        .await
}

/// The vendor's API has no search or tag filter, and ignores parameters
/// it does not know: passed on, `q` would list every lead as if it matched.
/// `/config.json` tells consoles not to offer them here.
fn refuse_search(query: &str) -> Result<(), FieldError> {
    match super::search_param(query) {
        Some(param) => {
            let name = param.as_str();
            Err(FieldError::new(
                name,
                format!("{name} is not available: this server passes lists on to the vendor's API, which has no search or tag filter"),
            ))
        }
        None => Ok(()),
    }
}

async fn forward_one(
    State(upstream): State<Upstream>,
    id: LeadId,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    // Only an id of the strict shape goes on, so it is its own path segment.
    let id = id.known()?;
    upstream
        .forward(method, &format!("/leads/{id}"), query, &headers, body)
        .await
}
