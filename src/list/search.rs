//! "Search leads" and the tag filter, where the API offers them
//! (`/config.json`'s `search`): the field that follows typing after a
//! pause, the active tag's chip, and the marks on what a search matched.
//!
//! The field, the chip and the marking come with the extras module
//! ([`search_controls`]), like the saved views: the first rows do not wait
//! for them (they cost about 6 KB of the first download, the folding rule
//! and its tables most of it), and a view opened with a search shows its
//! rows at once, marked a moment later.

use std::time::Duration;

use leads_core::search;
use leptos::prelude::*;
use leptos::wasm_split::wasm_split;

use crate::i18n::{msg, use_i18n};
use crate::ui::deferred::Extra;
use crate::views::list_state::ListState;

/// Builds a name's or email's text with a search's matches marked.
type Marker = fn(String, Option<&str>) -> AnyView;

/// How rows mark what a search matched: nothing until the extras module
/// brings [`marked`] (provided by the page where the API can search).
#[derive(Clone, Copy)]
pub struct Marking(RwSignal<Option<Marker>>);

impl Default for Marking {
    fn default() -> Self {
        Self(RwSignal::new(None))
    }
}

impl Marking {
    /// `text`, its matches of the search `q` marked once marking is here
    /// (tracked, so rows mark themselves when it comes).
    pub fn show(marking: Option<Marking>, text: String, q: Option<&str>) -> AnyView {
        match marking.and_then(|m| m.0.get()) {
            Some(marked) if q.is_some() => marked(text, q),
            _ => text.into_any(),
        }
    }
}

/// The search field and the active tag's chip, from the extras module;
/// they bring the rows' marking with them.
#[wasm_split(extras, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn search_controls(list: ListState, marking: Marking) -> Extra {
    marking.0.set(Some(marked));
    Ok(view! {
        <SearchField list />
        <TagChip list />
    }
    .into_any())
}

/// How long typing must pause before the list follows it: long enough that
/// a word typed at speed is one request, short enough to feel immediate
/// (the contract allows at most 300 ms).
const PAUSE: Duration = Duration::from_millis(250);

/// Filters the list by a row's tag (provided by the page where the API
/// can filter by tag; rows show plain tags without it).
#[derive(Clone, Copy)]
pub struct TagFilter(pub Callback<String>);

/// The search field. The list follows what is typed once typing pauses;
/// the field keeps its own text, so neither a trailing space nor an
/// answer arriving mid-word ever changes what is being typed. A search
/// set elsewhere (Back, Forward, Clear filters, a saved view) shows here.
#[component]
fn SearchField(list: ListState) -> impl IntoView {
    let query = list.query;
    let text = RwSignal::new(query.with_untracked(|q| q.q.clone().unwrap_or_default()));
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let cancel = move || {
        if let Some(Some(pending)) = timer.try_update_value(Option::take) {
            pending.clear();
        }
    };
    on_cleanup(cancel);
    let wanted = Memo::new(move |_| query.with(|q| q.q.clone()));
    Effect::new(move |_| {
        let wanted = wanted.get().unwrap_or_default();
        if text.with_untracked(|typed| typed.trim() != wanted) {
            cancel();
            text.set(wanted);
        }
    });
    let search = move |typed: &str| {
        let Some(current) = query.try_get_untracked() else {
            return;
        };
        let next = current.clone().with_q(typed);
        if next.q != current.q {
            list.refine(next);
        }
    };
    let on_input = move |ev| {
        let typed = event_target_value(&ev);
        text.set(typed.clone());
        cancel();
        let pending = set_timeout_with_handle(
            move || {
                timer.try_set_value(None);
                search(&typed);
            },
            PAUSE,
        );
        timer.set_value(pending.ok());
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" && !text.with_untracked(String::is_empty) {
            ev.prevent_default();
            ev.stop_propagation();
            cancel();
            text.set(String::new());
            search("");
        }
    };
    let i18n = use_i18n();
    view! {
        <div class="field field--search">
            <label for="filter-search">{i18n.text(msg::SEARCH_LABEL)}</label>
            <input
                id="filter-search"
                type="search"
                autocomplete="off"
                spellcheck="false"
                placeholder=i18n.text(msg::SEARCH_PLACEHOLDER)
                maxlength=leads_core::limits::MAX_SEARCH_CHARS
                prop:value=move || text.get()
                on:input=on_input
                on:keydown=on_keydown
            />
        </div>
    }
}

/// The active tag, as a button that removes it; hidden while no tag is
/// chosen (one button whose text changes costs less of the download than
/// one built and dropped each time).
#[component]
fn TagChip(list: ListState) -> impl IntoView {
    let query = list.query;
    let tag = Memo::new(move |_| query.with(|q| q.tag.clone()).unwrap_or_default());
    let i18n = use_i18n();
    view! {
        <button
            class="tag-chip"
            type="button"
            hidden=move || tag.with(String::is_empty)
            aria-label=move || i18n.fill(msg::SEARCH_REMOVE_TAG, &[("tag", &tag.get())])
            on:click=move |_| list.navigate(query.get_untracked().with_tag(None))
        >
            <bdi>{move || tag.get()}</bdi>
            <span aria-hidden="true">"×"</span>
        </button>
    }
}

/// `text` with what the search `q` matched in it marked, as `leads-core`
/// finds it (accents and case aside), so the marks always agree with the
/// server's matching.
fn marked(text: String, q: Option<&str>) -> AnyView {
    let ranges = q.map(|q| search::marks(&text, q)).unwrap_or_default();
    if ranges.is_empty() {
        return text.into_any();
    }
    let mut parts = Vec::with_capacity(ranges.len() * 2 + 1);
    let mut at = 0;
    for range in ranges {
        if range.start > at {
            parts.push(text[at..range.start].to_owned().into_any());
        }
        parts.push(view! { <mark>{text[range.clone()].to_owned()}</mark> }.into_any());
        at = range.end;
    }
    if at < text.len() {
        parts.push(text[at..].to_owned().into_any());
    }
    parts.collect_view().into_any()
}
