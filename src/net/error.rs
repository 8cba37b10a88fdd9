//! Why a request did not give the console what it asked for, and how each
//! failure reads to a person: what happened and what to do.

use std::time::Duration;

use leads_core::{ApiErrorBody, ErrorType, Field};

use crate::i18n::{msg, I18n, Msg, ENGLISH};
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
        kind: ErrorType,
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
    /// A lead id that cannot be a path segment, so nothing was sent.
    UnusableId(String),
}

impl RequestError {
    /// A sentence for the person at the screen, in the console's
    /// language: what happened, what to do. The API words its own
    /// messages in English, and an English console shows them as they
    /// are (they say the most); another language says what kind of
    /// refusal it was.
    pub fn message(&self, i18n: I18n) -> String {
        let status = |msg, status: &u16| i18n.fill(msg, &[("status", &status.to_string())]);
        match self {
            Self::Unauthorized => i18n.t(msg::ERROR_KEY_REJECTED),
            Self::SignInRefused => i18n.t(msg::ERROR_SIGN_IN_REFUSED),
            Self::Api { message, .. } if i18n.lang() == ENGLISH => message.clone(),
            Self::Api { kind, field, .. } => match api_message(*kind, field.is_some()) {
                Ok(msg) => i18n.t(msg),
                Err(msg) => status(msg, &kind.status()),
            },
            Self::Http { status: code } if *code >= 500 => status(msg::ERROR_SERVER_PROBLEM, code),
            Self::Http { status: code } => status(msg::ERROR_SERVER_REFUSED, code),
            Self::Network => i18n.t(msg::ERROR_NETWORK),
            Self::Unreadable => i18n.t(msg::ERROR_UNREADABLE),
            Self::TooLarge => i18n.fill(
                msg::ERROR_TOO_LARGE,
                &[(
                    "size",
                    &i18n.number((MAX_ANSWER_BYTES / (1024 * 1024)) as u64),
                )],
            ),
            Self::Timeout => i18n.fill(
                msg::ERROR_TIMEOUT,
                &[("seconds", &i18n.number(REQUEST_TIMEOUT.as_secs()))],
            ),
            Self::RateLimited {
                retry_after: Some(seconds),
            } => i18n.count(msg::ERROR_RATE_LIMITED_IN, u64::from(*seconds), &[]),
            Self::RateLimited { retry_after: None } => i18n.t(msg::ERROR_RATE_LIMITED),
            Self::Superseded => i18n.t(msg::ERROR_SUPERSEDED),
            Self::UnusableId(id) => i18n.fill(msg::ERROR_UNUSABLE_ID, &[("id", id)]),
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

/// The message for an API error of `kind` (about a field of the lead or
/// not); `Err` for one that says its HTTP status.
fn api_message(kind: ErrorType, about_a_field: bool) -> Result<Msg, Msg> {
    match kind {
        ErrorType::InvalidRequest if about_a_field => Ok(msg::ERROR_API_INVALID_FIELD),
        ErrorType::InvalidRequest => Ok(msg::ERROR_API_INVALID),
        ErrorType::Unauthorized => Ok(msg::ERROR_KEY_REJECTED),
        ErrorType::NotFound => Ok(msg::ERROR_API_NOT_FOUND),
        ErrorType::RateLimited => Ok(msg::ERROR_RATE_LIMITED),
        ErrorType::IdempotencyConflict => Ok(msg::ERROR_API_CONFLICT),
        ErrorType::Unavailable => Ok(msg::ERROR_API_UNAVAILABLE),
        ErrorType::Internal | ErrorType::BadGateway | ErrorType::GatewayTimeout => {
            Err(msg::ERROR_SERVER_PROBLEM)
        }
        ErrorType::MethodNotAllowed
        | ErrorType::PayloadTooLarge
        | ErrorType::UnsupportedMediaType
        | ErrorType::RequestTimeout
        | ErrorType::UriTooLong
        | ErrorType::HeadersTooLarge => Err(msg::ERROR_SERVER_REFUSED),
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
            kind: error.kind,
            field: error.field(),
            message: error.message,
        },
        None => RequestError::Http { status },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::in_english;

    /// `err` as an English console words it.
    fn said(err: &RequestError) -> String {
        in_english(|i18n| err.message(i18n))
    }

    #[test]
    fn api_error_body_keeps_message_and_param() {
        let err = error_from_response(
            400,
            r#"{"error":{"type":"invalid_request","message":"phone must be in E.164 format, e.g. +15551234567","param":"phone"}}"#,
        );
        assert_eq!(err.field(), Some(Field::Phone));
        assert_eq!(
            said(&err),
            "phone must be in E.164 format, e.g. +15551234567"
        );
    }

    #[test]
    fn another_language_says_what_kind_of_refusal_it_was() {
        let german = |err: &RequestError| {
            in_english(|i18n| {
                let path = concat!(env!("CARGO_MANIFEST_DIR"), "/i18n/de.json");
                let text = std::fs::read_to_string(path).expect("i18n/de.json");
                i18n.show("de", crate::i18n::Catalog::parse(&text));
                err.message(i18n)
            })
        };
        let body = |kind: &str, param: &str| {
            format!(r#"{{"error":{{"type":"{kind}","message":"in English","param":"{param}"}}}}"#)
        };
        let phone = error_from_response(400, &body("invalid_request", "phone"));
        assert_eq!(phone.field(), Some(Field::Phone));
        assert_eq!(
            german(&phone),
            "Der Server hat diesen Wert nicht angenommen. Prüfen Sie ihn und versuchen Sie es noch einmal."
        );
        assert_eq!(
            german(&error_from_response(404, &body("not_found", ""))),
            "Diesen Lead gibt es auf dem Server nicht mehr. Laden Sie die Liste neu, um die aktuellen Leads zu sehen."
        );
        assert_eq!(
            german(&error_from_response(502, &body("bad_gateway", ""))),
            "Auf dem Server ist ein Fehler aufgetreten (HTTP 502). Versuchen Sie es gleich noch einmal."
        );
        assert_eq!(
            said(&error_from_response(502, &body("bad_gateway", ""))),
            "in English"
        );
    }

    #[test]
    fn non_json_error_bodies_get_a_plain_sentence() {
        let err = error_from_response(502, "<html><body>502 Bad Gateway</body></html>");
        assert_eq!(err, RequestError::Http { status: 502 });
        assert!(said(&err).contains("Try again"));
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
            said(&RequestError::Unauthorized),
            "The API key was rejected."
        );
    }
}
