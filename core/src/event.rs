//! Live events: the vendor's `new_lead` webhook as the server reads it, and
//! the `lead.updated` message both sides of `/v1/events` speak.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::body::{self, JsonObject};
use crate::error::FieldError;
use crate::field::{Field, LeadField};
use crate::lead::{is_lead_id, Lead, LeadStatus, PartialLead, MAX_LEAD_ID_CHARS};
use crate::limits::DEFAULT_SOURCE;
use crate::validate;

/// The names of the events a `/v1/events` stream sends.
pub mod names {
    /// A lead was created (in the console, through the API or the webhook).
    pub const LEAD_CREATED: &str = "lead.created";
    /// A lead was changed: which fields, and the lead after.
    pub const LEAD_UPDATED: &str = "lead.updated";
    /// The server no longer has what the client missed: reload the view.
    pub const RESET: &str = "reset";
}

/// The name a webhook lead gets when it carries neither a name, a phone nor
/// an email: a call from a withheld number, say.
pub const UNKNOWN_CALLER: &str = "Unknown caller";

/// Event ids longer than this are refused: they are stored and remembered,
/// so a hostile sender must not choose their size. Lead ids follow the
/// stricter [`is_lead_id`].
pub const MAX_ID_CHARS: usize = 200;

/// The comment every `/v1/events` stream starts with, saying how often it
/// will send a keep-alive: `: keep-alive-ms 15000`. A client that hears
/// nothing for a few of those knows the connection is dead.
pub fn keep_alive_comment(millis: u64) -> String {
    format!("{KEEP_ALIVE_WORD} {millis}")
}

/// The interval in a comment made by [`keep_alive_comment`]; `None` for any
/// other comment.
///
/// ```
/// use leads_core::event::{keep_alive_comment, keep_alive_of};
/// assert_eq!(keep_alive_of(&keep_alive_comment(60_000)), Some(60_000));
/// assert_eq!(keep_alive_of("keep-alive"), None);
/// ```
pub fn keep_alive_of(comment: &str) -> Option<u64> {
    comment
        .trim()
        .strip_prefix(KEEP_ALIVE_WORD)?
        .trim()
        .parse()
        .ok()
        .filter(|&millis| millis > 0)
}

const KEEP_ALIVE_WORD: &str = "keep-alive-ms";

/// A `new_lead` webhook delivery, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLeadEvent {
    /// The delivery's id: the same id delivered again is the same event.
    pub event_id: String,
    /// The lead as the vendor sent it; `created_at` is as sent, unchecked
    /// (the server, which has a clock and a calendar, normalises it).
    pub lead: PartialLead,
}

impl NewLeadEvent {
    /// Reads `{"type": "new_lead", "id": …, "data": {lead}}`. The lead may
    /// be the vendor's short shape (only `id` is certain) and may carry
    /// fields this contract does not know, which are ignored; the fields it
    /// knows follow a create's rules. Errors name the path, e.g.
    /// `data.phone`.
    ///
    /// ```
    /// let body = leads_core::body::object(
    ///     br#"{"type":"new_lead","id":"evt_1","data":{"id":"ld_9","phone":"+15551234567"}}"#,
    /// ).unwrap();
    /// let event = leads_core::event::NewLeadEvent::from_body(&body).unwrap();
    /// let lead = event.into_lead("2026-01-02T03:04:05Z");
    /// assert_eq!((lead.id.as_str(), lead.name.as_str()), ("ld_9", "+15551234567"));
    /// ```
    pub fn from_body(body: &JsonObject) -> Result<NewLeadEvent, FieldError> {
        match body.get("type") {
            Some(Value::String(kind)) if kind == "new_lead" => {}
            _ => return Err(FieldError::new("type", "type must be \"new_lead\"")),
        }
        let event_id = id(body.get("id"), "id")?;
        let Some(Value::Object(data)) = body.get("data") else {
            return Err(FieldError::new("data", "data must be the lead, an object"));
        };
        let lead = lead(data).map_err(|err| FieldError {
            param: format!("data.{}", err.param),
            message: format!("data.{}", err.message),
            rule: err.rule,
        })?;
        Ok(NewLeadEvent { event_id, lead })
    }

    /// The lead to store, received at `now`: what the event leaves out takes
    /// a create's defaults, and a lead without a name is called by its phone
    /// or email, else [`UNKNOWN_CALLER`].
    pub fn into_lead(self, now: &str) -> Lead {
        let lead = self.lead;
        let phone = lead.phone.flatten();
        let email = lead.email.flatten();
        let name = lead
            .name
            .or_else(|| phone.clone())
            .or_else(|| email.clone())
            .unwrap_or_else(|| UNKNOWN_CALLER.to_owned());
        let created_at = lead.created_at.unwrap_or_else(|| now.to_owned());
        Lead {
            id: lead.id,
            name,
            phone,
            email,
            status: lead.status.unwrap_or(LeadStatus::New),
            source: lead.source.unwrap_or_else(|| DEFAULT_SOURCE.to_owned()),
            score: lead.score.flatten(),
            tags: lead.tags.unwrap_or_default(),
            updated_at: lead.updated_at.unwrap_or_else(|| created_at.clone()),
            created_at,
        }
    }
}

