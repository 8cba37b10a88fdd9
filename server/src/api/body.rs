//! Reading a JSON request body in the contract's order of checks: size
//! (`413`), content type (`415`), then syntax (`400`).

use axum::body::{Body, Bytes};
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;
use http_body_util::LengthLimitError;
use leads_core::body::JsonObject;
use leads_core::limits::MAX_BODY_BYTES;
use leads_core::ErrorType;

use crate::error::AppError;

/// The body as a JSON object, or the first error the contract names.
pub async fn json_object(headers: &HeaderMap, body: Body) -> Result<JsonObject, AppError> {
    let bytes = limited_bytes(body).await?;
    if !is_json(headers) {
        return Err(AppError::new(
            ErrorType::UnsupportedMediaType,
            "Send the body as JSON with Content-Type: application/json.",
        ));
    }
    Ok(leads_core::body::object(&bytes)?)
}

/// The whole body, or the contract's `413` once it passes the size limit
/// (without reading the rest).
pub async fn limited_bytes(body: Body) -> Result<Bytes, AppError> {
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|err| {
            let too_large = std::error::Error::source(&err)
                .is_some_and(|source| source.is::<LengthLimitError>())
                || err.to_string().contains("length limit");
            if crate::limits::is_too_slow(&err) {
                AppError::new(
                    ErrorType::RequestTimeout,
                    "The request body arrived too slowly. Check the connection and send it again.",
                )
            } else if too_large {
                AppError::new(
                    ErrorType::PayloadTooLarge,
                    format!(
                        "The request body is larger than {} KiB.",
                        MAX_BODY_BYTES / 1024
                    ),
                )
            } else {
                AppError::new(
                    ErrorType::InvalidRequest,
                    "The request body could not be read.",
                )
            }
        })
}

/// `application/json`, in any case, with or without parameters.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}
