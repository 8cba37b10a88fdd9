//! The `<leads-console>` element a console lives in, as the console sees
//! it: its attributes, the portal's `getToken`, and the events that tell
//! the page what happened. Names and shapes are in the UI contract's
//! "Embedding" section.

use leads_core::Field;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};

/// The host element.
#[derive(Clone, Debug)]
pub struct Host(HtmlElement);

impl Host {
    pub fn new(element: HtmlElement) -> Self {
        Self(element)
    }

    /// An attribute's value, trimmed, when it is set and not empty.
    pub fn attribute(&self, name: &str) -> Option<String> {
        self.0
            .get_attribute(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    /// The languages the console is asked to speak, the most wanted
    /// first: the element's `lang` or its nearest ancestor's (across a
    /// portal's shadow roots), then the browser's. An empty `lang` says
    /// the language is unknown, and leaves it to the browser's.
    pub fn languages(&self) -> Vec<String> {
        let mut wanted = Vec::new();
        let mut at: Option<web_sys::Element> = Some(self.0.clone().into());
        while let Some(element) = at {
            if let Some(marked) = element.closest("[lang]").ok().flatten() {
                wanted.extend(marked.get_attribute("lang"));
                break;
            }
            at = element
                .get_root_node()
                .dyn_into::<web_sys::ShadowRoot>()
                .ok()
                .map(|root| root.host());
        }
        wanted.retain(|lang| !lang.trim().is_empty());
        if let Some(window) = web_sys::window() {
            let browser = window.navigator().languages();
            wanted.extend(browser.iter().filter_map(|lang| lang.as_string()));
        }
        wanted
    }

    /// The settings the console's own server wrote into the page (a JSON
    /// script element `leads-config`), when this page is that server's:
    /// they spare the wait for `/config.json`.
    pub fn page_settings(&self, script_origin: &str) -> Option<leads_core::ConsoleConfig> {
        let window = web_sys::window()?;
        if window.location().origin().ok()? != script_origin {
            return None;
        }
        let text = window
            .document()?
            .get_element_by_id(leads_core::config::PAGE_SETTINGS_ID)?
            .text_content()?;
        crate::net::json::parse(&text)
    }

    /// True when the portal signs people in itself, through a `getToken`
    /// function on the element.
    pub fn signs_in(&self) -> bool {
        self.get_token().is_some()
    }

    fn get_token(&self) -> Option<js_sys::Function> {
        js_sys::Reflect::get(&self.0, &JsValue::from_str("getToken"))
            .ok()?
            .dyn_into()
            .ok()
    }

    /// Asks the portal for a bearer token; `None` when it has none to give
    /// (no function, it threw or rejected, or it gave no text).
    pub async fn token(&self) -> Option<String> {
        let answer = self.get_token()?.call0(&self.0).ok()?;
        let answer = match answer.dyn_into::<js_sys::Promise>() {
            Ok(promise) => JsFuture::from(promise).await.ok()?,
            Err(plain) => plain,
        };
        answer.as_string().filter(|token| !token.trim().is_empty())
    }

    /// `leads-console:lead-created`.
    pub fn lead_created(&self, id: &str) {
        self.dispatch("leads-console:lead-created", &about(id));
    }

    /// `leads-console:lead-updated`, naming the fields that changed.
    pub fn lead_updated(&self, id: &str, fields: &[Field]) {
        let detail = about(id);
        let fields: js_sys::Array = fields
            .iter()
            .map(|f| JsValue::from_str(f.as_str()))
            .collect();
        let _ = js_sys::Reflect::set(&detail, &JsValue::from_str("fields"), &fields);
        self.dispatch("leads-console:lead-updated", &detail);
    }

    /// `leads-console:unauthorized`: the portal's token was refused twice.
    pub fn unauthorized(&self) {
        self.dispatch("leads-console:unauthorized", &js_sys::Object::new());
    }

    /// Bubbles and crosses the shadow boundary, so a listener on
    /// `document` hears it.
    fn dispatch(&self, name: &str, detail: &js_sys::Object) {
        let init = CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(detail);
        if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
            let _ = self.0.dispatch_event(&event);
        }
    }
}

/// An event's `{ id }`, built as a JS object directly: no JSON text in
/// between, and no JSON value type in the download.
fn about(id: &str) -> js_sys::Object {
    let detail = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&detail, &JsValue::from_str("id"), &JsValue::from_str(id));
    detail
}
