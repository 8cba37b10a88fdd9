//! A panic in wasm stops the whole app. Rather than leave a silently frozen
//! page, tell the person what happened and log the panic for whoever debugs it.

use std::panic;

/// What a person sees after a panic.
pub const PANIC_MESSAGE: &str = "Something went wrong — reload the page.";

/// Installs the hook: log to the browser console, then show an alert banner.
pub fn install() {
    panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_notice();
    }));
}

fn show_notice() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(notice) = document.create_element("div") else {
        return;
    };
    notice.set_class_name("panic-notice");
    let _ = notice.set_attribute("role", "alert");
    notice.set_text_content(Some(PANIC_MESSAGE));
    if let Some(body) = document.body() {
        let _ = body.prepend_with_node_1(&notice);
    }
}
