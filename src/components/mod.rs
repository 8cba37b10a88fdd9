//! Small view pieces, one per file; they render and dispatch, nothing more.

pub mod leads_table;
