//! What the list says when a view has no rows.

use leptos::prelude::*;

use crate::i18n::{msg, use_i18n};

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
    let i18n = use_i18n();
    let text = {
        let why = why.clone();
        move || match &why {
            Emptiness::NoMatches { search, others } => match (search, others) {
                (Some(q), false) => i18n.fill(msg::EMPTY_NO_MATCH_SEARCH, &[("search", q)]),
                (Some(q), true) => i18n.fill(msg::EMPTY_NO_MATCH_SEARCH_FILTERS, &[("search", q)]),
                (None, _) => i18n.t(msg::EMPTY_NO_MATCH),
            },
            Emptiness::NoLeads => i18n.t(msg::EMPTY_NO_LEADS),
            Emptiness::PastEnd { .. } => i18n.t(msg::EMPTY_PAST_END),
        }
    };
    let action = match why {
        Emptiness::NoMatches { .. } => Some(
            view! {
                <button class="button" type="button" on:click=move |_| on_clear.run(())>
                    {i18n.text(msg::FILTERS_CLEAR)}
                </button>
            }
            .into_any(),
        ),
        Emptiness::NoLeads => None,
        Emptiness::PastEnd { last_page } => Some(
            view! {
                <button class="button" type="button" on:click=move |_| on_page.run(last_page)>
                    {move || {
                        i18n.fill(msg::EMPTY_GO_TO_PAGE, &[("page", &i18n.number(last_page.into()))])
                    }}
                </button>
            }
            .into_any(),
        ),
    };
    view! {
        <div class="notice notice--empty">
            <p>{text}</p>
            {action}
        </div>
    }
}
