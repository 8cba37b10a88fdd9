//! The lead as it travels on the wire: the whole object the server sends,
//! the tolerant shape the console parses, and the page that wraps a list.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use crate::limits::DEFAULT_SOURCE;
use crate::new_lead::NewLead;
use crate::patch::LeadPatch;

/// Where a lead stands in the sales pipeline, in pipeline order.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LeadStatus {
    New,
    Contacted,
    Qualified,
    Converted,
}

impl LeadStatus {
    /// Every status, in pipeline order.
    pub const ALL: [LeadStatus; 4] = [Self::New, Self::Contacted, Self::Qualified, Self::Converted];

    /// The wire value, e.g. `"contacted"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Contacted => "contacted",
            Self::Qualified => "qualified",
            Self::Converted => "converted",
        }
    }

    /// The name a person reads, e.g. `"Contacted"`.
    pub fn label(self) -> &'static str {
        match self {
            Self::New => "New",
            Self::Contacted => "Contacted",
            Self::Qualified => "Qualified",
            Self::Converted => "Converted",
        }
    }

    /// Position in the pipeline (0 for `new`), which is how `sort=status`
    /// orders. The server stores a status as this number, so each is
    /// written out here, not taken from the order of the declaration: a
    /// status's number never changes, and a new status takes its own.
    pub fn rank(self) -> u8 {
        match self {
            Self::New => 0,
            Self::Contacted => 1,
            Self::Qualified => 2,
            Self::Converted => 3,
        }
    }

    /// The status whose [`rank`](Self::rank) is `rank`, if there is one.
    pub fn from_rank(rank: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.rank() == rank)
    }
}

impl FromStr for LeadStatus {
    type Err = ();

    /// Parses a wire value; case-sensitive, as the contract requires.
    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or(())
    }
}

impl fmt::Display for LeadStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A capture channel: the sources the list filter accepts. Leads created
/// through the API may carry other, free source labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Call,
    Sms,
    Form,
    Facebook,
    Google,
}

impl Channel {
    /// Every channel, in the order the UI lists them.
    pub const ALL: [Channel; 5] = [
        Self::Call,
        Self::Sms,
        Self::Form,
        Self::Facebook,
        Self::Google,
    ];

    /// The wire value, e.g. `"sms"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Call => "call",
            Self::Sms => "sms",
            Self::Form => "form",
            Self::Facebook => "facebook",
            Self::Google => "google",
        }
    }

    /// The name a person reads, e.g. `"SMS"`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Call => "Call",
            Self::Sms => "SMS",
            Self::Form => "Form",
            Self::Facebook => "Facebook",
            Self::Google => "Google",
        }
    }

    /// A readable name for any source label: the channel's name for the five
    /// channels, the label itself otherwise.
    ///
    /// ```
    /// assert_eq!(leads_core::Channel::display_source("sms"), "SMS");
    /// assert_eq!(leads_core::Channel::display_source("crm-import"), "crm-import");
    /// ```
    pub fn display_source(source: &str) -> &str {
        source
            .parse::<Channel>()
            .map(Channel::label)
            .unwrap_or(source)
    }
}

