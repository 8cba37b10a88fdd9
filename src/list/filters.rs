//! The list's controls: Search leads and the active tag (where the API
//! searches), Status, Source, Sort by, Per page, and Clear filters.
//! Each change asks [`ListState`] for a new view; nothing here knows the URL.

use leads_core::limits::PAGE_SIZES;
use leads_core::{Channel, LeadStatus, Sort, SortField};
use leptos::prelude::*;

use crate::i18n::{channel, msg, status, use_i18n, Msg};
use crate::list::search::{search_controls, Marking};
use crate::ui::deferred::{Deferred, Missing};
use crate::views::list_state::ListState;

/// The Sort by options: visible text and the order they stand for.
const SORT_OPTIONS: [(Msg, Sort); 7] = [
    (msg::SORT_NEWEST, Sort::desc(SortField::CreatedAt)),
    (msg::SORT_OLDEST, Sort::asc(SortField::CreatedAt)),
    (msg::SORT_NAME_A_Z, Sort::asc(SortField::Name)),
    (msg::SORT_NAME_Z_A, Sort::desc(SortField::Name)),
    (msg::SORT_SCORE_HIGHEST, Sort::desc(SortField::Score)),
    (msg::SORT_SCORE_LOWEST, Sort::asc(SortField::Score)),
    (msg::SORT_UPDATED_RECENTLY, Sort::desc(SortField::UpdatedAt)),
];

/// The filter bar. Where the API searches (`marking`), the search field
/// and the active tag come with the extras module, once the first view
/// has answered (`answered`; `attempt` is the page's one Retry for it),
/// in room kept for them so nothing moves when they do.
#[component]
pub fn ListFilters(
    list: ListState,
    marking: Option<Marking>,
    answered: Memo<bool>,
    attempt: RwSignal<u32>,
) -> impl IntoView {
    let query = list.query;
    let i18n = use_i18n();
    let on_status = move |ev| {
        let status = event_target_value(&ev).parse::<LeadStatus>().ok();
        list.navigate(query.get_untracked().with_status(status));
    };
    let on_source = move |ev| {
        let source = event_target_value(&ev).parse::<Channel>().ok();
        list.navigate(query.get_untracked().with_source(source));
    };
    let on_sort = move |ev| {
        if let Ok(sort) = event_target_value(&ev).parse::<Sort>() {
            list.navigate(query.get_untracked().with_sort(sort));
        }
    };
    let on_limit = move |ev| {
        if let Ok(limit) = event_target_value(&ev).parse::<u32>() {
            list.navigate(query.get_untracked().with_limit(limit));
        }
    };
    let sort_value = move || query.get().sort.to_string();
    let unlisted_sort = move || {
        let sort = query.get().sort;
        (!SORT_OPTIONS.iter().any(|(_, listed)| *listed == sort)).then(|| {
            view! { <option value=sort.to_string()>{i18n.text(other_sort_label(sort))}</option> }
        })
    };
    view! {
        <div class="filters" role="group" aria-label=i18n.text(msg::FILTERS_GROUP)>
            {marking.map(|marking| {
                view! {
                    <div class="search-slot">
                        <Deferred
                            load=move || search_controls(list, marking)
                            when=answered
                            missing=Missing::Silent
                            attempt
                        />
                    </div>
                }
            })}
            <div class="field">
                <label for="filter-status">{i18n.text(msg::FILTERS_STATUS)}</label>
                <select
                    id="filter-status"
                    on:change=on_status
                    prop:value=move || query.get().status.map(LeadStatus::as_str).unwrap_or("")
                >
                    <option value="">{i18n.text(msg::FILTERS_ALL_STATUSES)}</option>
                    {LeadStatus::ALL
                        .map(|s| {
                            view! { <option value=s.as_str()>{i18n.text(status(s))}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-source">{i18n.text(msg::FILTERS_SOURCE)}</label>
                <select
                    id="filter-source"
                    on:change=on_source
                    prop:value=move || query.get().source.map(Channel::as_str).unwrap_or("")
                >
                    <option value="">{i18n.text(msg::FILTERS_ALL_SOURCES)}</option>
                    {Channel::ALL
                        .map(|c| view! { <option value=c.as_str()>{i18n.text(channel(c))}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-sort">{i18n.text(msg::FILTERS_SORT)}</label>
                <select id="filter-sort" on:change=on_sort prop:value=sort_value>
                    {SORT_OPTIONS
                        .map(|(label, sort)| {
                            view! { <option value=sort.to_string()>{i18n.text(label)}</option> }
                        })
                        .collect_view()}
                    {unlisted_sort}
                </select>
            </div>
            <div class="field">
                <label for="filter-limit">{i18n.text(msg::FILTERS_PER_PAGE)}</label>
                <select
                    id="filter-limit"
                    on:change=on_limit
                    prop:value=move || query.get().limit.to_string()
                >
                    {PAGE_SIZES
                            .map(|n| view! { <option value=n.to_string()>{move || i18n.number(n.into())}</option> })
                        .collect_view()}
                </select>
            </div>
            <Show when=move || query.get().has_filters()>
                <button
                    class="button button--quiet"
                    type="button"
                    on:click=move |_| list.navigate(query.get_untracked().cleared())
                >
                    {i18n.text(msg::FILTERS_CLEAR)}
                </button>
            </Show>
        </div>
    }
}

/// A name for orders that only a column header or a URL can choose, so the
/// select never shows a blank.
fn other_sort_label(sort: Sort) -> Msg {
    match (sort.field, sort.descending) {
        (SortField::Status, false) => msg::SORT_STATUS_NEW_FIRST,
        (SortField::Status, true) => msg::SORT_STATUS_CONVERTED_FIRST,
        (SortField::UpdatedAt, false) => msg::SORT_UPDATED_LEAST,
        _ => msg::SORT_CUSTOM,
    }
}
