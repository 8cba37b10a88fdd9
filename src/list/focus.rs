//! Roving row focus for keyboard triage: which row the Tab key reaches,
//! and moving between rows.

use leptos::prelude::*;

use crate::ui::key_focus::focus_by_key;

/// The lead whose row keyboard triage is on, shared through context by
/// the leads page; its row is the one the Tab key reaches (a roving
/// tabindex), the first row when none is.
#[derive(Clone, Copy)]
pub struct RowFocus(pub RwSignal<Option<String>>);

/// The row the Tab key reaches, for the page's "go to the rows" keys.
pub const TAB_STOP_ROW: &str = "tbody tr[tabindex='0']";

/// Which way [`move_focus`] goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Next,
    Previous,
}

/// Moves the keyboard focus from the row `ev` came from to the next or
/// previous lead's row; true when there was one.
pub fn move_focus(ev: &web_sys::KeyboardEvent, step: Step) -> bool {
    use wasm_bindgen::JsCast;
    let Some(row) = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    let mut next = row.clone();
    loop {
        let sibling = match step {
            Step::Next => next.next_element_sibling(),
            Step::Previous => next.previous_element_sibling(),
        };
        let Some(sibling) = sibling else { return false };
        if sibling.has_attribute("tabindex") {
            if let Ok(sibling) = sibling.dyn_into::<web_sys::HtmlElement>() {
                focus_by_key(&sibling);
                return true;
            }
            return false;
        }
        next = sibling;
    }
}
