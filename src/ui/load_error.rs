//! A failed load: what happened, and Retry for exactly that view (by
//! itself after a `429`'s pause).

use leptos::prelude::*;

use crate::i18n::{msg, use_i18n};

/// The error notice; `role="alert"` so screen readers hear it at once.
/// With `retry_after` (the server asked for a pause) it retries by itself
/// once the pause is over; Retry stays for the impatient.
#[component]
pub fn LoadError(
    message: String,
    retry_after: Option<u32>,
    on_retry: Callback<()>,
) -> impl IntoView {
    if let Some(seconds) = retry_after {
        let pause = std::time::Duration::from_secs(u64::from(seconds));
        if let Ok(timer) = set_timeout_with_handle(move || on_retry.run(()), pause) {
            on_cleanup(move || timer.clear());
        }
    }
    view! {
        <div class="notice notice--error" role="alert">
            <p>{message}</p>
            <button class="button" type="button" on:click=move |_| on_retry.run(())>
                {use_i18n().text(msg::ERROR_RETRY)}
            </button>
        </div>
    }
}
