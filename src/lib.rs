//! Leads Console: the browser UI for the Leads API.
//!
//! Layers, each knowing only the one below it:
//! [`api`] (the only code that knows URLs and headers) →
//! [`list_state`] (the only code that knows the URL query) →
//! [`pages`] and [`components`] (render and dispatch).

pub mod announcer;
pub mod api;
pub mod app;
pub mod components;
pub mod display;
pub mod form_feedback;
pub mod lead_edits;
pub mod lead_form;
pub mod list_state;
pub mod mounted;
pub mod pages;
pub mod panic_notice;
pub mod session;
pub mod status_save;

/// Mounts the console. It goes into the element with id `leads-console` when
/// the host page has one (a portal embedding it), else into `<body>`.
pub fn mount() {
    use leptos::prelude::*;
    let host = document()
        .get_element_by_id("leads-console")
        .and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok());
    match host {
        Some(host) => leptos::mount::mount_to(host, app::App).forget(),
        None => leptos::mount::mount_to_body(app::App),
    }
}