impl FromStr for Channel {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or(())
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The whole lead, exactly as this project's server sends it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lead {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub status: LeadStatus,
    pub source: String,
    pub score: Option<u8>,
    pub tags: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// A lead as a client must parse it: the vendor's API answers with fewer
/// fields than [`Lead`], so only `id` is required. `None` means "the response
/// did not say"; for nullable fields `Some(None)` means "explicitly null".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartialLead {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub email: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<LeadStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub score: Option<Option<u8>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// Marks a field as present even when its value is `null`, so that
/// `Option<Option<T>>` can tell "absent" from "null".
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// Calls `take(&mut into.field, newer.field)` for every field but `id`: the
/// one list of fields both kinds of lead overlay.
macro_rules! overlay_fields {
    ($take:ident, $into:expr, $newer:expr) => {
        $take(&mut $into.name, $newer.name);
        $take(&mut $into.phone, $newer.phone);
        $take(&mut $into.email, $newer.email);
        $take(&mut $into.status, $newer.status);
        $take(&mut $into.source, $newer.source);
        $take(&mut $into.score, $newer.score);
        $take(&mut $into.tags, $newer.tags);
        $take(&mut $into.created_at, $newer.created_at);
        $take(&mut $into.updated_at, $newer.updated_at);
    };
}

impl PartialLead {
    /// Overlays what a newer response said onto what is already known, so a
    /// field the response left out is never blanked.
    ///
    /// ```
    /// use leads_core::PartialLead;
    /// let mut known: PartialLead = serde_json::from_str(
    ///     r#"{"id":"lead_001","name":"Jane","phone":"+15551234567"}"#).unwrap();
    /// let reply: PartialLead = serde_json::from_str(r#"{"id":"lead_001","name":"Jane S."}"#).unwrap();
    /// known.merge(reply);
    /// assert_eq!(known.name.as_deref(), Some("Jane S."));
    /// assert_eq!(known.phone, Some(Some("+15551234567".into())));
    /// ```
    pub fn merge(&mut self, newer: PartialLead) {
        fn take<T>(slot: &mut Option<T>, newer: Option<T>) {
            if newer.is_some() {
                *slot = newer;
            }
        }
        overlay_fields!(take, self, newer);
    }
}

impl Lead {
    /// Overlays what `newer` says onto the whole lead; fields it leaves out
    /// stay as they are.
    pub fn merge(&mut self, newer: PartialLead) {
        fn take<T>(slot: &mut T, newer: Option<T>) {
            if let Some(value) = newer {
                *slot = value;
            }
        }
        overlay_fields!(take, self, newer);
    }

