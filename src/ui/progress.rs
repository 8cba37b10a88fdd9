//! Work under way that a person may stop: what it is, a progress bar,
//! "{done} of {total}" and a Cancel button. The bulk change and the export
//! show it alike.

use leptos::prelude::*;

use crate::ui::display::count;

/// The bar. `label` names the work (the bar's accessible name);
/// `counts` gives what is done and the total, read inside so the line
/// (and a focus on Cancel) stays while they move.
#[component]
pub fn Progress(
    label: &'static str,
    counts: impl Fn() -> (u64, u64) + Clone + Send + Sync + 'static,
    cancel_label: &'static str,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let (max, value, text) = (counts.clone(), counts.clone(), counts);
    view! {
        <div class="progress">
            <span aria-hidden="true">{label}</span>
            <progress
                aria-label=label
                max=move || max().1.max(1).to_string()
                value=move || value().0.to_string()
            ></progress>
            <span class="progress__count">
                {move || {
                    let (done, total) = text();
                    format!("{} of {}", count(done), count(total))
                }}
            </span>
            <button class="button button--small" type="button" on:click=move |_| on_cancel.run(())>
                {cancel_label}
            </button>
        </div>
    }
}
