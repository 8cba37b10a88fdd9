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

/// In every console on the page (a panic stops them all), or at the top of
/// the page when none is mounted yet.
fn show_notice() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let notice = || {
        let notice = document.create_element("div").ok()?;
        notice.set_class_name("panic-notice");
        let _ = notice.set_attribute("role", "alert");
        notice.set_text_content(Some(PANIC_MESSAGE));
        Some(notice)
    };
    let containers = crate::element::containers();
    if containers.is_empty() {
        if let (Some(body), Some(notice)) = (document.body(), notice()) {
            let _ = body.prepend_with_node_1(&notice);
        }
    }
    for container in containers {
        if let Some(notice) = notice() {
            let _ = container.prepend_with_node_1(&notice);
        }
    }
}
