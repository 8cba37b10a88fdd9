//! What the console knows about leads beyond the loaded page: the merged
//! answers to its own creates and updates (and when each save landed, so
//! an older event is not news), the rows being edited with what was typed,
//! a colleague's version waiting for an open editor, the leads it created,
//! the leads to highlight, the row whose Edit button takes the focus back,
//! and the host page it tells of each write. Shared through context by the
//! leads page; the rows read and write it.

use crate::ui::collections::{HashMap, HashSet};

use leads_core::timestamp::Timestamp;
use leads_core::{Field, LeadPatch, LeadStatus, NewLead, PartialLead};
use leptos::prelude::*;

use crate::edit::lead_form::{LeadForm, SetAside};

/// How long a highlighted lead, such as one just created, stays marked.
pub const HIGHLIGHT_TIME: std::time::Duration = std::time::Duration::from_secs(3);

/// What is known of a new lead once the server has answered: the lead the
/// create makes of what was sent, overlaid with the reply (which may be the
/// vendor's short shape).
pub fn created_lead(sent: &NewLead, reply: PartialLead) -> PartialLead {
    let created_at = reply
        .created_at
        .clone()
        .unwrap_or_else(|| String::from(js_sys::Date::new_0().to_iso_string()));
    let mut lead = PartialLead::from(sent.clone().into_lead(reply.id.clone(), &created_at));
    lead.merge(reply);
    lead
}

/// `base` with `saved` (what the console's writes learned) over it.
fn overlay(base: &PartialLead, saved: Option<PartialLead>) -> PartialLead {
    let mut lead = base.clone();
    if let Some(saved) = saved {
        lead.merge(saved);
    }
    lead
}

/// What the page the console lives in is told of the console's writes
/// (the host element's events).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Told<'a> {
    Created(&'a str),
    Updated(&'a str, &'a [Field]),
}

