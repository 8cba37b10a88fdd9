//! Waiting in the browser without blocking it, for work that must hold off
//! (a `429`'s `Retry-After`) and for states worth showing only when they
//! last.

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// `wait` in whole milliseconds, as the browser's clock and timers count
/// (without the 128-bit arithmetic of `Duration::as_millis`).
pub fn millis(wait: Duration) -> u64 {
    wait.as_secs()
        .saturating_mul(1000)
        .saturating_add(u64::from(wait.subsec_millis()))
}

/// `wait` as the browser's `setTimeout` takes it: whole milliseconds in an
/// `i32`, the longest it can wait when `wait` is longer.
pub fn timer_millis(wait: Duration) -> i32 {
    i32::try_from(millis(wait)).unwrap_or(i32::MAX)
}

/// Resolves after `wait`.
pub async fn sleep(wait: Duration) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                resolve.unchecked_ref(),
                timer_millis(wait),
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
