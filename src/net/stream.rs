//! An open `/v1/events` response, read as it arrives, and dropped when it
//! goes silent for longer than its keep-alives allow.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use wasm_bindgen::JsCast;
use web_sys::AbortController;

use crate::net::deadline::Deadline;

/// How long an open event stream may stay silent until it says how often
/// keep-alives come: three of the server's default 15 s. Past this the
/// connection is dead (a laptop that slept, a proxy that dropped it) and
/// is opened again.
const STREAM_SILENCE: Duration = Duration::from_secs(45);

/// Silent keep-alive intervals after which a stream counts as dead.
const MISSED_KEEP_ALIVES: u64 = 3;

/// An open `/v1/events` response, read as it arrives; a clone reads the
/// same stream.
#[derive(Clone)]
pub struct EventStream {
    reader: web_sys::ReadableStreamDefaultReader,
    controller: AbortController,
    /// How long a read may wait, from the stream's own keep-alive.
    silence: Rc<Cell<Duration>>,
}

impl EventStream {
    /// The stream `reader` reads, which `controller` can end.
    pub(crate) fn new(
        reader: web_sys::ReadableStreamDefaultReader,
        controller: AbortController,
    ) -> Self {
        Self {
            reader,
            controller,
            silence: Rc::new(Cell::new(STREAM_SILENCE)),
        }
    }

    /// The next bytes; `None` when the stream ended, broke, or was silent
    /// for too long.
    pub async fn next_chunk(&self) -> Option<Vec<u8>> {
        let watchdog = Deadline::after(&self.controller, self.silence.get());
        let read = wasm_bindgen_futures::JsFuture::from(self.reader.read())
            .await
            .ok()?;
        drop(watchdog);
        let field = |name: &str| js_sys::Reflect::get(&read, &name.into()).ok();
        if field("done")?.as_bool() != Some(false) {
            return None;
        }
        let bytes = field("value")?.dyn_into::<js_sys::Uint8Array>().ok()?;
        Some(bytes.to_vec())
    }

    /// The server sends a keep-alive every `millis`: the stream is dead
    /// only after `MISSED_KEEP_ALIVES` of them pass in silence.
    pub fn expect_keep_alive(&self, millis: u64) {
        self.silence.set(Duration::from_millis(
            millis.saturating_mul(MISSED_KEEP_ALIVES),
        ));
    }

    /// Ends the connection; a read in progress ends with `None`.
    pub fn close(&self) {
        self.controller.abort();
    }
}
