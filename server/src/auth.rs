//! Bearer-key check for `/v1`, applied before routing so that a missing key
//! is reported before anything else.

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leads_core::ErrorType;

use crate::app::AppState;
use crate::error::AppError;

/// Lets a request through when no key is configured or the right one is sent.
pub async fn require_key(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(expected) = state.api_key.as_deref() else {
        return next.run(request).await;
    };
    let sent = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(bearer_token);
    if sent.is_some_and(|key| constant_time_eq(key.as_bytes(), expected.as_bytes())) {
        return next.run(request).await;
    }
    let message = if sent.is_some() {
        "The API key was rejected. Check the key and try again."
    } else {
        "This API needs a key: send Authorization: Bearer <key>."
    };
    AppError::new(ErrorType::Unauthorized, message).into_response()
}

/// The token of an `Authorization: Bearer <token>` value; the scheme word is
/// matched case-insensitively.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Compares without stopping at the first difference, so response timing
/// does not reveal how much of a guessed key was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bEaReR   abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
    }

    #[test]
    fn keys_compare_exactly() {
        assert!(constant_time_eq(b"k1", b"k1"));
        assert!(!constant_time_eq(b"k1", b"k2"));
        assert!(!constant_time_eq(b"k1", b"k12"));
    }
}