    /// What an update makes of the lead at time `now` (RFC 3339 UTC):
    /// the patched fields change, and `updated_at` moves to `now`, never
    /// back, even if the clock does.
    ///
    /// ```
    /// use leads_core::{LeadPatch, LeadStatus, NewLead};
    /// let mut lead = NewLead { name: "Jane".into(), ..NewLead::default() }
    ///     .into_lead("lead_001".into(), "2025-03-20T10:00:00Z");
    /// let patch = LeadPatch { status: Some(LeadStatus::Qualified), ..LeadPatch::default() };
    /// lead.apply(&patch, "2025-03-21T09:00:00Z");
    /// assert_eq!((lead.status, lead.updated_at.as_str()), (LeadStatus::Qualified, "2025-03-21T09:00:00Z"));
    /// ```
    pub fn apply(&mut self, patch: &LeadPatch, now: &str) {
        self.merge(patch.changes(&self.id));
        if now > self.updated_at.as_str() {
            now.clone_into(&mut self.updated_at);
        }
    }
}

impl NewLead {
    /// The lead a create stores at time `now`: status `new`, the default
    /// source when none was given, no score yet.
    pub fn into_lead(self, id: String, now: &str) -> Lead {
        Lead {
            id,
            name: self.name,
            phone: self.phone,
            email: self.email,
            status: LeadStatus::New,
            source: self.source.unwrap_or_else(|| DEFAULT_SOURCE.to_owned()),
            score: None,
            tags: self.tags,
            created_at: now.to_owned(),
            updated_at: now.to_owned(),
        }
    }
}

impl PartialLead {
    /// What an update makes of the lead, as far as the patch says; used to
    /// show the truth after an update whose reply left fields out.
    pub fn apply(&mut self, patch: &LeadPatch) {
        self.merge(patch.changes(&self.id));
    }
}

impl LeadPatch {
    /// The fields this patch sets, as a partial lead to merge.
    pub fn changes(&self, id: &str) -> PartialLead {
        PartialLead {
            id: id.to_owned(),
            name: self.name.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            status: self.status,
            tags: self.tags.clone(),
            ..PartialLead::default()
        }
    }
}

impl From<Lead> for PartialLead {
    fn from(lead: Lead) -> Self {
        Self {
            id: lead.id,
            name: Some(lead.name),
            phone: Some(lead.phone),
            email: Some(lead.email),
            status: Some(lead.status),
            source: Some(lead.source),
            score: Some(lead.score),
            tags: Some(lead.tags),
            created_at: Some(lead.created_at),
            updated_at: Some(lead.updated_at),
        }
    }
}

/// The longest lead id either side accepts.
pub const MAX_LEAD_ID_CHARS: usize = 128;

/// Whether `id` can be a lead's id: 1 to [`MAX_LEAD_ID_CHARS`] ASCII letters,
/// digits, `_` or `-`, starting with a letter or digit (`lead_001`, the
/// vendor's `ld_9`). Anything else names no lead and never reaches a URL:
/// no `/`, `.`, `%` or `?` can take a request out of `/v1/leads/{id}`, even
/// behind a proxy that decodes `%2F` before routing.
///
/// ```
/// use leads_core::lead::is_lead_id;
/// assert!(is_lead_id("lead_001") && is_lead_id("ld-9"));
/// assert!(!is_lead_id("..") && !is_lead_id("a/b") && !is_lead_id("_a") && !is_lead_id(""));
/// ```
pub fn is_lead_id(id: &str) -> bool {
    let mut bytes = id.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
        && id.len() <= MAX_LEAD_ID_CHARS
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// On an answer served from a synced copy of the vendor's leads: when the
/// copy last reached the vendor (RFC 3339).
pub const SYNCED_AT_HEADER: &str = "X-Leads-Synced-At";

/// On an answer served from a synced copy while the vendor does not
/// answer: `true`. Writes fail until it does.
pub const STALE_HEADER: &str = "X-Leads-Stale";

/// Paging facts that come with every list response.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageMeta {
    pub page: u32,
    pub limit: u32,
    pub total: u64,
}

/// The arithmetic of pages, once for the pager and the export.
///
/// ```
/// use leads_core::PageMeta;
/// let meta = PageMeta { page: 2, limit: 20, total: 250 };
/// assert_eq!(meta.page_count(), 13);
/// assert_eq!(meta.range(20), Some((21, 40)));
/// assert!(!meta.is_last());
/// assert!(PageMeta { page: 13, ..meta }.is_last());
/// assert_eq!(PageMeta { page: 1, limit: 20, total: 0 }.page_count(), 1);
/// ```
impl PageMeta {
    /// How many pages `total` leads fill; at least one.
    pub fn page_count(&self) -> u32 {
        let pages = self.total.div_ceil(u64::from(self.limit.max(1))).max(1);
        u32::try_from(pages).unwrap_or(u32::MAX)
    }

    /// The positions (from 1) of the first and last of the `shown` leads
    /// this page holds; none when it holds none.
    pub fn range(&self, shown: usize) -> Option<(u64, u64)> {
        let first = u64::from(self.page.saturating_sub(1)) * u64::from(self.limit) + 1;
        let shown = u64::try_from(shown).ok().filter(|&n| n > 0)?;
        Some((first, first + shown - 1))
    }

