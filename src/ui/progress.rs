//! Work under way that a person may stop: what it is, a progress bar,
//! "{done} of {total}" and a Cancel button. The bulk change and the export
//! show it alike.

use leptos::prelude::*;

use crate::i18n::{msg, use_i18n, Msg};

/// The bar. `label` names the work (the bar's accessible name);
/// `counts` gives what is done and the total, read inside so the line
/// (and a focus on Cancel) stays while they move.
#[component]
pub fn Progress(
    label: Msg,
    counts: impl Fn() -> (u64, u64) + Clone + Send + Sync + 'static,
    cancel_label: Msg,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (max, value, text) = (counts.clone(), counts.clone(), counts);
    view! {
        <div class="progress">
            <span aria-hidden="true">{i18n.text(label)}</span>
            <progress
                aria-label=i18n.text(label)
                max=move || max().1.max(1).to_string()
                value=move || value().0.to_string()
            ></progress>
            <span class="progress__count">
                {move || {
                    let (done, total) = text();
                    i18n.fill(
                        msg::PROGRESS_DONE_OF,
                        &[("done", &i18n.number(done)), ("total", &i18n.number(total))],
                    )
                }}
            </span>
            <button class="button button--small" type="button" on:click=move |_| on_cancel.run(())>
                {i18n.text(cancel_label)}
            </button>
        </div>
    }
}
