//! The list of leads: the table with its columns and sortable headers, one
//! row per lead (its cells, the status select, the switch into the row
//! editor), roving row focus, the filters, the pager, the first-load
//! skeleton, the empty states, the search field and tag filter, and the
//! notice over a stale copy.
//!
//! It may use `edit` (a row's status save and editor), `bulk` (a row's
//! checkbox), `keys`, `views`, `ui` and `net`; nothing in those imports it.

pub mod columns;
pub mod empty;
pub mod filters;
pub mod focus;
pub mod pager;
pub mod row;
pub mod search;
pub mod skeleton;
pub mod stale;
pub mod table;
