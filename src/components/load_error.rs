//! A failed load: what happened, and Retry for exactly that view.

use leptos::prelude::*;

/// The error notice; `role="alert"` so screen readers hear it at once.
#[component]
pub fn LoadError(message: String, on_retry: Callback<()>) -> impl IntoView {
    view! {
        <div class="notice notice--error" role="alert">
            <p>{message}</p>
            <button class="button" type="button" on:click=move |_| on_retry.run(())>
                "Retry"
            </button>
        </div>
    }
}
