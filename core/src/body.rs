//! Reading request bodies field by field, so that type errors and rule
//! errors both name the field, in the contract's order.

use serde_json::{Map, Value};

use crate::error::{ApiError, ErrorType, FieldError};
use crate::field::Field;
use crate::validate;

/// A JSON object as sent in a create or update body.
pub type JsonObject = Map<String, Value>;

/// The fields' wire names, comma-separated, for messages.
pub(crate) fn list(fields: &[Field]) -> String {
    let names: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
    names.join(", ")
}

/// Rejects the first field (in body order) that is not in `allowed`.
pub(crate) fn reject_unknown(body: &JsonObject, allowed: &[Field]) -> Result<(), FieldError> {
    let known = |key: &str| key.parse().is_ok_and(|f: Field| allowed.contains(&f));
    match body.keys().find(|key| !known(key)) {
        Some(key) => Err(FieldError::new(
            key.clone(),
            format!("{key} is not a field you can set; use {}", list(allowed)),
        )),
        None => Ok(()),
    }
}

/// A string field: `None` when absent, `Some(None)` when `null`.
pub(crate) fn string(
    body: &JsonObject,
    field: Field,
) -> Result<Option<Option<String>>, FieldError> {
    match body.get(field.as_str()) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
        Some(_) => Err(FieldError::new(field, format!("{field} must be a string"))),
    }
}

/// A nullable contact field (`phone`, `email`): absent, cleared, or validated.
pub(crate) fn contact(
    body: &JsonObject,
    field: Field,
    rule: fn(&str) -> Result<String, FieldError>,
) -> Result<Option<Option<String>>, FieldError> {
    match string(body, field)? {
        Some(Some(raw)) => Ok(Some(Some(rule(&raw)?))),
        other => Ok(other),
    }
}

/// The `tags` field: absent, `null`, or an array of strings, normalised.
pub(crate) fn tags(body: &JsonObject) -> Result<Option<Option<Vec<String>>>, FieldError> {
    match body.get(Field::Tags.as_str()) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::Array(items)) => {
            let strings: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
            let strings = strings
                .ok_or_else(|| FieldError::new(Field::Tags, "tags must be an array of strings"))?;
            Ok(Some(Some(validate::tags(strings)?)))
        }
        Some(_) => Err(FieldError::new(
            Field::Tags,
            "tags must be an array of strings",
        )),
    }
}

/// Parses raw bytes as a JSON object, with the contract's `400` otherwise.
///
/// ```
/// assert!(leads_core::body::object(br#"{"name":"Jane"}"#).is_ok());
/// assert!(leads_core::body::object(b"[1]").is_err());
/// ```
pub fn object(bytes: &[u8]) -> Result<JsonObject, ApiError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::new(
            ErrorType::InvalidRequest,
            "The request body must be a JSON object.",
        )),
        Err(err) => Err(ApiError::new(
            ErrorType::InvalidRequest,
            format!("The request body is not valid JSON: {err}."),
        )),
    }
}