/// A non-empty id of at most [`MAX_ID_CHARS`] characters, without control
/// characters (it is logged and shown).
fn id(value: Option<&Value>, param: &str) -> Result<String, FieldError> {
    let id = value.and_then(Value::as_str).map(str::trim).unwrap_or("");
    if id.is_empty() || id.chars().count() > MAX_ID_CHARS || id.chars().any(char::is_control) {
        return Err(FieldError::new(
            param,
            format!("{param} must be a string of 1 to {MAX_ID_CHARS} characters"),
        ));
    }
    Ok(id.to_owned())
}

/// The webhook's lead, field by field in the contract's order.
fn lead(data: &JsonObject) -> Result<PartialLead, FieldError> {
    let id = id(data.get("id"), "id")?;
    if !is_lead_id(&id) {
        return Err(FieldError::new(
            "id",
            format!(
                "id must be 1 to {MAX_LEAD_ID_CHARS} letters, digits, '_' or '-', starting with a letter or digit"
            ),
        ));
    }
    let name = match body::string(data, Field::Name)? {
        Some(Some(raw)) => Some(validate::name(&raw)?),
        _ => None,
    };
    let phone = body::contact(data, Field::Phone, validate::phone)?;
    let email = body::contact(data, Field::Email, validate::email)?;
    let source = match body::string(data, Field::Source)? {
        Some(Some(raw)) => Some(validate::source(&raw)?),
        _ => None,
    };
    let status = match body::string(data, Field::Status)? {
        Some(Some(raw)) => Some(
            raw.trim()
                .parse::<LeadStatus>()
                .map_err(|()| FieldError::one_of(Field::Status, LeadStatus::ALL))?,
        ),
        _ => None,
    };
    let tags = body::tags(data)?.flatten();
    let score = match data.get("score") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(value) => match value.as_u64().and_then(|n| u8::try_from(n).ok()) {
            Some(score) if score <= 100 => Some(Some(score)),
            _ => {
                return Err(FieldError::new(
                    "score",
                    "score must be a whole number from 0 to 100, or null",
                ))
            }
        },
    };
    let time = |name: &str| -> Result<Option<String>, FieldError> {
        match data.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.trim().to_owned())),
            Some(_) => Err(FieldError::new(
                name,
                format!("{name} must be an RFC 3339 time, e.g. 2025-03-20T10:00:00Z"),
            )),
        }
    };
    Ok(PartialLead {
        id,
        name,
        phone,
        email,
        status,
        source,
        score,
        tags,
        created_at: time(LeadField::CreatedAt.as_str())?,
        updated_at: time(LeadField::UpdatedAt.as_str())?,
    })
}

/// The data of a `lead.updated` event: which fields changed, and the lead
/// after the change (the vendor's replies, in proxy mode, may be short).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadUpdated {
    pub id: String,
    /// Wire names of the fields whose values changed; never `updated_at`.
    pub fields: Vec<String>,
    pub lead: PartialLead,
}

