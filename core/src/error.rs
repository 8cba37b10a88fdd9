//! The API's error vocabulary: the JSON error body both sides speak, and the
//! field-level validation error that becomes a `400` with `param`.

use std::fmt::Display;

use serde::{Deserialize, Serialize};

use crate::field::Field;

/// One invalid field or query parameter, with a message meant for a person.
///
/// ```
/// let err = leads_core::validate::phone("555").unwrap_err();
/// assert_eq!(err.param, "phone");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    /// The field or query parameter at fault, exactly as named on the wire.
    pub param: String,
    /// What is wrong and how to fix it.
    pub message: String,
    /// The rule the value broke, for a client that says it in its own
    /// words (the console, in its language); never sent.
    pub rule: Rule,
}

/// Which of the lead rules a value broke.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Rule {
    /// Another problem: the message says which.
    #[default]
    Other,
    /// Empty where a value is needed.
    Required,
    /// Longer than `max` characters.
    TooLong { max: usize },
    /// Empty or longer than `max` characters.
    Length { max: usize },
    /// Not an E.164 phone number.
    Phone,
    /// Not an email address.
    Email,
    /// More than `max` items.
    TooMany { max: usize },
}

impl FieldError {
    /// Builds an error for `param` with a human message.
    pub fn new(param: impl Into<String>, message: impl Into<String>) -> Self {
        Self::broke(param, Rule::Other, message)
    }

    /// Builds an error for `param`, which broke `rule`, with a human message.
    pub fn broke(param: impl Into<String>, rule: Rule, message: impl Into<String>) -> Self {
        Self {
            param: param.into(),
            message: message.into(),
            rule,
        }
    }

    /// `param` must be one of `allowed`; the message lists them, so adding a
    /// value to an enum changes the message too.
    ///
    /// ```
    /// use leads_core::{FieldError, LeadStatus};
    /// let err = FieldError::one_of("status", LeadStatus::ALL);
    /// assert_eq!(err.message, "status must be one of new, contacted, qualified, converted");
    /// ```
    pub fn one_of<T: Display>(
        param: impl Into<String>,
        allowed: impl IntoIterator<Item = T>,
    ) -> Self {
        let param = param.into();
        let allowed: Vec<String> = allowed.into_iter().map(|v| v.to_string()).collect();
        let message = format!("{param} must be one of {}", allowed.join(", "));
        Self::new(param, message)
    }
}

impl ApiError {
    /// The body field the error is about, when it names one.
    pub fn field(&self) -> Option<Field> {
        self.param.as_deref()?.parse().ok()
    }
}

/// The `type` of an API error; each maps to exactly one HTTP status.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorType {
    InvalidRequest,
    Unauthorized,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
    RateLimited,
    Internal,
    /// Proxy mode: the upstream API could not be reached or answered badly.
    BadGateway,
    /// Proxy mode: the upstream API did not answer in time.
    GatewayTimeout,
    /// The client took too long to send its request body.
    RequestTimeout,
    /// Not yet possible here, such as a search while a synced copy is still
    /// being made.
    Unavailable,
    /// The URL is longer than the server reads.
    UriTooLong,
    /// The request's headers are larger than the server reads.
    HeadersTooLarge,
    /// An `Idempotency-Key` sent again with another body, or while its
    /// first request is still being answered.
    IdempotencyConflict,
}

impl ErrorType {
    /// The HTTP status code that carries this error type.
    pub fn status(self) -> u16 {
        match self {
            Self::InvalidRequest => 400,
            Self::Unauthorized => 401,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::RateLimited => 429,
            Self::Internal => 500,
            Self::BadGateway => 502,
            Self::GatewayTimeout => 504,
            Self::RequestTimeout => 408,
            Self::Unavailable => 503,
            Self::UriTooLong => 414,
            Self::HeadersTooLarge => 431,
            Self::IdempotencyConflict => 409,
        }
    }
}

/// The inside of an error body: `{"type", "message", "param"?}`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    #[serde(rename = "type")]
    pub kind: ErrorType,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
}

impl ApiError {
    /// An error without a `param`.
    pub fn new(kind: ErrorType, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            param: None,
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(err: FieldError) -> Self {
        Self {
            kind: ErrorType::InvalidRequest,
            message: err.message,
            param: Some(err.param),
        }
    }
}

/// The whole error body, `{"error": {...}}`, as sent on every failed request.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    pub error: ApiError,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_error_serialises_with_param() {
        let body = ApiErrorBody {
            error: FieldError::new("phone", "phone must be in E.164 format, e.g. +15551234567")
                .into(),
        };
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": {"type": "invalid_request",
                "message": "phone must be in E.164 format, e.g. +15551234567", "param": "phone"}})
        );
    }

    #[test]
    fn error_without_param_omits_it() {
        let body = ApiErrorBody {
            error: ApiError::new(ErrorType::NotFound, "No lead has that id."),
        };
        let json = serde_json::to_string(&body).unwrap();
        assert!(!json.contains("param"));
        assert_eq!(ErrorType::NotFound.status(), 404);
    }
}
