//! Handlers for `/v1/leads` and `/v1/leads/{id}` on the SQLite store:
//! decode, validate with `leads-core`, call the store, answer.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use leads_core::{ApiErrorBody, Lead, LeadPatch, ListQuery, NewLead, Page, PageMeta};

use super::body::json_object;
use super::lead_id::{no_such_lead, LeadId};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::Store;
use crate::writes::Writes;

/// `/leads` and `/leads/{id}` answered from the SQLite store.
pub fn routes(store: Store, writes: &Writes) -> Router<AppState> {
    Router::new()
        .route("/leads", get(list).merge(writes.create(post(create))))
        .route(
            "/leads/{id}",
            get(get_one).merge(writes.update(patch(update))),
        )
        .with_state(store)
}

/// `GET /v1/leads`.
#[utoipa::path(
    get,
    path = "/v1/leads",
    operation_id = "listLeads",
    tag = "leads",
    responses(
        (status = 200, description = "One page of leads, in the order asked for.", body = Page<Lead>),
        (status = 400, description = "A parameter is not one the contract accepts; `param` names it.", body = ApiErrorBody),
    )
)]
pub async fn list(
    State(store): State<Store>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Page<Lead>>, AppError> {
    let query = ListQuery::from_query_string(&raw.unwrap_or_default())?;
    let (data, total) = store.list(&query).await?;
    Ok(Json(Page {
        data,
        meta: PageMeta {
            page: query.page,
            limit: query.limit,
            total,
        },
    }))
}

/// `POST /v1/leads`.
#[utoipa::path(
    post,
    path = "/v1/leads",
    operation_id = "createLead",
    tag = "leads",
    request_body = NewLead,
    params(("Idempotency-Key" = Option<String>, Header, max_length = 255, pattern = "^[!-~]+$",
            description = "One per create the client means, the same on each retry of it: a repeat with the same body within 24 hours gets the first answer and makes no second lead.")),
    responses(
        (status = 201, description = "The lead as stored (or, for a repeated `Idempotency-Key`, the first answer again).", body = Lead,
         headers(("Location" = String, description = "The new lead's URL."))),
        (status = 400, description = "Malformed JSON, an unknown field, an invalid field, or an invalid `Idempotency-Key` (`param`).", body = ApiErrorBody),
        (status = 409, description = "The `Idempotency-Key` was used with another body, or its first request is still being answered.", body = ApiErrorBody),
    )
)]
pub async fn create(
    State(store): State<Store>,
    headers: HeaderMap,
    body: Body,
) -> Result<impl IntoResponse, AppError> {
    let body = json_object(&headers, body).await?;
    let new = NewLead::from_body(&body)?;
    let lead = store.create(new).await?;
    let location = format!("/v1/leads/{}", lead.id);
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(lead)))
}

/// `GET /v1/leads/{id}`.
#[utoipa::path(
    get,
    path = "/v1/leads/{id}",
    operation_id = "getLead",
    tag = "leads",
    params(("id" = String, Path, description = "The lead's id, e.g. `lead_001`.")),
    responses(
        (status = 200, description = "The lead.", body = Lead),
        (status = 404, description = "No lead has this id.", body = ApiErrorBody),
    )
)]
pub async fn get_one(State(store): State<Store>, id: LeadId) -> Result<Json<Lead>, AppError> {
    let id = id.known()?;
    store
        .get(&id)
        .await?
        .map(Json)
        .ok_or_else(|| no_such_lead(Some(&id)))
}

/// `PATCH /v1/leads/{id}`: validation comes before the id lookup, as the
/// contract orders errors.
#[utoipa::path(
    patch,
    path = "/v1/leads/{id}",
    operation_id = "updateLead",
    tag = "leads",
    params(("id" = String, Path, description = "The lead's id, e.g. `lead_001`.")),
    request_body = LeadPatch,
    responses(
        (status = 200, description = "The whole lead after the change.", body = Lead),
        (status = 400, description = "Malformed JSON, an empty object, an unknown field, or an invalid field (`param`).", body = ApiErrorBody),
        (status = 404, description = "No lead has this id.", body = ApiErrorBody),
    )
)]
pub async fn update(
    State(store): State<Store>,
    id: LeadId,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Lead>, AppError> {
    let body = json_object(&headers, body).await?;
    let patch = LeadPatch::from_body(&body)?;
    let id = id.known()?;
    let lead = store
        .update(&id, patch)
        .await?
        .ok_or_else(|| no_such_lead(Some(&id)))?;
    Ok(Json(lead))
}
