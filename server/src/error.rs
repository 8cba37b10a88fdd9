//! The one place where failures become HTTP responses with the contract's
//! error body.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use leads_core::{ApiError, ApiErrorBody, ErrorType, FieldError};

use crate::store::error::StoreError;

/// Anything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A failure the client caused or can act on, sent as it is.
    #[error("{}", .0.message)]
    Api(ApiError),
    /// Storage broke; the client learns only that the server failed.
    #[error("storage failed: {0}")]
    Storage(#[from] StoreError),
    /// A blocking task died.
    #[error("worker failed: {0}")]
    Worker(#[from] tokio::task::JoinError),
}

impl AppError {
    /// Shorthand for an error without `param`.
    pub fn new(kind: ErrorType, message: impl Into<String>) -> Self {
        Self::Api(ApiError::new(kind, message))
    }

    /// `404` for a route or lead that does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorType::NotFound, message)
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(err: rusqlite::Error) -> Self {
        Self::Storage(err.into())
    }
}

/// For start-up, which runs some of the requests' own work: storage's
/// failures as they were, anything else by its message.
impl From<AppError> for StoreError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::Storage(err) => err,
            other => StoreError::Request(other.to_string()),
        }
    }
}

impl From<ApiError> for AppError {
    fn from(err: ApiError) -> Self {
        Self::Api(err)
    }
}

impl From<FieldError> for AppError {
    fn from(err: FieldError) -> Self {
        Self::Api(err.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let error = match self {
            Self::Api(error) => error,
            other => {
                tracing::error!("{other}");
                ApiError::new(
                    ErrorType::Internal,
                    "The server could not complete the request. Try again in a moment.",
                )
            }
        };
        let kind = error.kind;
        let status =
            StatusCode::from_u16(kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(ApiErrorBody { error })).into_response();
        if kind == ErrorType::Unauthorized {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
