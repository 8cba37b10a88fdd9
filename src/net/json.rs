//! Reading JSON text: the API's answers, live events, saved views and the
//! settings written into the page.
//!
//! In the browser the text goes through the browser's own `JSON.parse` and
//! serde-wasm-bindgen, which is 3 KB (brotli) less to download than
//! serde_json's parser and as quick on a page of 100 leads (measured with
//! `make bench`'s harness); its errors carry no message
//! (`vendor/serde-wasm-bindgen`), since nothing here reads one, which keeps
//! serde's error text out of the download (6.4 KB more). Host builds, the
//! unit tests, read it with serde_json. serde_json still writes the request
//! bodies, in the extras module.

use serde::de::DeserializeOwned;

/// `text` as a `T`, or `None` when it is not JSON or not a `T`.
#[cfg(target_arch = "wasm32")]
pub fn parse<T: DeserializeOwned>(text: &str) -> Option<T> {
    let value = js_sys::JSON::parse(text).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

/// `text` as a `T`, or `None` when it is not JSON or not a `T`.
#[cfg(not(target_arch = "wasm32"))]
pub fn parse<T: DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_str(text).ok()
}
