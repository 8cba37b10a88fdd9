//! The "Keyboard shortcuts" dialog that `?` opens: every key and what it
//! does. Escape or Close shuts it, and the focus goes back where it was.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::keys::shortcuts::HELP;

/// The dialog; `open` shows and hides it.
#[component]
pub fn ShortcutsDialog(open: RwSignal<bool>) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let close_button = NodeRef::<html::Button>::new();
    // Where the focus was when the dialog opened, to give it back.
    let came_from = StoredValue::new_local(None::<web_sys::HtmlElement>);
    Effect::new(move |_| {
        let Some(el) = dialog.get() else { return };
        if open.get() {
            if !el.open() {
                came_from.set_value(focused_in(&el));
                let _ = el.show_modal();
            }
            if let Some(button) = close_button.get_untracked() {
                let _ = button.focus();
            }
        } else if el.open() {
            el.close();
            if let Some(back) = came_from.get_value() {
                let _ = back.focus();
            }
        }
    });
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

/// The element that has the focus in `within`'s shadow root (or document).
fn focused_in(within: &web_sys::HtmlDialogElement) -> Option<web_sys::HtmlElement> {
    let root = within.get_root_node();
    let active = match root.dyn_ref::<web_sys::ShadowRoot>() {
        Some(shadow) => shadow.active_element(),
        None => web_sys::window()?.document()?.active_element(),
    };
    active?.dyn_into().ok()
}