/// The fields whose values differ between two versions of a lead, by wire
/// name, in the lead object's order; `id` and `updated_at` are never named.
///
/// ```
/// use leads_core::{LeadStatus, NewLead};
/// let before = NewLead { name: "Jane".into(), ..NewLead::default() }
///     .into_lead("lead_001".into(), "2025-03-20T10:00:00Z");
/// let mut after = before.clone();
/// after.status = LeadStatus::Contacted;
/// after.updated_at = "2025-03-21T10:00:00Z".into();
/// assert_eq!(leads_core::event::changed_fields(&before, &after), ["status"]);
/// ```
pub fn changed_fields(before: &Lead, after: &Lead) -> Vec<&'static str> {
    let differs = |field| match field {
        LeadField::Id | LeadField::UpdatedAt => false,
        LeadField::Name => before.name != after.name,
        LeadField::Phone => before.phone != after.phone,
        LeadField::Email => before.email != after.email,
        LeadField::Status => before.status != after.status,
        LeadField::Source => before.source != after.source,
        LeadField::Score => before.score != after.score,
        LeadField::Tags => before.tags != after.tags,
        LeadField::CreatedAt => before.created_at != after.created_at,
    };
    LeadField::ALL
        .into_iter()
        .filter(|&field| differs(field))
        .map(LeadField::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<NewLeadEvent, FieldError> {
        NewLeadEvent::from_body(&body::object(json.as_bytes()).unwrap())
    }

    const NOW: &str = "2026-11-26T12:00:00Z";

    #[test]
    fn a_short_lead_takes_a_creates_defaults() {
        let lead = parse(r#"{"type":"new_lead","id":"evt_1","data":{"id":"ld_1"}}"#)
            .unwrap()
            .into_lead(NOW);
        assert_eq!(lead.name, UNKNOWN_CALLER);
        assert_eq!(lead.status, LeadStatus::New);
        assert_eq!(lead.source, DEFAULT_SOURCE);
        assert_eq!((lead.score, lead.tags.len()), (None, 0));
        assert_eq!(
            (lead.created_at.as_str(), lead.updated_at.as_str()),
            (NOW, NOW)
        );
    }

    #[test]
    fn a_nameless_lead_is_called_by_its_phone_then_its_email() {
        let event = |data: &str| {
            parse(&format!(r#"{{"type":"new_lead","id":"e","data":{data}}}"#))
                .unwrap()
                .into_lead(NOW)
                .name
        };
        assert_eq!(event(r#"{"id":"a","email":"a@b.co"}"#), "a@b.co");
        assert_eq!(
            event(r#"{"id":"a","email":"a@b.co","phone":"+15551234567"}"#),
            "+15551234567"
        );
        assert_eq!(event(r#"{"id":"a","name":" Ann ","phone":null}"#), "Ann");
    }

    #[test]
    fn a_full_lead_keeps_what_it_says_and_ignores_unknown_fields() {
        let lead = parse(
            r#"{"type":"new_lead","id":"e","data":{"id":"ld_2","name":"Jo","status":"contacted",
            "source":"call","score":87,"tags":["vip","VIP"],"created_at":"2026-11-26T11:00:00Z",
            "recording_url":"https://example.com/r.mp3"}}"#,
        )
        .unwrap()
        .into_lead(NOW);
        assert_eq!(lead.status, LeadStatus::Contacted);
        assert_eq!((lead.source.as_str(), lead.score), ("call", Some(87)));
        assert_eq!(lead.tags, ["vip"]);
        assert_eq!(lead.updated_at, "2026-11-26T11:00:00Z");
    }

    #[test]
    fn what_is_not_such_an_event_names_the_place() {
        let param = |json: &str| parse(json).unwrap_err().param;
        assert_eq!(param(r#"{"id":"e","data":{"id":"a"}}"#), "type");
        assert_eq!(param(r#"{"type":"lead_lost","id":"e","data":{}}"#), "type");
        assert_eq!(param(r#"{"type":"new_lead","data":{"id":"a"}}"#), "id");
        assert_eq!(param(r#"{"type":"new_lead","id":"e","data":[]}"#), "data");
        assert_eq!(
            param(r#"{"type":"new_lead","id":"e","data":{}}"#),
            "data.id"
        );
        for bad in ["..", "a/b", "a%2Fb", "_a", "lead 1", "lead.1"] {
            assert_eq!(
                param(&format!(
                    r#"{{"type":"new_lead","id":"e","data":{{"id":"{bad}"}}}}"#
                )),
                "data.id",
                "{bad}"
            );
        }
        let long = "x".repeat(MAX_LEAD_ID_CHARS + 1);
        assert_eq!(
            param(&format!(
                r#"{{"type":"new_lead","id":"e","data":{{"id":"{long}"}}}}"#
            )),
            "data.id"
        );
        for (data, at) in [
            (r#"{"id":"a","phone":"555"}"#, "data.phone"),
            (r#"{"id":"a","email":"nope"}"#, "data.email"),
            (r#"{"id":"a","status":"won"}"#, "data.status"),
            (r#"{"id":"a","score":101}"#, "data.score"),
            (r#"{"id":"a","score":-1}"#, "data.score"),
            (r#"{"id":"a","tags":"vip"}"#, "data.tags"),
            (r#"{"id":"a","created_at":5}"#, "data.created_at"),
            (r#"{"id":"a\u0007b"}"#, "data.id"),
        ] {
            let json = format!(r#"{{"type":"new_lead","id":"e","data":{data}}}"#);
            assert_eq!(param(&json), at, "{data}");
        }
    }

    #[test]
    fn only_changed_values_are_named() {
        let before = parse(r#"{"type":"new_lead","id":"e","data":{"id":"a","name":"A"}}"#)
            .unwrap()
            .into_lead(NOW);
        let mut after = before.clone();
        after.updated_at = "2026-11-27T00:00:00Z".into();
        assert!(changed_fields(&before, &after).is_empty());
        after.tags = vec!["x".into()];
        after.email = Some("a@b.co".into());
        assert_eq!(changed_fields(&before, &after), ["email", "tags"]);
    }
}
