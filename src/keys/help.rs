//! The "Keyboard shortcuts" dialog that `?` opens: every key and what it
//! does. Escape or Close shuts it, and the focus goes back where it was.

use crate::keys::shortcuts::{HELP, SEARCH_KEY};
use crate::ui::modal::{modal, FocusBack};
use leptos::html;
use leptos::prelude::*;

/// The dialog; `open` shows and hides it. `searches`: the API can search,
/// so the search field and its key are there.
#[component]
pub fn ShortcutsDialog(open: RwSignal<bool>, searches: bool) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let close_button = NodeRef::<html::Button>::new();
    modal(
        dialog,
        open,
        move || close_button.get_untracked().map(Into::into),
        FocusBack::WhereItWas,
        |close| close(),
    );
    view! {
        <dialog
            node_ref=dialog
            class="dialog"
            aria-labelledby="shortcuts-title"
            on:cancel=move |ev: web_sys::Event| {
                ev.prevent_default();
                open.set(false);
            }
        >
            <div class="dialog__form">
                <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
                <p class="hint">
                    "In the list, when the focus is not in a field. Rows take the focus with j or k."
                </p>
                <dl class="shortcuts">
                    {HELP
                        .into_iter()
                        .filter(|(keys, _)| searches || *keys != SEARCH_KEY)
                        .map(|(keys, what)| view! { <dt><kbd>{keys}</kbd></dt><dd>{what}</dd> })
                        .collect_view()}
                </dl>
                <div class="dialog__actions">
                    <button
                        class="button"
                        type="button"
                        node_ref=close_button
                        on:click=move |_| open.set(false)
                    >
                        "Close"
                    </button>
                </div>
            </div>
        </dialog>
    }
}
