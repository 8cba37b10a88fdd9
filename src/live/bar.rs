//! The live stream as the page shows it: "Live" or "Reconnecting…", the
//! "Show {n} new leads" button, and "Notify me of new leads". The stream
//! and what its events do are [`crate::live::stream`]'s; the title count and the
//! notifications [`crate::live::attention`]'s.

use leptos::html;
use leptos::prelude::*;
use leptos::wasm_split::wasm_split;

use crate::i18n::{msg, use_i18n};
use crate::live::attention::{Attention, Notify};
use crate::live::stream::{Connection, Live};
use crate::ui::announcer::Announcer;
use crate::ui::deferred::Extra;

/// "Live" / "Reconnecting…", said politely when it changes.
#[component]
pub fn LiveStatus() -> impl IntoView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    let state = move || match live.connection.get() {
        Connection::Live => "live",
        Connection::Unavailable => "off",
        Connection::Connecting | Connection::Reconnecting => "waiting",
    };
    view! {
        <p class="live-status" data-state=state role="status">
            <span class="live-status__dot" aria-hidden="true"></span>
            {move || i18n.t(live.connection.get().label())}
        </p>
    }
}

/// "Notify me of new leads": asks for the browser's permission only when
/// pressed; absent where the browser has no notifications.
#[component]
pub fn NotifyToggle() -> impl IntoView {
    let attention = expect_context::<Attention>();
    let announcer = expect_context::<Announcer>();
    let i18n = use_i18n();
    let notify = attention.notify;
    let press = move |_| {
        if notify.get_untracked() == Notify::Blocked {
            announcer.error(i18n.t(msg::LEADS_NOTIFY_BLOCKED), None);
        }
        attention.toggle();
    };
    view! {
        <Show when=move || notify.get() != Notify::Unsupported>
            <button
                class="button button--quiet"
                type="button"
                aria-pressed=move || (notify.get() == Notify::On).to_string()
                on:click=press
            >
                {i18n.text(msg::LEADS_NOTIFY)}
            </button>
        </Show>
    }
}

/// "Show {n} new leads", while leads that belong in the view wait. The
/// focus goes to the results, which the button's going would otherwise
/// drop on the page.
#[component]
pub fn FreshLeads(results: NodeRef<html::Div>) -> impl IntoView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    let count = move || live.fresh.with(Vec::len);
    let show = move |_| {
        let results = results.get_untracked();
        live.show_fresh();
        if let Some(results) = results {
            // Where the person already looks: the rows just below.
            let options = web_sys::FocusOptions::new();
            options.set_prevent_scroll(true);
            let _ = results.focus_with_options(&options);
        }
    };
    view! {
        <Show when=move || { count() > 0 }>
            <button class="button button--accent fresh-leads" type="button" on:click=show>
                {move || i18n.count(msg::LIVE_SHOW_FRESH, count() as u64, &[])}
            </button>
        </Show>
    }
}

/// [`LiveStatus`], from the extras module: the stream itself starts with
/// this module.
#[wasm_split(extras, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn live_status() -> Extra {
    Ok(view! { <LiveStatus /> }.into_any())
}

/// [`FreshLeads`], from the extras module: leads arrive only through the
/// stream, which starts with this module.
#[wasm_split(extras, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn fresh_leads(results: NodeRef<html::Div>) -> Extra {
    Ok(view! { <FreshLeads results /> }.into_any())
}
