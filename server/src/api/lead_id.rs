//! The `{id}` of `/v1/leads/{id}`, for both backends: one that cannot be a
//! lead's id ([`leads_core::is_lead_id`]) is a `404` before any store or
//! upstream sees it, and is neither echoed nor logged.

use std::convert::Infallible;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use leads_core::is_lead_id;

use crate::error::AppError;

/// The id in the path. One that is not UTF-8 after decoding, or not a lead
/// id's shape, names no lead: it is kept as `None` and answered `404` in the
/// contract's order (after the body's checks), instead of axum's plain-text
/// `400`.
pub struct LeadId(Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for LeadId {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        let id = Path::<String>::from_request_parts(parts, state).await.ok();
        Ok(LeadId(id.map(|Path(id)| id).filter(|id| is_lead_id(id))))
    }
}

impl LeadId {
    /// The id, or the `404` for an id no lead can have.
    pub fn known(self) -> Result<String, AppError> {
        self.0.ok_or_else(|| no_such_lead(None))
    }
}

/// The `404` for a lead id that is not there.
pub fn no_such_lead(id: Option<&str>) -> AppError {
    AppError::not_found(match id {
        Some(id) => format!("No lead has the id {id}. It may have been mistyped."),
        None => "No lead has that id. It may have been mistyped.".to_owned(),
    })
}
