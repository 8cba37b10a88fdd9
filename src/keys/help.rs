//! The "Keyboard shortcuts" dialog that `?` opens: every key and what it
//! does. Escape or Close shuts it, and the focus goes back where it was.

use leptos::html;
use leptos::prelude::*;

use crate::i18n::{msg, use_i18n};
use crate::keys::shortcuts::{HELP, SEARCH_KEY};
use crate::ui::modal::{modal, FocusBack};

/// The dialog; `open` shows and hides it. `searches`: the API can search,
/// so the search field and its key are there.
#[component]
pub fn ShortcutsDialog(open: RwSignal<bool>, searches: bool) -> impl IntoView {
    let i18n = use_i18n();
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
                <h2 id="shortcuts-title">{i18n.text(msg::KEYS_TITLE)}</h2>
                <p class="hint">{i18n.text(msg::KEYS_WHERE)}</p>
                <dl class="shortcuts">
                    {HELP
                        .into_iter()
                        .filter(|(keys, _)| searches || keys[0] != SEARCH_KEY)
                        .map(|(keys, what)| {
                            let keys = keys
                                .iter()
                                .enumerate()
                                .map(|(i, key)| {
                                    view! {
                                        {(i > 0).then_some(" / ")}
                                        <kbd>{*key}</kbd>
                                    }
                                })
                                .collect_view();
                            view! {
                                <dt>{keys}</dt>
                                <dd>{i18n.text(what)}</dd>
                            }
                        })
                        .collect_view()}
                </dl>
                <div class="dialog__actions">
                    <button
                        class="button"
                        type="button"
                        node_ref=close_button
                        on:click=move |_| open.set(false)
                    >
                        {i18n.text(msg::ACTION_CLOSE)}
                    </button>
                </div>
            </div>
        </dialog>
    }
}
