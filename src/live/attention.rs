//! Calling a person back to new leads while they look at another tab: the
//! page title counts them ("(3) Leads"), and, once they asked for it, a
//! desktop notification per lead. Permission is asked for only when the
//! person presses "Notify me of new leads", never on load.

use leads_core::PartialLead;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Notification, NotificationOptions, NotificationPermission};

use crate::i18n::{msg, use_i18n, I18n};

/// Where desktop notifications stand in this browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notify {
    /// The browser has no notifications (or not in this context).
    Unsupported,
    /// Not asked yet, or asked and dismissed.
    Off,
    /// Allowed, and on.
    On,
    /// The person (or the browser's settings) refused them.
    Blocked,
}

/// The title count and notifications, shared through context.
#[derive(Clone, Copy)]
pub struct Attention {
    /// Leads that arrived while the tab was hidden.
    unseen: StoredValue<u32>,
    /// The title before the count was put in front of it.
    title: StoredValue<Option<String>>,
    pub notify: RwSignal<Notify>,
    /// The language notifications are worded in.
    i18n: I18n,
}

impl Attention {
    /// Starts watching the tab's visibility: when it shows again, the title
    /// is given back. Stops with the component that made it.
    pub fn watch() -> Self {
        let attention = Self {
            unseen: StoredValue::new(0),
            title: StoredValue::new(None),
            notify: RwSignal::new(current_permission()),
            i18n: use_i18n(),
        };
        // `visibilitychange` bubbles from the document to the window.
        let on_change = window_event_listener_untyped("visibilitychange", move |_| {
            if !is_hidden() {
                attention.seen();
            }
        });
        on_cleanup(move || {
            on_change.remove();
            if let (Some(document), Some(title)) =
                (document(), attention.title.try_get_value().flatten())
            {
                document.set_title(&title);
            }
        });
        attention
    }

    /// A lead that belongs in the view arrived: counted in the title and
    /// notified while the tab is hidden.
    pub fn arrived(&self, lead: &PartialLead) {
        if !is_hidden() {
            return;
        }
        let Some(document) = document() else { return };
        let original = self
            .title
            .with_value(Clone::clone)
            .unwrap_or_else(|| document.title());
        self.title.set_value(Some(original.clone()));
        self.unseen.update_value(|n| *n += 1);
        document.set_title(&format!("({}) {original}", self.unseen.get_value()));
        if self.notify.get_untracked() == Notify::On {
            show(lead, self.i18n);
        }
    }

    /// The person is back: the title loses its count.
    fn seen(&self) {
        self.unseen.set_value(0);
        if let (Some(document), Some(title)) = (document(), self.title.get_value()) {
            document.set_title(&title);
        }
        self.title.set_value(None);
    }

    /// The control was pressed: asks for permission the first time, then
    /// switches notifications on and off.
    pub fn toggle(&self) {
        match self.notify.get_untracked() {
            Notify::On => self.notify.set(Notify::Off),
            Notify::Off if current_permission() == Notify::On => self.notify.set(Notify::On),
            Notify::Off => {
                let notify = self.notify;
                let Ok(asked) = Notification::request_permission() else {
                    return;
                };
                leptos::task::spawn_local(async move {
                    let _ = wasm_bindgen_futures::JsFuture::from(asked).await;
                    notify.try_set(current_permission());
                });
            }
            Notify::Blocked | Notify::Unsupported => {}
        }
    }
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

fn is_hidden() -> bool {
    document().is_some_and(|document| document.hidden())
}

/// What the browser allows now; "allowed" reads as on, since the person
/// allowed it for this site.
fn current_permission() -> Notify {
    let supported = web_sys::window()
        .and_then(|window| js_sys::Reflect::has(&window, &"Notification".into()).ok())
        .unwrap_or(false);
    if !supported {
        return Notify::Unsupported;
    }
    match Notification::permission() {
        NotificationPermission::Granted => Notify::On,
        NotificationPermission::Denied => Notify::Blocked,
        _ => Notify::Off,
    }
}

/// One desktop notification: who, and how they came in. Clicking it brings
/// the tab forward.
fn show(lead: &PartialLead, i18n: I18n) {
    let name = lead
        .name
        .clone()
        .unwrap_or_else(|| i18n.t(msg::LIVE_SOMEONE));
    let options = NotificationOptions::new();
    let how = lead.source.as_deref().map(|source| i18n.source(source));
    let contact = lead
        .phone
        .clone()
        .flatten()
        .or(lead.email.clone().flatten());
    let body: Vec<String> = [how, contact].into_iter().flatten().collect();
    options.set_body(&body.join(" · "));
    options.set_tag(&lead.id);
    let title = i18n.fill(msg::LIVE_NOTIFICATION, &[("name", &name)]);
    if let Ok(shown) = Notification::new_with_options(&title, &options) {
        let focus = Closure::<dyn Fn()>::new(|| {
            if let Some(window) = web_sys::window() {
                let _ = window.focus();
            }
        });
        shown.set_onclick(Some(focus.as_ref().unchecked_ref()));
        // The notification outlives this call; its handler must too.
        focus.forget();
    }
}
