//! Live arrival: the one event stream and what its events do to the page
//! ([`stream`]), the status beside the heading, "Show {n} new leads", and
//! calling a person back from another tab ([`attention`]).
//!
//! It may use `edit` (colleagues' changes merge into its state), `views`
//! (whether a new lead belongs in the view), `ui`, `net` and `leads-core`.

pub mod attention;
pub mod bar;
pub mod stream;
