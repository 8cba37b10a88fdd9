//! A `<dialog>` shown as a modal while a signal says so: the focus goes
//! into it when it opens and back out when it closes. The dialog's own
//! Escape (its `cancel` event) should only set the signal false.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Where the focus goes when a [`modal`] closes.
#[derive(Clone, Copy)]
pub enum FocusBack {
    /// To the element that had it when the dialog opened.
    WhereItWas,
    /// To this button, the one that opens the dialog.
    To(NodeRef<html::Button>),
}

/// Shows `dialog` as a modal while `open` is true, giving the focus to
/// what `first` names each time it opens, and closes it when `open` turns
/// false, the focus going `back`. `around_close` runs the close and the
/// focus's return (a form keeps its messages through the blur they fire).
pub fn modal(
    dialog: NodeRef<html::Dialog>,
    open: RwSignal<bool>,
    first: impl Fn() -> Option<web_sys::HtmlElement> + 'static,
    back: FocusBack,
    around_close: impl Fn(&dyn Fn()) + 'static,
) {
    let came_from = StoredValue::new_local(None::<web_sys::HtmlElement>);
    Effect::new(move |_| {
        let Some(el) = dialog.get() else { return };
        if open.get() {
            if !el.open() {
                came_from.set_value(focused_in(&el));
                let _ = el.show_modal();
            }
            if let Some(first) = first() {
                let _ = first.focus();
                // What was typed before is kept; the caret goes after it,
                // where the person left off (WebKit would put it first).
                if let Some(input) = first.dyn_ref::<web_sys::HtmlInputElement>() {
                    let end = input.value().encode_utf16().count() as u32;
                    let _ = input.set_selection_range(end, end);
                }
            }
        } else if el.open() {
            around_close(&|| {
                el.close();
                let back = match back {
                    FocusBack::WhereItWas => came_from.get_value(),
                    FocusBack::To(button) => button.get_untracked().map(Into::into),
                };
                if let Some(back) = back {
                    let _ = back.focus();
                }
            });
        }
    });
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
