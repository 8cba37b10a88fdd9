//! The list view and where it lives: the only code that reads or writes it.
//! With `url-state="query"` (the default) the view is in the page's query
//! string, Back and Forward step between views, and parameters the host
//! page owns are left as they are; with `url-state="none"` it is kept in
//! memory, for portals that own their URL. Components get a [`ListQuery`]
//! and ask for a new one; they never see parameter names or the mode.

use std::time::Duration;

use leads_core::query::Param;
use leads_core::ListQuery;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// Where the view lives, from the element's `url-state` attribute.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UrlState {
    /// In the page's query string.
    #[default]
    Query,
    /// In memory only.
    Memory,
}

impl UrlState {
    /// `none` keeps the view in memory; anything else (or nothing) uses
    /// the query string.
    pub fn from_attribute(value: Option<&str>) -> Self {
        match value.map(str::trim) {
            Some("none") => Self::Memory,
            _ => Self::Query,
        }
    }
}

/// The current view, and a way to move to another.
#[derive(Clone, Copy)]
pub struct ListState {
    /// The view, with invalid values replaced by defaults.
    pub query: Memo<ListQuery>,
    mode: UrlState,
    /// The view in memory mode.
    kept: RwSignal<ListQuery>,
    /// `location.search` as last seen, in query mode.
    search: RwSignal<String>,
}

impl ListState {
    /// The link to `query` when the view lives in the URL (the host page's
    /// own parameters and fragment kept); `None` when it lives in memory.
    pub fn href(&self, query: &ListQuery) -> Option<String> {
        (self.mode == UrlState::Query).then(|| url_for(query))
    }

    /// Shows `query`; in the URL, with a history entry so Back returns here.
    pub fn navigate(&self, query: ListQuery) {
        self.show(query, Entry::New);
    }

    /// Shows `query` as typing refines a search: the first search gets a
    /// history entry and each refinement replaces it, so Back leaves the
    /// search instead of stepping through every pause in the typing.
    pub fn refine(&self, query: ListQuery) {
        let searching = self.query.with_untracked(|q| q.q.is_some());
        self.show(
            query,
            if searching {
                Entry::Replace
            } else {
                Entry::New
            },
        );
    }

    fn show(&self, query: ListQuery, entry: Entry) {
        match self.mode {
            UrlState::Memory => self.kept.set(query),
            UrlState::Query => {
                // The view changes, and its request starts, before the
                // address bar does: a history entry costs the browser about
                // a millisecond, which the request need not wait for.
                self.search.set(search_for(&query));
                set_timeout(move || write_url(&query, entry), Duration::ZERO);
            }
        }
    }
}

/// The view for this console, from the mode in context ([`UrlState`];
/// the query string when none was given). A URL holding an invalid value
/// (or spelling out a default) is corrected in place, with a replace, so
/// Back never returns to the broken URL.
///
/// ```ignore
/// let list = use_list_state();
/// list.navigate(list.query.get().with_page(2));
/// ```
pub fn use_list_state() -> ListState {
    let mode = use_context::<UrlState>().unwrap_or_default();
    let kept = RwSignal::new(ListQuery::default());
    let search = RwSignal::new(current_search());
    if mode == UrlState::Query {
        let listener = window_event_listener(leptos::ev::popstate, move |_| {
            search.set(current_search());
        });
        on_cleanup(move || listener.remove());
    }
    let parsed = Memo::new(move |_| match mode {
        UrlState::Memory => (kept.get(), false),
        UrlState::Query => search.with(|search| read_query(search)),
    });
    let query = Memo::new(move |_| parsed.get().0);
    Effect::new(move |_| {
        let (query, rewrite) = parsed.get();
        if rewrite && mode == UrlState::Query {
            write_url(&query, Entry::Replace);
            search.set(current_search());
        }
    });
    ListState {
        query,
        mode,
        kept,
        search,
    }
}

fn current_search() -> String {
    window().location().search().unwrap_or_default()
}

/// The view a query string describes (the page's, or a saved view's), and
/// whether the string should be rewritten: the console's one reader. In
/// the browser it decodes with the browser's own `URLSearchParams`, which
/// costs the download nothing; host builds (the unit tests) use
/// `leads-core`'s reader, which decodes as browsers do.
#[cfg(target_arch = "wasm32")]
pub fn read_query(search: &str) -> (ListQuery, bool) {
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(search) else {
        return (ListQuery::default(), false);
    };
    let values: Vec<(&str, String)> = Param::ALL
        .iter()
        .flat_map(|param| {
            let key = param.as_str();
            params
                .get_all(key)
                .iter()
                .filter_map(|value| value.as_string())
                .map(move |value| (key, value))
                .collect::<Vec<_>>()
        })
        .collect();
    ListQuery::parse_lenient(values.iter().map(|(k, v)| (*k, v.as_str())))
}

/// See the wasm32 [`read_query`].
#[cfg(not(target_arch = "wasm32"))]
pub fn read_query(search: &str) -> (ListQuery, bool) {
    ListQuery::from_query_string_lenient(search)
}

/// Puts `query` in the URL (see [`url_for`]).
fn write_url(query: &ListQuery, entry: Entry) {
    let href = url_for(query);
    let Ok(history) = window().history() else {
        return;
    };
    let _ = match entry {
        Entry::Replace => history.replace_state_with_url(&JsValue::NULL, "", Some(&href)),
        Entry::New => history.push_state_with_url(&JsValue::NULL, "", Some(&href)),
    };
}

/// Whether a view gets a history entry of its own (Back returns to the
/// one before) or corrects the current one in place.
#[derive(Clone, Copy)]
enum Entry {
    New,
    Replace,
}

/// This page's URL showing `query`, keeping every parameter that is not
/// the list's exactly as the host page wrote it, and the fragment.
fn url_for(query: &ListQuery) -> String {
    let location = window().location();
    format!(
        "{}{}{}",
        location.pathname().unwrap_or_default(),
        search_for(query),
        location.hash().unwrap_or_default()
    )
}

/// The query string (`?…`, or nothing) of [`url_for`]`(query)`.
fn search_for(query: &ListQuery) -> String {
    let search = current_search();
    let ours = query.to_query_string();
    let parts: Vec<&str> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|part| !part.is_empty() && !is_list_param(part))
        .chain((!ours.is_empty()).then_some(ours.as_str()))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// True for `status=…` and the other list parameters, as written.
fn is_list_param(part: &str) -> bool {
    let key = part.split('=').next().unwrap_or(part);
    Param::named(key).is_some()
}
