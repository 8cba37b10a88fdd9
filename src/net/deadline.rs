//! A request's time limit: it aborts the request when the time passes.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::AbortController;

use crate::net::pause::timer_millis;

/// Aborts a request once its time passes; dropping it (the request ended)
/// cancels the timer.
pub(crate) struct Deadline {
    passed: Rc<Cell<bool>>,
    timer: Option<(i32, Closure<dyn FnMut()>)>,
}

impl Deadline {
    pub(crate) fn after(controller: &AbortController, time: Duration) -> Self {
        let passed = Rc::new(Cell::new(false));
        let on_time = {
            let (passed, controller) = (Rc::clone(&passed), controller.clone());
            Closure::<dyn FnMut()>::new(move || {
                passed.set(true);
                controller.abort();
            })
        };
        let millis = timer_millis(time);
        let timer = web_sys::window().and_then(|window| {
            window
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    on_time.as_ref().unchecked_ref(),
                    millis,
                )
                .ok()
        });
        Self {
            passed,
            timer: timer.map(|handle| (handle, on_time)),
        }
    }

    pub(crate) fn passed(&self) -> bool {
        self.passed.get()
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if let (Some(window), Some((handle, _))) = (web_sys::window(), &self.timer) {
            window.clear_timeout_with_handle(*handle);
        }
    }
}
