//! The body of an update: only what changed, with `null` clearing a contact
//! field.

use serde::{Deserialize, Serialize};

use crate::body::{self, JsonObject};
use crate::error::{ApiError, ErrorType, FieldError};
use crate::field::Field;
use crate::lead::LeadStatus;
use crate::validate;

/// Fields an update body may carry, in the contract's validation order.
pub const PATCH_FIELDS: [Field; 5] = [
    Field::Name,
    Field::Phone,
    Field::Email,
    Field::Status,
    Field::Tags,
];

/// A partial update. `None` leaves a field alone; for `phone` and `email`,
/// `Some(None)` clears it and is sent as `null`.
///
/// ```
/// use leads_core::{LeadPatch, LeadStatus};
/// let patch = LeadPatch { status: Some(LeadStatus::Qualified), ..LeadPatch::default() };
/// assert_eq!(serde_json::to_string(&patch).unwrap(), r#"{"status":"qualified"}"#);
/// ```
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::lead::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::lead::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub email: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<LeadStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

impl LeadPatch {
    /// A status change and nothing else: exactly `{"status": …}`, what a
    /// row's status select, keyboard triage and a bulk change send.
    ///
    /// ```
    /// use leads_core::{LeadPatch, LeadStatus};
    /// assert_eq!(
    ///     serde_json::to_string(&LeadPatch::status(LeadStatus::Qualified)).unwrap(),
    ///     r#"{"status":"qualified"}"#
    /// );
    /// ```
    pub fn status(status: LeadStatus) -> Self {
        Self {
            status: Some(status),
            ..Self::default()
        }
    }

    /// True when the patch would change nothing; such a patch is never sent.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The fields the patch sets, in the contract's order: what a change
    /// through it touched.
    ///
    /// ```
    /// use leads_core::{Field, LeadPatch, LeadStatus};
    /// let patch = LeadPatch { status: Some(LeadStatus::New), tags: Some(vec![]), ..LeadPatch::default() };
    /// assert_eq!(patch.changed_fields(), [Field::Status, Field::Tags]);
    /// ```
    pub fn changed_fields(&self) -> Vec<Field> {
        let set = [
            (Field::Name, self.name.is_some()),
            (Field::Phone, self.phone.is_some()),
            (Field::Email, self.email.is_some()),
            (Field::Status, self.status.is_some()),
            (Field::Tags, self.tags.is_some()),
        ];
        set.into_iter()
            .filter_map(|(field, set)| set.then_some(field))
            .collect()
    }

    /// Reads and validates an update body in the contract's order.
    pub fn from_body(body: &JsonObject) -> Result<LeadPatch, ApiError> {
        if body.is_empty() {
            return Err(ApiError::new(
                ErrorType::InvalidRequest,
                format!(
                    "The update changes nothing; send at least one of {}.",
                    body::list(&PATCH_FIELDS)
                ),
            ));
        }
        Ok(Self::fields(body)?)
    }

    fn fields(body: &JsonObject) -> Result<LeadPatch, FieldError> {
        body::reject_unknown(body, &PATCH_FIELDS)?;
        let name = match body::string(body, Field::Name)? {
            None => None,
            Some(Some(raw)) => Some(validate::name(&raw)?),
            Some(None) => return Err(FieldError::new(Field::Name, "name cannot be null")),
        };
        let phone = body::contact(body, Field::Phone, validate::phone)?;
        let email = body::contact(body, Field::Email, validate::email)?;
        let status = match body::string(body, Field::Status)? {
            None => None,
            Some(Some(raw)) => Some(raw.trim().parse().map_err(|()| invalid_status())?),
            Some(None) => return Err(invalid_status()),
        };
        let tags = match body::tags(body)? {
            None => None,
            Some(Some(tags)) => Some(tags),
            Some(None) => {
                return Err(FieldError::new(
                    Field::Tags,
                    "tags cannot be null; send [] to remove every tag",
                ))
            }
        };
        Ok(LeadPatch {
            name,
            phone,
            email,
            status,
            tags,
        })
    }
}

fn invalid_status() -> FieldError {
    FieldError::one_of(Field::Status, LeadStatus::ALL)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lead::PartialLead;

    fn parse(json: &str) -> Result<LeadPatch, ApiError> {
        LeadPatch::from_body(&body::object(json.as_bytes()).unwrap())
    }

    #[test]
    fn null_clears_contact_fields() {
        let patch = parse(r#"{"phone":null,"email":" a@b.co "}"#).unwrap();
        assert_eq!(patch.phone, Some(None));
        assert_eq!(patch.email, Some(Some("a@b.co".into())));
        assert_eq!(
            serde_json::to_string(&patch).unwrap(),
            r#"{"phone":null,"email":"a@b.co"}"#
        );
    }

    #[test]
    fn empty_and_null_where_not_allowed_are_rejected() {
        assert_eq!(parse("{}").unwrap_err().param, None);
        for (json, param) in [
            (r#"{"name":null}"#, "name"),
            (r#"{"status":null}"#, "status"),
            (r#"{"status":"NEW"}"#, "status"),
            (r#"{"tags":null}"#, "tags"),
            (r#"{"source":"x"}"#, "source"),
            (r#"{"status":"bogus","name":""}"#, "name"),
        ] {
            assert_eq!(
                parse(json).unwrap_err().param.as_deref(),
                Some(param),
                "{json}"
            );
        }
    }

    #[test]
    fn applying_a_patch_then_a_short_reply_keeps_every_field() {
        let mut lead: PartialLead = serde_json::from_str(
            r#"{"id":"lead_001","name":"Jane","phone":"+15551234567","email":"j@example.com","tags":["a"]}"#,
        )
        .unwrap();
        let patch = parse(r#"{"phone":null,"tags":["b"]}"#).unwrap();
        lead.apply(&patch);
        let reply: PartialLead = serde_json::from_str(
            r#"{"id":"lead_001","name":"Jane","status":"new","tags":["b"],"updated_at":"2025-03-21T09:00:00Z"}"#,
        )
        .unwrap();
        lead.merge(reply);
        assert_eq!(lead.phone, Some(None));
        assert_eq!(lead.email, Some(Some("j@example.com".into())));
        assert_eq!(lead.tags, Some(vec!["b".to_string()]));
        assert_eq!(lead.status, Some(LeadStatus::New));
    }

    #[test]
    fn patch_round_trips_through_json() {
        let patch = parse(r#"{"status":"converted","tags":["x"],"phone":null}"#).unwrap();
        let again: LeadPatch =
            serde_json::from_str(&serde_json::to_string(&patch).unwrap()).unwrap();
        assert_eq!(patch, again);
        assert!(!patch.is_empty());
        assert!(LeadPatch::default().is_empty());
    }
}
