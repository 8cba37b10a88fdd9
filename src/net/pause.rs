//! Waiting in the browser without blocking it, for work that must hold off
//! (a `429`'s `Retry-After`) and for states worth showing only when they
//! last.

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// How long to hold off after a `429`: its `Retry-After`, or a second when
/// it gave none.
pub fn retry_after_millis(retry_after: Option<u32>) -> f64 {
    f64::from(retry_after.unwrap_or(1)) * 1000.0
}

/// Resolves after `millis` milliseconds.
pub async fn sleep(millis: f64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                resolve.unchecked_ref(),
                millis.ceil() as i32,
            );
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// True once `flag` has stayed true for `after`, false as soon as it is
/// false: a wait that ends quickly shows nothing, where showing it at once
/// would flash (and repaint) for every quick answer.
pub fn lasting(flag: Memo<bool>, after: Duration) -> ReadSignal<bool> {
    let shown = RwSignal::new(false);
    Effect::new(move |timer: Option<Option<TimeoutHandle>>| {
        if let Some(Some(timer)) = timer {
            timer.clear();
        }
        if flag.get() {
            // `try_set`: the page may be gone when the time is up.
            set_timeout_with_handle(
                move || {
                    let _ = shown.try_set(true);
                },
                after,
            )
            .ok()
        } else {
            shown.set(false);
            None
        }
    });
    shown.read_only()
}
