//! Talking to the outside: the API client (the only code that knows URLs,
//! headers and error bodies: `api`, with `config`, `catalog`, `credentials`, the
//! event `stream` and each request's `deadline`; `error` words its
//! failures for people), the session
//! (which credentials, the one `401` rule), the host element's attributes,
//! `getToken` and events, the SSE reader, JSON, and waiting in the browser
//! (`Retry-After`, timers).
//!
//! It knows `leads-core` and the browser, and nothing of the console's
//! views or features.

pub mod api;
pub mod catalog;
pub mod config;
pub mod credentials;
pub mod deadline;
pub mod error;
pub mod host;
pub mod json;
pub mod pause;
pub mod session;
pub mod sse;
pub mod stream;

use std::time::Duration;

/// How long any request may go unanswered before the console gives up on
/// it and says so, rather than spinning for ever.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// The largest answer the console reads. A full page of 100 leads at every
/// field's limit is well under 1 MiB; anything past this is a broken server
/// or proxy, and reading it could stall the tab.
pub const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;
