//! Keyboard triage: which key does what, and when keys are left alone.
//! Shortcuts never fire while focus is where typing goes (a text field, a
//! select, a dialog) or with Ctrl, Alt or Meta held, so they never take a
//! key a person meant for something else.

use leads_core::LeadStatus;
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};

use crate::i18n::{msg, Msg};

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    NextRow,
    PreviousRow,
    Status(LeadStatus),
    ToggleSelected,
    Edit,
    NewLead,
    FocusFilter,
    FocusSearch,
    Help,
}

/// Every shortcut: its keys (any one of them does it) and what it does,
/// as the help dialog lists them.
pub const HELP: [(&[&str], Msg); 9] = [
    (&["j", "↓"], msg::KEYS_NEXT),
    (&["k", "↑"], msg::KEYS_PREVIOUS),
    (&["1 2 3 4"], msg::KEYS_STATUS),
    (&["x"], msg::KEYS_SELECT),
    (&["e"], msg::KEYS_EDIT),
    (&["n"], msg::LEADS_NEW_LEAD),
    (&["/"], msg::KEYS_FILTER),
    (&[SEARCH_KEY], msg::KEYS_SEARCH),
    (&["?"], msg::KEYS_HELP),
];

/// The key that goes to the search field, listed only where the API can
/// search.
pub const SEARCH_KEY: &str = "s";

/// The shortcut for `key` (a `KeyboardEvent.key`), if any.
pub fn for_key(key: &str) -> Option<Shortcut> {
    Some(match key {
        "j" | "ArrowDown" => Shortcut::NextRow,
        "k" | "ArrowUp" => Shortcut::PreviousRow,
        "1" => Shortcut::Status(LeadStatus::New),
        "2" => Shortcut::Status(LeadStatus::Contacted),
        "3" => Shortcut::Status(LeadStatus::Qualified),
        "4" => Shortcut::Status(LeadStatus::Converted),
        "x" => Shortcut::ToggleSelected,
        "e" => Shortcut::Edit,
        "n" => Shortcut::NewLead,
        "/" => Shortcut::FocusFilter,
        SEARCH_KEY => Shortcut::FocusSearch,
        "?" => Shortcut::Help,
        _ => return None,
    })
}

/// The shortcut `event` asks for, unless it belongs to what has focus.
pub fn from_event(event: &KeyboardEvent) -> Option<Shortcut> {
    if event.ctrl_key() || event.alt_key() || event.meta_key() || event.default_prevented() {
        return None;
    }
    // The element the key really went to, inside any shadow root.
    let target = event.composed_path().get(0).dyn_into::<Element>().ok()?;
    if takes_typing(&target) {
        return None;
    }
    for_key(&event.key())
}

/// True inside a text field, a select or a dialog.
fn takes_typing(element: &Element) -> bool {
    let tag = element.tag_name().to_ascii_lowercase();
    let text_input = tag == "input"
        && !matches!(
            element.get_attribute("type").as_deref(),
            Some("checkbox" | "radio" | "button" | "submit" | "reset")
        );
    text_input
        || matches!(tag.as_str(), "textarea" | "select")
        || element
            .closest("dialog, [contenteditable]")
            .ok()
            .flatten()
            .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_listed_key_has_its_shortcut() {
        assert_eq!(for_key("j"), Some(Shortcut::NextRow));
        assert_eq!(for_key("ArrowUp"), Some(Shortcut::PreviousRow));
        assert_eq!(for_key("3"), Some(Shortcut::Status(LeadStatus::Qualified)));
        assert_eq!(for_key("?"), Some(Shortcut::Help));
        assert_eq!(for_key("s"), Some(Shortcut::FocusSearch));
        assert_eq!(for_key("J"), None, "Shift+J is not j");
        assert_eq!(for_key("5"), None);
        assert_eq!(for_key("Enter"), None);
    }
}
