//! Why a request did not give the console what it asked for, and how each
//! failure reads to a person: what happened and what to do.

use std::time::Duration;

use leads_core::{ApiErrorBody, Field};

use crate::net::json;
use crate::net::{MAX_ANSWER_BYTES, REQUEST_TIMEOUT};

/// Why a request did not give the console what it asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// `401`: the key is missing or wrong.
    Unauthorized,
    /// `401` to the portal's own token, asked for afresh and refused again.
    SignInRefused,
    /// The API answered with its JSON error body.
    Api {
        message: String,
        field: Option<Field>,
    },
    /// An error status without the API's JSON body (a proxy's HTML page, say).
    Http { status: u16 },
    /// The request never got an answer.
    Network,
    /// No answer within [`REQUEST_TIMEOUT`].
    Timeout,
    /// `429`: too many requests; `retry_after` is the server's
    /// `Retry-After` in seconds, when it sent one.
    RateLimited { retry_after: Option<u32> },
    /// A success status with a body the console cannot read.
    Unreadable,
    /// An answer larger than [`MAX_ANSWER_BYTES`].
    TooLarge,
    /// The console cancelled the request because a newer one replaced it.
    Superseded,
}

impl RequestError {
    /// A sentence for the person at the screen: what happened, what to do.
    pub fn message(&self) -> String {
        match self {
            Self::Unauthorized => "The API key was rejected.".to_owned(),
            Self::SignInRefused => "The leads API did not accept your portal sign-in. Sign in \
                                    again in the portal, then press Retry."
                .to_owned(),
            Self::Api { message, .. } => message.clone(),
            Self::Http { status } if *status >= 500 => {
                format!("The server had a problem (HTTP {status}). Try again in a moment.")
            }
            Self::Http { status } => {
                format!("The server refused the request (HTTP {status}). Reload the page and try again.")
            }
            Self::Network => {
                "Could not reach the server. Check your connection and try again.".to_owned()
            }
            Self::Unreadable => {
                "The server sent an answer the console cannot read. Try again, or reload the page."
                    .to_owned()
            }
            Self::TooLarge => format!(
                "The server sent an answer far too large to be a page of leads (over {} MiB). \
                 Try again; if it keeps happening, tell whoever runs the server.",
                MAX_ANSWER_BYTES / (1024 * 1024)
            ),
            Self::Timeout => format!(
                "The server did not answer within {} seconds. Check your connection, then \
                 try again.",
                REQUEST_TIMEOUT.as_secs()
            ),
            Self::RateLimited {
                retry_after: Some(1),
            } => "Too many requests right now. Trying again in a second…".to_owned(),
            Self::RateLimited {
                retry_after: Some(seconds),
            } => format!("Too many requests right now. Trying again in {seconds} seconds…"),
            Self::RateLimited { retry_after: None } => {
                "Too many requests right now. Wait a moment, then try again.".to_owned()
            }
            Self::Superseded => "A newer request replaced this one.".to_owned(),
        }
    }

    /// How long work that goes on by itself (a bulk change, an export,
    /// the live stream) holds off after this error before it tries again:
    /// for a `429`, its `Retry-After`, or a second when it gave none; no
    /// other error is waited out.
    pub fn pause(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } => {
                Some(Duration::from_secs(u64::from(retry_after.unwrap_or(1))))
            }
            _ => None,
        }
    }

    /// When the server itself asked to be left alone for a while: how long.
    /// A failed view a person sees loads again by itself only then.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            Self::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// The body field an error is about, when the API named one.
    pub fn field(&self) -> Option<Field> {
        match self {
            Self::Api { field, .. } => *field,
            _ => None,
        }
    }
}

/// Classifies a failed response from its status and raw body.
///
/// ```
/// use leads_console::net::error::{error_from_response, RequestError};
/// assert_eq!(error_from_response(502, "<html>Bad gateway</html>"), RequestError::Http { status: 502 });
/// ```
pub fn error_from_response(status: u16, body: &str) -> RequestError {
    if status == 401 {
        return RequestError::Unauthorized;
    }
    match json::parse::<ApiErrorBody>(body) {
        Some(ApiErrorBody { error }) => RequestError::Api {
            field: error.field(),
            message: error.message,
        },
        None => RequestError::Http { status },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_body_keeps_message_and_param() {
        let err = error_from_response(
            400,
            r#"{"error":{"type":"invalid_request","message":"phone must be in E.164 format, e.g. +15551234567","param":"phone"}}"#,
        );
        assert_eq!(err.field(), Some(Field::Phone));
        assert_eq!(
            err.message(),
            "phone must be in E.164 format, e.g. +15551234567"
        );
    }

    #[test]
    fn non_json_error_bodies_get_a_plain_sentence() {
        let err = error_from_response(502, "<html><body>502 Bad Gateway</body></html>");
        assert_eq!(err, RequestError::Http { status: 502 });
        assert!(err.message().contains("Try again"));
        assert_eq!(
            error_from_response(503, ""),
            RequestError::Http { status: 503 }
        );
        assert_eq!(
            error_from_response(404, "{\"oops\":1}"),
            RequestError::Http { status: 404 }
        );
    }

    #[test]
    fn unauthorised_is_recognised_whatever_the_body() {
        assert_eq!(error_from_response(401, "nope"), RequestError::Unauthorized);
        assert_eq!(
            RequestError::Unauthorized.message(),
            "The API key was rejected."
        );
    }
}
