//! The list view in the URL: the only code that reads or writes the query
//! string. Components get a [`ListQuery`] and ask for a new one; they never
//! see parameter names.

use leads_core::query::LIST_PARAMS;
use leads_core::ListQuery;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::NavigateOptions;

/// The current view, and a way to move to another.
#[derive(Clone, Copy)]
pub struct ListState {
    /// The view the URL describes, with invalid values replaced by defaults.
    pub query: Memo<ListQuery>,
    go: StoredValue<Box<dyn Fn(ListQuery, bool) + Send + Sync>>,
}

impl ListState {
    /// Shows `query`, adding a history entry so Back returns here.
    pub fn navigate(&self, query: ListQuery) {
        self.go.with_value(|go| go(query, false));
    }
}

/// Reads the view from the URL. When the URL holds an invalid value (or
/// spells out a default) it is corrected in place, with a replace, so Back
/// never returns to the broken URL.
///
/// ```ignore
/// let list = use_list_state();
/// list.navigate(list.query.get().with_page(2));
/// ```
pub fn use_list_state() -> ListState {
    let params = use_query_map();
    let pathname = use_location().pathname;
    let parsed = Memo::new(move |_| {
        params.with(|map| {
            let values: Vec<(&str, String)> = LIST_PARAMS
                .iter()
                .flat_map(|key| {
                    map.get_all(key)
                        .unwrap_or_default()
                        .into_iter()
                        .map(move |v| (*key, v))
                })
                .collect();
            ListQuery::parse_lenient(values.iter().map(|(k, v)| (*k, v.as_str())))
        })
    });
    let query = Memo::new(move |_| parsed.get().0);
    let navigate = use_navigate();
    let go = move |query: ListQuery, replace: bool| {
        let qs = query.to_query_string();
        let path = pathname.get_untracked();
        let href = if qs.is_empty() {
            path
        } else {
            format!("{path}?{qs}")
        };
        navigate(
            &href,
            NavigateOptions {
                replace,
                scroll: false,
                ..NavigateOptions::default()
            },
        );
    };
    let go: Box<dyn Fn(ListQuery, bool) + Send + Sync> = Box::new(go);
    let go = StoredValue::new(go);
    Effect::new(move |_| {
        let (query, rewrite) = parsed.get();
        if rewrite {
            go.with_value(|go| go(query, true));
        }
    });
    ListState { query, go }
}
