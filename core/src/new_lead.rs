//! The body of a create: what a client sends, and how the server reads it.

use serde::{Deserialize, Serialize};

use crate::body::{self, JsonObject};
use crate::error::FieldError;
use crate::field::Field;
use crate::validate;

/// Fields a create body may carry, in the contract's validation order.
pub const CREATE_FIELDS: [Field; 5] = [
    Field::Name,
    Field::Phone,
    Field::Email,
    Field::Source,
    Field::Tags,
];

/// The request header that makes a create safe to retry: a repeat with the
/// same key and body gets the first answer and makes no second lead.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// The longest `Idempotency-Key` the server keeps.
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 255;

/// Whether `key` can be an `Idempotency-Key`: 1 to
/// [`MAX_IDEMPOTENCY_KEY_CHARS`] visible ASCII characters (a UUID is one).
///
/// ```
/// use leads_core::new_lead::is_idempotency_key;
/// assert!(is_idempotency_key("6f1c2a4e-9b0d-4c7e-8a51-2f3d4e5a6b7c"));
/// assert!(!is_idempotency_key("") && !is_idempotency_key("a b") && !is_idempotency_key("é"));
/// assert!(!is_idempotency_key(&"k".repeat(256)));
/// ```
pub fn is_idempotency_key(key: &str) -> bool {
    (1..=MAX_IDEMPOTENCY_KEY_CHARS).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_graphic())
}

/// A lead to create. Optional fields left out of the JSON take the server's
/// defaults (`source` becomes `manual`, `tags` empty).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewLead {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl NewLead {
    /// Reads and validates a create body, reporting the first problem in the
    /// contract's order: unknown field, then `name`, `phone`, `email`,
    /// `source`, `tags`. Every string comes back trimmed.
    ///
    /// ```
    /// let body = leads_core::body::object(br#"{"name":" Jane ","tags":["a","A"]}"#).unwrap();
    /// let lead = leads_core::NewLead::from_body(&body).unwrap();
    /// assert_eq!((lead.name.as_str(), lead.tags.len()), ("Jane", 1));
    /// ```
    pub fn from_body(body: &JsonObject) -> Result<NewLead, FieldError> {
        body::reject_unknown(body, &CREATE_FIELDS)?;
        let name = match body::string(body, Field::Name)? {
            Some(Some(raw)) => validate::name(&raw)?,
            _ => return Err(FieldError::new(Field::Name, "name is required")),
        };
        let phone = body::contact(body, Field::Phone, validate::phone)?.flatten();
        let email = body::contact(body, Field::Email, validate::email)?.flatten();
        let source = match body::string(body, Field::Source)? {
            Some(Some(raw)) => Some(validate::source(&raw)?),
            _ => None,
        };
        let tags = body::tags(body)?.flatten().unwrap_or_default();
        Ok(NewLead {
            name,
            phone,
            email,
            source,
            tags,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<NewLead, FieldError> {
        NewLead::from_body(&body::object(json.as_bytes()).unwrap())
    }

    #[test]
    fn minimal_create_takes_defaults() {
        let lead = parse(r#"{"name":"Jane","phone":null,"source":null,"tags":null}"#).unwrap();
        assert_eq!(
            lead,
            NewLead {
                name: "Jane".into(),
                ..NewLead::default()
            }
        );
    }

    #[test]
    fn unknown_field_is_reported_before_invalid_fields() {
        let err = parse(r#"{"name":"","status":"new"}"#).unwrap_err();
        assert_eq!(err.param, "status");
    }

    #[test]
    fn first_invalid_field_in_contract_order_is_reported() {
        let err = parse(r#"{"tags":[""],"email":"x","phone":"1","name":"Jane"}"#).unwrap_err();
        assert_eq!(err.param, "phone");
        assert_eq!(parse(r#"{"phone":"1"}"#).unwrap_err().param, "name");
        assert_eq!(
            parse(r#"{"name":"J","source":""}"#).unwrap_err().param,
            "source"
        );
        assert_eq!(
            parse(r#"{"name":"J","tags":[1]}"#).unwrap_err().param,
            "tags"
        );
        assert_eq!(
            parse(r#"{"name":"J","phone":""}"#).unwrap_err().param,
            "phone"
        );
        assert_eq!(parse(r#"{"name":5}"#).unwrap_err().param, "name");
    }

    #[test]
    fn serialised_new_lead_omits_empty_optionals() {
        let json = serde_json::to_string(&NewLead {
            name: "Jane".into(),
            ..NewLead::default()
        })
        .unwrap();
        assert_eq!(json, r#"{"name":"Jane"}"#);
    }
}