    /// True when no lead comes after this page.
    pub fn is_last(&self) -> bool {
        u64::from(self.page) * u64::from(self.limit) >= self.total
    }
}

/// One page of a list response.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub meta: PageMeta,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_round_up_and_the_last_is_the_one_that_reaches_the_total() {
        let meta = |page, total| PageMeta {
            page,
            limit: 20,
            total,
        };
        assert_eq!(meta(1, 250).page_count(), 13);
        assert_eq!(meta(1, 240).page_count(), 12);
        assert_eq!(meta(1, 0).page_count(), 1);
        assert!(meta(12, 240).is_last() && !meta(11, 240).is_last());
        assert!(meta(1, 0).is_last());
        assert_eq!(meta(13, 250).range(10), Some((241, 250)));
        assert_eq!(meta(1, 0).range(0), None);
    }

    #[test]
    fn status_wire_values_are_case_sensitive() {
        assert_eq!("new".parse(), Ok(LeadStatus::New));
        assert!("NEW".parse::<LeadStatus>().is_err());
        assert!("".parse::<LeadStatus>().is_err());
        assert_eq!(LeadStatus::from_rank(3), Some(LeadStatus::Converted));
        for status in LeadStatus::ALL {
            assert_eq!(LeadStatus::from_rank(status.rank()), Some(status));
        }
        let ranks = LeadStatus::ALL.map(LeadStatus::rank);
        assert!(
            ranks.windows(2).all(|w| w[0] < w[1]),
            "ALL is pipeline order"
        );
        assert_eq!(LeadStatus::from_rank(4), None);
    }

    #[test]
    fn channel_labels_read_well() {
        assert_eq!(Channel::Sms.label(), "SMS");
        assert_eq!("facebook".parse(), Ok(Channel::Facebook));
        assert!("manual".parse::<Channel>().is_err());
    }

    #[test]
    fn vendor_minimal_shapes_parse() {
        let created: PartialLead = serde_json::from_str(
            r#"{"id":"lead_002","name":"John Doe","status":"new","created_at":"2025-03-20T11:30:00Z"}"#,
        )
        .unwrap();
        assert_eq!(created.status, Some(LeadStatus::New));
        assert_eq!(created.phone, None);
        let updated: PartialLead = serde_json::from_str(
            r#"{"id":"lead_001","name":"Jane Smith","status":"qualified","tags":["a"],"updated_at":"2025-03-21T09:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(updated.tags.as_deref(), Some(&["a".to_string()][..]));
        let bare: PartialLead = serde_json::from_str(r#"{"id":"x"}"#).unwrap();
        assert_eq!(bare.id, "x");
        assert!(serde_json::from_str::<PartialLead>(r#"{"name":"no id"}"#).is_err());
    }

    #[test]
    fn explicit_null_differs_from_absent() {
        let lead: PartialLead =
            serde_json::from_str(r#"{"id":"a","phone":null,"score":null}"#).unwrap();
        assert_eq!(lead.phone, Some(None));
        assert_eq!(lead.score, Some(None));
        assert_eq!(lead.email, None);
    }

    #[test]
    fn merge_never_blanks_an_omitted_field() {
        let full = Lead {
            id: "lead_001".into(),
            name: "Jane".into(),
            phone: Some("+15551234567".into()),
            email: Some("jane@example.com".into()),
            status: LeadStatus::New,
            source: "call".into(),
            score: Some(85),
            tags: vec!["vip".into()],
            created_at: "2025-03-20T10:00:00Z".into(),
            updated_at: "2025-03-20T10:00:00Z".into(),
        };
        let mut known = PartialLead::from(full);
        let reply: PartialLead = serde_json::from_str(
            r#"{"id":"lead_001","name":"Jane","status":"qualified","tags":[],"updated_at":"2025-03-21T09:00:00Z"}"#,
        )
        .unwrap();
        known.merge(reply);
        assert_eq!(known.status, Some(LeadStatus::Qualified));
        assert_eq!(known.tags, Some(vec![]));
        assert_eq!(known.email, Some(Some("jane@example.com".into())));
        assert_eq!(known.score, Some(Some(85)));
        let cleared: PartialLead =
            serde_json::from_str(r#"{"id":"lead_001","phone":null}"#).unwrap();
        known.merge(cleared);
        assert_eq!(known.phone, Some(None));
    }

    #[test]
    fn an_update_moves_updated_at_forward_never_back() {
        let mut lead = NewLead {
            name: "Jane".into(),
            ..NewLead::default()
        }
        .into_lead("lead_001".into(), "2025-03-20T10:00:00Z");
        let patch = LeadPatch {
            tags: Some(vec!["vip".into()]),
            ..LeadPatch::default()
        };
        lead.apply(&patch, "2025-03-20T10:05:00Z");
        assert_eq!(lead.updated_at, "2025-03-20T10:05:00Z");
        assert_eq!(lead.created_at, "2025-03-20T10:00:00Z", "created_at stays");
        lead.apply(&patch, "2025-03-20T09:00:00Z");
        assert_eq!(
            lead.updated_at, "2025-03-20T10:05:00Z",
            "a clock going back"
        );
        assert_eq!(lead.tags, ["vip"]);
    }
}
