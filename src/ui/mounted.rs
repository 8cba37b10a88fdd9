//! Events that arrive while a component goes away.
//!
//! Chromium fires `blur`, and `change` after typing, on a focused input at
//! the moment it is removed from the page. Leptos removes a closed
//! component's elements only after disposing its signals, so a handler for
//! those events would read disposed state, and a wasm panic breaks the page.
//! Such an event does not come from the person (they did not leave the
//! field; the form went away), so its handler must do nothing at all: not
//! validate, not write a signal that a half-disposed view would react to.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::prelude::on_cleanup;

/// True until the owner that was current when it was made is cleaned up,
/// which happens before any of that owner's signals are disposed.
///
/// ```ignore
/// let mounted = Mounted::until_cleanup();
/// view! { <input on:blur=mounted.only(move |_| check(form.get_untracked())) /> }
/// ```
#[derive(Clone)]
pub struct Mounted(Arc<AtomicBool>);

impl Mounted {
    /// A flag for the component being built: true until it is cleaned up.
    pub fn until_cleanup() -> Self {
        let flag = Arc::new(AtomicBool::new(true));
        let on_close = Arc::clone(&flag);
        on_cleanup(move || on_close.store(false, Ordering::Relaxed));
        Self(flag)
    }

    /// True while the component is on the page.
    pub fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// `handler`, run only while the component is on the page; for events
    /// that an element's own removal fires (`blur`, `focusout`, `change`).
    pub fn only<E>(&self, handler: impl Fn(E)) -> impl Fn(E) {
        let mounted = self.clone();
        move |event| {
            if mounted.get() {
                handler(event);
            }
        }
    }
}
