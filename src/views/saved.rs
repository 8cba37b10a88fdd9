//! Saved views: named filters, sort and page size, kept in `localStorage`
//! for each API base (so two servers' views never mix). The URL stays the
//! source of truth: a saved view is only a name for a query string, shown
//! as a link.

use leads_core::ListQuery;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::i18n::{msg, I18n};

/// How long a view's name may be.
pub const MAX_NAME_CHARS: usize = 60;

/// One saved view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedView {
    pub name: String,
    /// The view's query string, from page 1 (`status=new&sort=-score`).
    pub query: String,
}

impl SavedView {
    /// The view it names, read as the console reads its own URL.
    pub fn list_query(&self) -> ListQuery {
        crate::views::list_state::read_query(&self.query).0
    }
}

/// The saved views of one API base, as the views bar keeps them.
#[derive(Clone, Copy)]
pub struct SavedViews {
    views: RwSignal<Vec<SavedView>>,
    key: StoredValue<String>,
}

impl SavedViews {
    /// The views saved for `api_base` in this browser.
    pub fn load(api_base: &str) -> Self {
        let key = format!("leads-console:views:{api_base}");
        let views = storage()
            .and_then(|s| s.get_item(&key).ok().flatten())
            .and_then(|text| crate::net::json::parse(&text))
            .unwrap_or_default();
        Self {
            views: RwSignal::new(views),
            key: StoredValue::new(key),
        }
    }

    /// Every saved view, in the order saved (tracked).
    pub fn all(&self) -> Vec<SavedView> {
        self.views.get()
    }

    /// Saves `query` (from page 1) as `name`, replacing a view of that
    /// name; a name that is blank or too long is refused with the reason.
    pub fn save(&self, name: &str, query: ListQuery) -> Result<(), NotSaved> {
        let name = name.trim();
        if name.is_empty() {
            return Err(NotSaved::NoName);
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(NotSaved::NameTooLong);
        }
        let view = SavedView {
            name: name.to_owned(),
            query: query.with_page(1).to_query_string(),
        };
        self.views.update(
            |views| match views.iter_mut().find(|v| v.name == view.name) {
                Some(same) => *same = view,
                None => views.push(view),
            },
        );
        self.store()
    }

    /// Forgets the view named `name`.
    pub fn delete(&self, name: &str) -> Result<(), NotSaved> {
        self.views.update(|views| views.retain(|v| v.name != name));
        self.store()
    }

    fn store(&self) -> Result<(), NotSaved> {
        let text = self
            .views
            .with_untracked(serde_json::to_string)
            .map_err(|_| NotSaved::Unwritable)?;
        storage()
            .and_then(|s| s.set_item(&self.key.get_value(), &text).ok())
            .ok_or(NotSaved::NotKept)
    }
}

/// Why a change to the saved views did not stick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotSaved {
    NoName,
    NameTooLong,
    /// The views could not be turned into text.
    Unwritable,
    /// The browser's storage refused them: full, or switched off.
    NotKept,
}

impl NotSaved {
    /// What the person reads, and what to do.
    pub fn message(self, i18n: I18n) -> String {
        match self {
            Self::NoName => i18n.t(msg::VIEWS_NO_NAME),
            Self::NameTooLong => i18n.fill(
                msg::VIEWS_NAME_TOO_LONG,
                &[("max", &i18n.number(MAX_NAME_CHARS as u64))],
            ),
            Self::Unwritable => i18n.t(msg::VIEWS_UNWRITABLE),
            Self::NotKept => i18n.t(msg::VIEWS_NOT_KEPT),
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

#[cfg(test)]
mod tests {
    use super::*;
    use leads_core::{LeadStatus, Sort, SortField};

    #[test]
    fn a_saved_query_reads_back_as_the_same_view() {
        let view = ListQuery::default()
            .with_status(Some(LeadStatus::Qualified))
            .with_sort(Sort::desc(SortField::Score))
            .with_limit(50);
        let saved = SavedView {
            name: "Hot".into(),
            query: view.to_query_string(),
        };
        assert_eq!(saved.list_query(), view);
    }
}
