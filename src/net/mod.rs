//! Talking to the outside: the API client (the only code that knows URLs,
//! headers and error bodies, and words its errors for people), the session
//! (which credentials, the one `401` rule), the host element's attributes,
//! `getToken` and events, the SSE reader, JSON, and waiting in the browser
//! (`Retry-After`, timers).
//!
//! It knows `leads-core` and the browser, and nothing of the console's
//! views or features.

pub mod api;
pub mod host;
pub mod json;
pub mod pause;
pub mod session;
pub mod sse;
