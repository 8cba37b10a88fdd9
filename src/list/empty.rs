//! What the list says when a view has no rows.

use leptos::prelude::*;

/// Why the view is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Emptiness {
    /// Filters (perhaps a search, which is named, and others with it) are
    /// set and nothing matches them.
    NoMatches {
        search: Option<String>,
        others: bool,
    },
    /// There are no leads at all.
    NoLeads,
    /// The page number is past the last page.
    PastEnd { last_page: u32 },
}

/// The empty-state notice, with the one action that helps.
#[component]
pub fn EmptyState(why: Emptiness, on_clear: Callback<()>, on_page: Callback<u32>) -> impl IntoView {
    let (text, action) = match why {
        Emptiness::NoMatches { search, others } => (
            match (search, others) {
                (Some(q), false) => format!("No leads match “{q}”."),
                (Some(q), true) => format!("No leads match “{q}” with these filters."),
                (None, _) => "No leads match these filters.".to_owned(),
            },
            Some(
                view! {
                    <button class="button" type="button" on:click=move |_| on_clear.run(())>
                        "Clear filters"
                    </button>
                }
                .into_any(),
            ),
        ),
        Emptiness::NoLeads => (
            "No leads yet. Leads from calls, texts, forms and ads appear here as they arrive."
                .to_owned(),
            None,
        ),
        Emptiness::PastEnd { last_page } => (
            "This page is past the end of the list.".to_owned(),
            Some(
                view! {
                    <button class="button" type="button" on:click=move |_| on_page.run(last_page)>
                        {format!("Go to page {last_page}")}
                    </button>
                }
                .into_any(),
            ),
        ),
    };
    view! {
        <div class="notice notice--empty">
            <p>{text}</p>
            {action}
        </div>
    }
}
