//! `/v1/leads` and `/v1/leads/{id}` with a synced copy (`--mirror`): reads
//! from the copy, with its freshness in the headers; creates and updates
//! to the vendor first, then into the copy, and answered with the whole
//! lead as the copy holds it (the vendor's short answer merged over what
//! was known, never blanking a field it left out). Until the copy is
//! complete once, lists and leads are the vendor's own answers.

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use leads_core::{ErrorType, LeadPatch, NewLead, PartialLead};

use super::body::limited_bytes;
use super::lead_id::LeadId;
use crate::error::AppError;
use crate::mirror::Mirror;
use crate::state::AppState;
use crate::store::copy::{normalised, placeholder, Incoming};
use crate::upstream::Reply;
use crate::writes::Writes;

/// The routes of the copy; its writes carry what every write does.
pub fn routes(mirror: Mirror, writes: &Writes) -> Router<AppState> {
    Router::new()
        .route("/leads", get(list).merge(writes.create(post(create))))
        .route(
            "/leads/{id}",
            get(get_one).merge(writes.update(patch(update))),
        )
        .with_state(mirror)
}

async fn list(
    State(mirror): State<Mirror>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let record = mirror.record().await;
    if record.walked_at.is_none() {
        // Until the copy is complete it cannot search, and the vendor cannot.
        if let Some(param) = super::search_param(raw.as_deref().unwrap_or_default()) {
            return Err(AppError::new(
                ErrorType::Unavailable,
                format!(
                    "Search and tags are not ready yet ({}): this server is still copying the \
                     vendor's leads. Try again in a minute.",
                    param.as_str()
                ),
            ));
        }
        return mirror
            .upstream
            .forward(Method::GET, "/leads", raw, &headers, Body::empty())
            .await;
    }
    let page = super::leads::list(State(mirror.store.clone()), RawQuery(raw)).await?;
    Ok((mirror.answer_headers(&record), page).into_response())
}

async fn get_one(
    State(mirror): State<Mirror>,
    id: LeadId,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let id = id.known()?;
    let record = mirror.record().await;
    if record.walked_at.is_some() {
        if let Some(lead) = mirror.store.get(&id).await? {
            return Ok((mirror.answer_headers(&record), Json(lead)).into_response());
        }
    }
    // Not in the copy (yet): a lead made at the vendor a moment ago.
    mirror
        .upstream
        .forward(
            Method::GET,
            &format!("/leads/{id}"),
            None,
            &headers,
            Body::empty(),
        )
        .await
}

async fn create(
    State(mirror): State<Mirror>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let sent = limited_bytes(body).await?;
    let reply = send(&mirror, Method::POST, "/leads", &headers, sent.clone()).await?;
    let Some(answer) = accepted(&reply, StatusCode::CREATED, None) else {
        return Ok(reply.passed_on());
    };
    let id = answer.id.clone();
    let asked = leads_core::body::object(&sent)
        .ok()
        .and_then(|body| NewLead::from_body(&body).ok());
    let created_at = answer.created_at.clone();
    let guessed = asked.is_none() || created_at.is_none();
    let fallback = match asked {
        Some(new) => new.into_lead(
            id.clone(),
            created_at.as_deref().unwrap_or(&crate::time::now()),
        ),
        None => placeholder(&id),
    };
    let incoming = Incoming {
        lead: answer,
        fallback,
        guessed,
        delivery: None,
    };
    match into_copy(&mirror, incoming).await {
        Some(lead) => {
            let location = format!("/v1/leads/{id}");
            Ok((StatusCode::CREATED, [(LOCATION, location)], Json(lead)).into_response())
        }
        None => Ok(reply.passed_on()),
    }
}

async fn update(
    State(mirror): State<Mirror>,
    id: LeadId,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let sent = limited_bytes(body).await?;
    let id = id.known()?;
    let path = format!("/leads/{id}");
    let reply = send(&mirror, Method::PATCH, &path, &headers, sent.clone()).await?;
    let Some(answer) = accepted(&reply, StatusCode::OK, Some(&id)) else {
        return Ok(reply.passed_on());
    };
    // A lead the copy does not hold yet: the vendor's answer as it is, and
    // the next pass brings the whole lead (nothing here is made up).
    if !matches!(mirror.store.get(&id).await, Ok(Some(_))) {
        return Ok(reply.passed_on());
    }
    // What the request set, then what the vendor said over it.
    let mut lead = leads_core::body::object(&sent)
        .ok()
        .and_then(|body| LeadPatch::from_body(&body).ok())
        .map_or_else(
            || PartialLead {
                id: id.clone(),
                ..PartialLead::default()
            },
            |patch| patch.changes(&id),
        );
    lead.merge(answer);
    let incoming = Incoming {
        lead,
        // Only if the sync took the lead away meanwhile, which it never
        // does: then whatever the vendor lists next replaces it.
        fallback: placeholder(&id),
        guessed: true,
        delivery: None,
    };
    match into_copy(&mirror, incoming).await {
        Some(lead) => Ok(Json(lead).into_response()),
        None => Ok(reply.passed_on()),
    }
}

/// Sends a write on to the vendor.
async fn send(
    mirror: &Mirror,
    method: Method,
    path: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Reply, AppError> {
    mirror
        .upstream
        .send(method, path, None, headers, body)
        .await
        .map_err(|err| mirror.upstream.failure(&err))
}

/// The lead in the vendor's answer, when it is the `status` a write that
/// was accepted gets, and names a lead (`id` when one is expected).
fn accepted(reply: &Reply, status: StatusCode, id: Option<&str>) -> Option<PartialLead> {
    if reply.status != status {
        return None;
    }
    let lead: PartialLead = serde_json::from_slice(&reply.body).ok()?;
    let named = leads_core::is_lead_id(&lead.id) && id.is_none_or(|id| id == lead.id);
    named.then(|| normalised(lead))
}

/// The lead as the copy holds it once `incoming` joined; `None` (and the
/// vendor's own answer goes back) when the copy could not take it, which
/// the next pass of the sync mends: the vendor accepted the write.
async fn into_copy(mirror: &Mirror, incoming: Incoming) -> Option<leads_core::Lead> {
    match mirror.store.absorb(incoming).await {
        Ok(absorbed) => absorbed.lead().cloned(),
        Err(err) => {
            tracing::error!("a write the vendor accepted could not join the copy (the sync will bring it): {err}");
            None
        }
    }
}
