//! The synced copy of the vendor's leads (`--mirror`), as both engines keep
//! it: how a lead the vendor told us of joins the copy ([`decide`]), and
//! the record of the sync's progress that every instance reads.
//!
//! The copy lives in the same `leads` table as the store's own leads, so
//! lists, search and tags read it the same way; a lead's row number is the
//! number at the end of its id when that is free ([`row_hint`]), so ties in
//! a sort fall in the vendor's creation order, as the contract orders them.

use leads_core::{Lead, PartialLead};

use crate::event::LeadEvent;

/// A lead the vendor told us of, to take into the copy.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// What the vendor said: a whole lead from a list page, or the short
    /// shape of a write's or a webhook's answer.
    pub lead: PartialLead,
    /// What a lead new to the copy is where `lead` says nothing.
    pub fallback: Lead,
    /// `fallback`'s times are this server's guesses (a webhook that named
    /// none): the next page from the vendor replaces them even if older.
    pub guessed: bool,
    /// The webhook delivery it came in, taken in the same transaction.
    pub delivery: Option<String>,
}

impl Incoming {
    /// A lead as a page of the vendor's list gave it.
    pub fn listed(lead: PartialLead) -> Incoming {
        let fallback = placeholder(&lead.id);
        Incoming {
            lead,
            fallback,
            guessed: false,
            delivery: None,
        }
    }
}

/// A lead with nothing known but its id, for a page item that left fields
/// out: the contract's create defaults.
pub fn placeholder(id: &str) -> Lead {
    leads_core::NewLead {
        name: id.to_owned(),
        ..leads_core::NewLead::default()
    }
    .into_lead(id.to_owned(), "1970-01-01T00:00:00Z")
}

/// `lead` with its times as the contract writes them (UTC, whole seconds),
/// so they compare as text with the copy's; a time that is none is left
/// out.
pub fn normalised(mut lead: PartialLead) -> PartialLead {
    for slot in [&mut lead.created_at, &mut lead.updated_at] {
        *slot = slot.take().and_then(|at| crate::time::normalise(&at));
    }
    lead
}

/// What became of an [`Incoming`] lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Absorbed {
    /// New to the copy: stored, and announced as created.
    Created(Lead),
    /// Changed the copy: stored, and announced with the fields that
    /// changed (not at all when only `updated_at` moved).
    Changed(Lead),
    /// The copy already said exactly this.
    Unchanged(Lead),
    /// The copy is newer (a write's answer landed after this page was
    /// read): kept as it is.
    Kept(Lead),
    /// This webhook delivery came before: nothing changed.
    Duplicate,
}

impl Absorbed {
    /// The lead as the copy now holds it.
    pub fn lead(&self) -> Option<&Lead> {
        match self {
            Absorbed::Created(lead)
            | Absorbed::Changed(lead)
            | Absorbed::Unchanged(lead)
            | Absorbed::Kept(lead) => Some(lead),
            Absorbed::Duplicate => None,
        }
    }
}

/// What to write for an incoming lead, given the copy's row (and whether
/// that row's times are guesses).
pub(crate) enum Decision {
    /// A new row, and its event.
    Insert(Lead, LeadEvent),
    /// The row rewritten; the event when a field a person sees changed.
    Update(Lead, Option<LeadEvent>),
    /// Nothing to write.
    Leave(Absorbed),
}

/// Merges `incoming` over the copy's row `existing`: a field the vendor
/// left out is never blanked, and a row newer than the vendor's answer is
/// never moved back (unless its times were guesses).
pub(crate) fn decide(existing: Option<(Lead, bool)>, incoming: &Incoming) -> Decision {
    let Some((copy, guessed)) = existing else {
        let mut lead = incoming.fallback.clone();
        lead.merge(incoming.lead.clone());
        let event = super::created(&lead);
        return Decision::Insert(lead, event);
    };
    let older = incoming
        .lead
        .updated_at
        .as_deref()
        .is_some_and(|at| at < copy.updated_at.as_str());
    if older && !guessed {
        return Decision::Leave(Absorbed::Kept(copy));
    }
    let mut lead = copy.clone();
    lead.merge(incoming.lead.clone());
    if lead == copy {
        return Decision::Leave(Absorbed::Unchanged(copy));
    }
    let event = super::updated(&copy, &lead);
    Decision::Update(lead, event)
}

/// Whether the copy's row for `incoming` holds guesses after it joined:
/// only a new row made from an answer that named no times.
pub(crate) fn keeps_guesses(incoming: &Incoming, absorbed: &Absorbed) -> bool {
    incoming.guessed && matches!(absorbed, Absorbed::Created(_))
}

