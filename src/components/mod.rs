//! Small view pieces, one per file; they render and dispatch, nothing more.

pub mod connect_form;
pub mod empty_state;
pub mod leads_table;
pub mod list_filters;
pub mod load_error;
pub mod pager;
pub mod table_skeleton;
