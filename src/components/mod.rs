//! Small view pieces, one per file; they render and dispatch, nothing more.

pub mod announcements;
pub mod bulk_bar;
pub mod connect_form;
pub mod empty_state;
pub mod export_csv;
pub mod later;
pub mod lead_edit_row;
pub mod lead_fields;
pub mod lead_row;
pub mod leads_table;
pub mod list_filters;
pub mod live_bar;
pub mod load_error;
pub mod new_lead_dialog;
pub mod pager;
pub mod shortcuts_dialog;
pub mod table_skeleton;
pub mod tag_editor;
pub mod text_field;
pub mod views_bar;