/// The row number a lead from the vendor asks for: the number its id ends
/// in (`lead_042` → 42), so the copy breaks ties as the vendor does.
pub(crate) fn row_hint(id: &str) -> Option<i64> {
    let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    id[id.len() - digits..]
        .parse::<i64>()
        .ok()
        .filter(|&n| n > 0)
}

/// Where the sync stands, kept in the database so every instance (and a
/// restart) knows: the copy of which vendor, how far it got, and whether
/// the vendor answers. Times are RFC 3339 UTC.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncRecord {
    /// The vendor's API this copy is of (`--upstream`).
    pub upstream: String,
    /// When the last full walk over every lead ended; `None` until the
    /// first one does (the copy is not complete before).
    pub walked_at: Option<String>,
    /// When the last pass that reached the vendor ended.
    pub synced_at: Option<String>,
    /// The newest `updated_at` seen at the vendor: the next pass follows
    /// from a little before it.
    pub cursor: Option<String>,
    /// Since when passes have failed to reach the vendor; `None` while it
    /// answers.
    pub unreachable_since: Option<String>,
    /// Why the last pass failed, for operators.
    pub problem: Option<String>,
    /// What the syncing instance was doing at its last pass: `walking`
    /// (every lead, as at start) or `following` (what changed).
    pub state: Option<String>,
}

/// Why a database cannot hold the copy of `--upstream`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// It holds leads that are not a copy (a store's own, or demo leads).
    HasOwnLeads,
    /// It is a copy of another vendor's API.
    CopyOf(String),
    /// It is a copy, and the server was started without `--mirror`.
    IsACopy(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::HasOwnLeads => f.write_str(
                "it holds leads of its own (demo leads, or a server without --upstream): \
                 a copy of the vendor's leads needs a database of its own",
            ),
            Refusal::CopyOf(other) => write!(
                f,
                "it holds a copy of the leads at {other}: give the copy of another API a \
                 database of its own, or start with --upstream {other}"
            ),
            Refusal::IsACopy(upstream) => write!(
                f,
                "it holds a copy of the leads at {upstream}: start with --upstream {upstream} \
                 --mirror, or use another database"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leads_core::LeadStatus;

    fn lead(updated_at: &str) -> Lead {
        let mut lead = placeholder("lead_007");
        lead.name = "Jane".into();
        lead.phone = Some("+15550102030".into());
        lead.updated_at = updated_at.into();
        lead
    }

    fn short(status: LeadStatus, updated_at: &str) -> Incoming {
        Incoming::listed(PartialLead {
            id: "lead_007".into(),
            status: Some(status),
            updated_at: Some(updated_at.into()),
            ..PartialLead::default()
        })
    }

    #[test]
    fn a_short_answer_never_blanks_a_field_and_says_what_changed() {
        let copy = lead("2025-03-20T10:00:00Z");
        let incoming = short(LeadStatus::Qualified, "2025-03-20T10:00:05Z");
        let Decision::Update(after, Some(LeadEvent::Updated(event))) =
            decide(Some((copy, false)), &incoming)
        else {
            panic!("an update with its event");
        };
        assert_eq!(after.phone.as_deref(), Some("+15550102030"));
        assert_eq!(after.status, LeadStatus::Qualified);
        assert_eq!(event.fields, ["status"]);
    }

    #[test]
    fn a_change_in_the_same_second_is_taken_and_an_older_answer_is_not() {
        let copy = lead("2025-03-20T10:00:05Z");
        let same_second = short(LeadStatus::Converted, "2025-03-20T10:00:05Z");
        assert!(matches!(
            decide(Some((copy.clone(), false)), &same_second),
            Decision::Update(..)
        ));
        let older = short(LeadStatus::Converted, "2025-03-20T10:00:04Z");
        assert!(matches!(
            decide(Some((copy.clone(), false)), &older),
            Decision::Leave(Absorbed::Kept(_))
        ));
        assert!(
            matches!(
                decide(Some((copy.clone(), true)), &older),
                Decision::Update(..)
            ),
            "guessed times give way"
        );
        let again = short(LeadStatus::New, "2025-03-20T10:00:05Z");
        assert!(matches!(
            decide(Some((copy, false)), &again),
            Decision::Leave(Absorbed::Unchanged(_))
        ));
    }

    #[test]
    fn the_row_follows_the_number_the_id_ends_in() {
        assert_eq!(row_hint("lead_042"), Some(42));
        assert_eq!(row_hint("ld-1000"), Some(1000));
        assert_eq!(row_hint("lead_"), None);
        assert_eq!(row_hint("lead_0"), None);
        assert_eq!(row_hint("x99999999999999999999"), None);
    }
}
