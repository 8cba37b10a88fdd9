//! Pieces every feature shares, owning no lead data: the announcer and its
//! live regions, text fields and the tag editor, the load-error notice,
//! focus moved by keys, modal dialogs, a progress bar with Cancel, views deferred to the
//! extras module, how values read (score bands,
//! dates, safe links), and the guard for handlers that outlive their
//! element.
//!
//! It may use `net` and `leads-core`; no feature, page or shell.

pub mod announcements;
pub mod announcer;
pub mod collections;
pub mod deferred;
pub mod display;
pub mod key_focus;
pub mod load_error;
pub mod modal;
pub mod mounted;
pub mod progress;
pub mod tag_editor;
pub mod text_field;
