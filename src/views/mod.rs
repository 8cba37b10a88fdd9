//! The view a person looks at: its filters, sort and page, and where they
//! live (the page's query string, or memory: [`list_state`] is the only
//! code that knows), and named saved views with their bar.
//!
//! It may use `ui`, `net` and `leads-core`; no other feature.

pub mod bar;
pub mod list_state;
pub mod saved;