/// Passes what the console wrote on to the host page.
type Tell = Box<dyn Fn(Told<'_>)>;

/// Edit state for the leads page.
#[derive(Clone, Copy)]
pub struct LeadEdits {
    /// Tells the host page of every saved write.
    tell: StoredValue<Tell, LocalStorage>,
    /// Leads as the console last learned them from its own writes, merged
    /// over the page's copy; forgotten when the view reloads.
    saved: RwSignal<HashMap<String, PartialLead>>,
    /// Rows in edit mode, with what was typed; kept across reloads so no
    /// typing is lost.
    drafts: RwSignal<HashMap<String, LeadForm>>,
    /// Leads to draw attention to: one just created, or those that just
    /// arrived live.
    highlight: RwSignal<HashSet<String>>,
    /// Leads created in this console: their live events are its own echo.
    own: StoredValue<HashSet<String>>,
    /// When each lead was last changed by a save of this console's, by the
    /// server's clock: an event about a state no later than that is about
    /// a state the save replaced (or is the save's own echo).
    own_saves: StoredValue<HashMap<String, Timestamp>>,
    /// A colleague's newer version of a lead whose editor is open, and
    /// whether the person chose to keep editing (which hides the notice).
    conflicts: RwSignal<HashMap<String, (PartialLead, bool)>>,
    /// The row whose editor just closed: its Edit button takes focus back,
    /// so a keyboard user stays where they were.
    return_focus: StoredValue<Option<String>>,
}

impl LeadEdits {
    /// Empty edit state; `tell` passes each lead the console creates or
    /// updates on to the host page.
    pub fn new(tell: impl Fn(Told<'_>) + 'static) -> Self {
        Self {
            tell: StoredValue::new_local(Box::new(tell)),
            saved: RwSignal::new(HashMap::default()),
            drafts: RwSignal::new(HashMap::default()),
            highlight: RwSignal::new(HashSet::default()),
            own: StoredValue::new(HashSet::default()),
            own_saves: StoredValue::new(HashMap::default()),
            conflicts: RwSignal::new(HashMap::default()),
            return_focus: StoredValue::new(None),
        }
    }

    /// `base` with whatever the console's own writes taught it overlaid
    /// (tracked). A write may know only part of the lead (a bulk change
    /// knows a lead off screen by its name and status), so it goes over the
    /// page's copy rather than replacing it.
    pub fn lead(&self, base: &PartialLead) -> PartialLead {
        overlay(base, self.saved.with(|saved| saved.get(&base.id).cloned()))
    }

    /// The status the console's own writes last gave `id` since the view
    /// loaded, if any.
    pub fn saved_status(&self, id: &str) -> Option<LeadStatus> {
        self.saved
            .with_untracked(|saved| saved.get(id).and_then(|lead| lead.status))
    }

    /// True when this lead was changed here since the view loaded (tracked).
    pub fn changed_here(&self, id: &str) -> bool {
        self.saved.with(|saved| saved.contains_key(id))
    }

    /// Records a saved update: what was known, with what was sent, overlaid
    /// with the reply (which may leave fields out), which it answers. The
    /// host page hears which fields changed.
    pub fn record(&self, known: &PartialLead, sent: &LeadPatch, reply: PartialLead) -> PartialLead {
        self.tell
            .with_value(|tell| tell(Told::Updated(&known.id, &sent.changed_fields())));
        let mut merged = known.clone();
        merged.apply(sent);
        merged.merge(reply);
        if let Some(at) = merged.updated_at.as_deref().and_then(Timestamp::parse) {
            self.own_saves.update_value(|own| {
                own.insert(merged.id.clone(), at);
            });
        }
        self.show(merged.clone());
        merged
    }

    /// Shows `lead` over the page's copy until the view reloads.
    fn show(&self, lead: PartialLead) {
        self.saved.update(|saved| {
            saved.insert(lead.id.clone(), lead);
        });
    }

    /// A colleague's version waiting for the editor of lead `id`, taken.
    fn take_conflict(&self, id: &str) -> Option<PartialLead> {
        self.conflicts
            .try_update(|conflicts| conflicts.remove(id))
            .flatten()
            .map(|(theirs, _)| theirs)
    }

    /// The view reloaded: its rows are the truth again.
    pub fn forget_saved(&self) {
        self.saved.update(HashMap::clear);
        self.own_saves.update_value(HashMap::clear);
    }

    /// The draft for a row in edit mode (tracked).
    pub fn draft(&self, id: &str) -> Option<LeadForm> {
        self.drafts.with(|drafts| drafts.get(id).cloned())
    }

    /// True when the row is in edit mode (tracked).
    pub fn is_editing(&self, id: &str) -> bool {
        self.drafts.with(|drafts| drafts.contains_key(id))
    }

    /// Puts a row in edit mode, or updates what was typed in it.
    pub fn set_draft(&self, id: &str, form: LeadForm) {
        self.drafts.update(|drafts| {
            drafts.insert(id.to_owned(), form);
        });
    }

    /// Leaves edit mode for a row; its Edit button takes focus back. A
    /// colleague's version that arrived meanwhile shows now, unless this
    /// console saved something newer.
    pub fn close_draft(&self, id: &str) {
        self.return_focus.set_value(Some(id.to_owned()));
        self.drafts.update(|drafts| {
            drafts.remove(id);
        });
        if let Some(theirs) = self.take_conflict(id).filter(|theirs| self.is_news(theirs)) {
            self.show(theirs);
        }
    }

    /// True unless `theirs` is about a state no later than this console's
    /// own last save of the lead. Among other people's changes the stream's
    /// order is the truth, even within one second; against a save of ours
    /// in the same second, ours is shown until the view reloads.
    fn is_news(&self, theirs: &PartialLead) -> bool {
        let at = theirs.updated_at.as_deref().and_then(Timestamp::parse);
        self.own_saves
            .with_value(|own| match (own.get(&theirs.id), at) {
                (Some(ours), Some(at)) => at > *ours,
                _ => true,
            })
    }

    /// A colleague changed a lead on screen (`base` is the page's copy):
    /// the row shows their version, unless it is about a state a save of
    /// ours replaced. A row being edited keeps every keystroke and asks
    /// instead.
    pub fn record_remote(&self, base: &PartialLead, theirs: PartialLead) {
        if !self.is_news(&theirs) {
            return;
        }
        let mut merged = self.lead_untracked(base);
        merged.merge(theirs);
        let draft = self
            .drafts
            .with_untracked(|drafts| drafts.get(&base.id).cloned());
        if let Some(draft) = draft {
            // A version equal to what is typed (the echo of the save being
            // sent, say) asks nothing; it shows when the editor closes.
            let same = !draft.is_dirty(&merged);
            self.conflicts.update(|conflicts| {
                conflicts.insert(base.id.clone(), (merged, same));
            });
        } else {
            self.show(merged);
        }
    }

    /// True while the row's editor should say that someone else changed
    /// the lead (tracked).
    pub fn has_conflict(&self, id: &str) -> bool {
        self.conflicts
            .with(|conflicts| conflicts.get(id).is_some_and(|(_, kept)| !kept))
    }

    /// "Load their version": the editor moves onto the colleague's version,
    /// their values in every field they changed and the typing in the rest
    /// (see [`LeadForm::rebase`]); the typing their values replaced comes
    /// back, for "Use my text".
    pub fn load_theirs(&self, base: &PartialLead) -> Option<SetAside> {
        let theirs = self.take_conflict(&base.id)?;
        let mine = self.lead_untracked(base);
        let draft = self.drafts.with_untracked(|d| d.get(&base.id).cloned());
        let aside = draft.and_then(|draft| {
            let (rebased, aside) = draft.rebase(&mine, &theirs);
            self.set_draft(&base.id, rebased);
            aside
        });
        self.show(theirs);
        aside
    }

    /// "Keep editing": the notice goes; the colleague's version shows when
    /// the editor closes without a newer save.
    pub fn keep_editing(&self, id: &str) {
        self.conflicts.update(|conflicts| {
            if let Some((_, kept)) = conflicts.get_mut(id) {
                *kept = true;
            }
        });
    }

    /// True, once, for the row whose editor just closed.
    pub fn take_return_focus(&self, id: &str) -> bool {
        self.return_focus
            .try_update_value(|wanted| {
                let mine = wanted.as_deref() == Some(id);
                if mine {
                    *wanted = None;
                }
                mine
            })
            .unwrap_or(false)
    }

    /// True when any row in edit mode holds typing that is not saved.
    pub fn has_unsaved(&self, base: impl Fn(&str) -> Option<PartialLead>) -> bool {
        self.drafts.with_untracked(|drafts| {
            drafts.iter().any(|(id, form)| match base(id) {
                Some(lead) => form.is_dirty(&self.lead_untracked(&lead)),
                None => true,
            })
        })
    }

    fn lead_untracked(&self, base: &PartialLead) -> PartialLead {
        overlay(
            base,
            self.saved
                .with_untracked(|saved| saved.get(&base.id).cloned()),
        )
    }

    /// A lead the console just created: the host page hears of it (unless
    /// `heard`: the live stream, faster than the reply, told it already),
    /// its live event is known as this console's own, and it is marked for
    /// a brief highlight.
    pub fn record_created(&self, id: String, heard: bool) {
        if !heard {
            self.tell.with_value(|tell| tell(Told::Created(&id)));
        }
        self.own.update_value(|own| {
            own.insert(id.clone());
        });
        self.highlight_for_a_while(vec![id]);
    }

    /// True for a lead this console created.
    pub fn is_own(&self, id: &str) -> bool {
        self.own.with_value(|own| own.contains(id))
    }

    /// Marks `ids` for a brief highlight, such as leads just shown live.
    pub fn highlight_for_a_while(&self, ids: Vec<String>) {
        self.highlight.update(|h| h.extend(ids.iter().cloned()));
        let highlight = self.highlight;
        set_timeout(
            move || {
                highlight.try_update(|h| {
                    for id in &ids {
                        h.remove(id);
                    }
                });
            },
            HIGHLIGHT_TIME,
        );
    }

    /// True while `id` is highlighted (tracked).
    pub fn is_highlighted(&self, id: &str) -> bool {
        self.highlight.with(|h| h.contains(id))
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;

    const AT: &str = "2025-03-21T09:00:00Z";

    fn lead(name: &str, updated_at: &str) -> PartialLead {
        PartialLead {
            id: "lead_1".into(),
            name: Some(name.into()),
            status: Some(LeadStatus::New),
            updated_at: Some(updated_at.into()),
            ..PartialLead::default()
        }
    }

    /// Edit state whose host page's events are written down.
    fn edits() -> (LeadEdits, Rc<RefCell<Vec<String>>>) {
        let told = Rc::new(RefCell::new(Vec::new()));
        let log = Rc::clone(&told);
        let edits = LeadEdits::new(move |event| log.borrow_mut().push(format!("{event:?}")));
        (edits, told)
    }

    fn name(edits: &LeadEdits, base: &PartialLead) -> Option<String> {
        edits.lead(base).name
    }

    #[test]
    fn an_event_our_save_replaced_is_ignored_and_a_later_one_shows() {
        let (edits, told) = edits();
        let base = lead("Ann", "2025-03-21T08:00:00Z");
        let reply = PartialLead {
            status: Some(LeadStatus::Qualified),
            ..lead("Ann", AT)
        };
        edits.record(&base, &LeadPatch::status(LeadStatus::Qualified), reply);
        assert_eq!(*told.borrow(), [r#"Updated("lead_1", [Status])"#]);
        assert_eq!(edits.lead(&base).status, Some(LeadStatus::Qualified));

        // The stream's copy of the state our save replaced, or its echo.
        edits.record_remote(&base, lead("Old", "2025-03-21T08:59:59Z"));
        edits.record_remote(&base, lead("Echo", AT));
        assert_eq!(name(&edits, &base).as_deref(), Some("Ann"));

        // Half a second after ours is later, though text order says not.
        edits.record_remote(&base, lead("Bea", "2025-03-21T09:00:00.5Z"));
        assert_eq!(name(&edits, &base).as_deref(), Some("Bea"));
    }

    #[test]
    fn a_colleagues_change_waits_while_the_row_is_edited() {
        let (edits, _) = edits();
        let base = lead("Ann", AT);
        let mut typed = LeadForm::from_lead(&base);
        typed.name = "Ann Typed".into();
        edits.set_draft("lead_1", typed.clone());

        edits.record_remote(&base, lead("Theirs", "2025-03-21T10:00:00Z"));
        assert!(edits.has_conflict("lead_1"), "the editor asks");
        assert_eq!(name(&edits, &base).as_deref(), Some("Ann"), "nothing moved");
        assert_eq!(edits.draft("lead_1"), Some(typed), "every keystroke kept");

        edits.keep_editing("lead_1");
        assert!(
            !edits.has_conflict("lead_1"),
            "Keep editing hides the notice"
        );
        edits.close_draft("lead_1");
        assert_eq!(
            name(&edits, &base).as_deref(),
            Some("Theirs"),
            "shown on close"
        );
        assert!(edits.take_return_focus("lead_1") && !edits.take_return_focus("lead_1"));
    }

    #[test]
    fn the_echo_of_what_was_typed_asks_nothing() {
        let (edits, _) = edits();
        let base = lead("Ann", AT);
        let mut typed = LeadForm::from_lead(&base);
        typed.name = "Ann Typed".into();
        edits.set_draft("lead_1", typed);
        edits.record_remote(&base, lead("Ann Typed", "2025-03-21T10:00:00Z"));
        assert!(!edits.has_conflict("lead_1"));
        edits.close_draft("lead_1");
        assert_eq!(name(&edits, &base).as_deref(), Some("Ann Typed"));
    }

    #[test]
    fn load_their_version_takes_theirs_and_sets_aside_what_it_replaced() {
        let (edits, _) = edits();
        let base = lead("Ann", AT);
        let mut typed = LeadForm::from_lead(&base);
        typed.name = "Mine".into();
        edits.set_draft("lead_1", typed);
        edits.record_remote(&base, lead("Theirs", "2025-03-21T10:00:00Z"));

        let aside = edits
            .load_theirs(&base)
            .expect("what I typed in Name, set aside");
        assert_eq!(aside.fields, [Field::Name]);
        assert_eq!(
            edits.draft("lead_1").map(|d| d.name).as_deref(),
            Some("Theirs")
        );
        assert_eq!(name(&edits, &base).as_deref(), Some("Theirs"));
        assert!(!edits.has_conflict("lead_1"));
        assert_eq!(edits.load_theirs(&base), None, "once");
    }

    #[test]
    fn a_reload_makes_the_page_the_truth_again() {
        let (edits, _) = edits();
        let base = lead("Ann", "2025-03-21T08:00:00Z");
        edits.record(
            &base,
            &LeadPatch::status(LeadStatus::Converted),
            lead("Ann", AT),
        );
        assert!(edits.changed_here("lead_1"));
        edits.forget_saved();
        assert!(!edits.changed_here("lead_1"));
        // Our save is forgotten too: an older event is news again.
        edits.record_remote(&base, lead("Old", "2025-03-21T08:30:00Z"));
        assert_eq!(name(&edits, &base).as_deref(), Some("Old"));
    }

    #[test]
    fn the_vendors_short_create_reply_keeps_what_was_sent() {
        let sent = NewLead {
            name: "John Doe".into(),
            phone: Some("+15559876543".into()),
            email: Some("john@example.com".into()),
            source: Some("crm-import".into()),
            tags: vec!["hvac-repair".into()],
        };
        let reply: PartialLead = serde_json::from_str(
            r#"{"id":"lead_002","name":"John Doe","status":"new","created_at":"2025-03-20T11:30:00Z"}"#,
        )
        .unwrap();
        let lead = created_lead(&sent, reply);
        assert_eq!(lead.id, "lead_002");
        assert_eq!(lead.phone, Some(Some("+15559876543".into())));
        assert_eq!(lead.email, Some(Some("john@example.com".into())));
        assert_eq!(lead.tags, Some(vec!["hvac-repair".to_string()]));
        assert_eq!(lead.created_at.as_deref(), Some("2025-03-20T11:30:00Z"));
    }
}
