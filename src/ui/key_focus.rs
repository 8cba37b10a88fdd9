//! Focus moved by a key press. Browsers decide for themselves whether a
//! script's focus draws the ring (`:focus-visible`): WebKit draws none when
//! the focus it moves from came from a click, even though a key moved it,
//! so a person pressing `j` after clicking the heading would not see which
//! row they are on. A key press is keyboard use; this says so.

/// Focuses `element` with its focus ring, as Tab would.
pub fn focus_by_key(element: &web_sys::HtmlElement) {
    let options = web_sys::FocusOptions::new();
    options.set_focus_visible(true);
    let _ = element.focus_with_options(&options);
}
