//! Export CSV: the walk through every page of the view (each lead once),
//! the file's rules ([`csv`]), and the button with its progress and
//! outcome.
//!
//! It may use `views` (the view to export), `ui`, `net` and `leads-core`.

pub mod controls;
pub mod csv;
pub mod walk;
