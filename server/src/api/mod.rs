//! The `/v1` API: routes, the key check, and the JSON error for anything that
//! matches no route or method.

pub mod body;
pub mod events;
pub mod lead_id;
pub mod leads;
pub mod mirror;
pub mod proxy;

use axum::{middleware, Router};
use leads_core::query::{decode_pairs, Param};
use leads_core::ErrorType;

use crate::error::AppError;
use crate::state::AppState;
use crate::{auth, rate_limit};

/// Everything under `/v1` around `leads`, the routes that answer
/// `/leads…` (the SQLite routes or the proxy's, as the app mounts them,
/// each write marked by its route: [`crate::writes::Writes`]). The rate limit
/// wraps them, and sign-in wraps all of it, the fallbacks too, so `401`
/// comes before `404` and `405`.
pub fn router(state: AppState, leads: Router<AppState>) -> Router<AppState> {
    let stream = Router::new()
        .route("/events", axum::routing::get(events::stream))
        .with_state(state.events.clone());
    let mut v1 = leads
        .merge(stream)
        .route("/openapi.json", axum::routing::get(crate::openapi::serve))
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed);
    if let Some(limit) = state.rate_limit.clone() {
        v1 = v1.layer(middleware::from_fn_with_state(limit, rate_limit::limit));
    }
    v1.layer(middleware::from_fn_with_state(
        state.sign_in.clone(),
        auth::require_sign_in,
    ))
}

/// The first search parameter (`q` or `tag`) a list's query names, for the
/// routes that pass lists to the vendor's API, which has neither.
fn search_param(query: &str) -> Option<Param> {
    decode_pairs(query).into_iter().find_map(|(key, _)| {
        Param::named(&key).filter(|param| matches!(param, Param::Q | Param::Tag))
    })
}

async fn unknown_route() -> AppError {
    AppError::not_found("There is no such API route. The leads API lives at /v1/leads.")
}

async fn method_not_allowed() -> AppError {
    AppError::new(
        ErrorType::MethodNotAllowed,
        "That method is not allowed here: /v1/leads takes GET and POST, /v1/leads/{id} takes GET and PATCH.",
    )
}
