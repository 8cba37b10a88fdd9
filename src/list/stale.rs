//! The quiet notice over a list served from a synced copy of the vendor's
//! leads while the vendor does not answer: what the rows show is as of the
//! copy's last sync, and saves will fail until the vendor is back. While
//! it shows, the view is asked for again every few seconds, so it goes by
//! itself once the copy follows the vendor again.

use std::time::Duration;

use leptos::prelude::*;

use crate::i18n::{msg, use_i18n};
use crate::net::api::Freshness;
use crate::net::pause;
use crate::ui::display::created_texts;

/// How often a stale view is asked for again.
const RECHECK: Duration = Duration::from_secs(5);

/// The notice, while `freshness` says stale; `recheck` loads the view again.
#[component]
pub fn StaleNotice(freshness: RwSignal<Freshness>, recheck: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let as_of = move || freshness.with(|fresh| fresh.stale_as_of.clone());
    // One timer per stale answer: each answer sets the signal again.
    Effect::new(move |_| {
        if as_of().is_some() {
            leptos::task::spawn_local(async move {
                pause::sleep(RECHECK).await;
                // Finished reading before the view may go away.
                let still = freshness.try_with_untracked(|fresh| fresh.stale_as_of.is_some());
                if still == Some(true) {
                    recheck.run(());
                }
            });
        }
    });
    move || {
        as_of().map(|synced_at| {
            let when = created_texts(&synced_at, i18n.lang())
                .map(|texts| format!("{} {}", texts.date, texts.time))
                .unwrap_or(synced_at);
            view! {
                <p class="notice notice--warning stale-notice" role="status">
                    {i18n.fill(msg::STALE_NOTICE, &[("when", &when)])}
                </p>
            }
        })
    }
}
