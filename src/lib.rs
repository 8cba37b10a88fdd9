//! Leads Console: the browser UI for the Leads API.
//!
//! Layers, each knowing only the ones below it:
//!
//! - [`api`]: the only code that knows URLs, headers and error bodies; it
//!   also supersedes an older list request when a newer view is asked for.
//! - [`json`]: reads JSON text (answers, events, saved views, page
//!   settings) with the browser's own parser.
//! - [`session`]: the API settings and key; every API answer passes through
//!   [`session::Session::checked`], the one place a `401` goes back to Connect.
//! - [`list_state`]: the only code that knows where the view lives (the
//!   page's query string, or memory).
//! - State, no markup: [`lead_form`] (what was typed, checked with the
//!   `leads-core` rules, turned into a create or a patch of what changed),
//!   [`form_feedback`] (a form's messages, failed saves included),
//!   [`lead_edits`] (the console's own writes merged over the page, drafts
//!   of open row editors, the highlight), [`status_save`] (the status
//!   select's save, queue, Undo and Retry), [`announcer`] (outcomes for the
//!   live regions), [`selection`] (the leads chosen for a bulk change) and
//!   [`batch`] (a status change for many leads: four at a time, `429`
//!   waits, Cancel, Retry failed and Undo), [`export`] (every page of the
//!   view, each lead once) with [`csv`] (the file's rules), [`pause`],
//!   [`saved_views`] (named views, kept per API base), [`shortcuts`]
//!   (keyboard triage: which key does what, and when keys
//!   are left alone), [`display`] (how values read: score bands, dates in the
//!   browser's locale, safe links), [`mounted`] (handlers that the removal
//!   of their own element fires do nothing).
//! - [`extras`]: the split points of the `extras` wasm module (saved views,
//!   live status and reader, dialogs, row editor, status sending, bulk
//!   bar, export progress and walk), fetched after the first view;
//!   `components::later` renders its views.
//! - [`pages`] and [`components`]: render and dispatch, nothing more.
//! - [`element`] (`<leads-console>`: a shadow root, the styles, one
//!   reactive owner per element), [`host`] (its attributes, `getToken` and
//!   the events it dispatches), [`app`] (settings, then Connect or the
//!   leads page) and [`panic_notice`] (a panic says so on screen).

pub mod announcer;
pub mod api;
pub mod app;
pub mod attention;
pub mod batch;
pub mod components;
pub mod csv;
pub mod display;
pub mod element;
pub mod export;
pub mod extras;
pub mod form_feedback;
pub mod host;
pub mod json;
pub mod lead_edits;
pub mod lead_form;
pub mod list_state;
pub mod live;
pub mod mounted;
pub mod pages;
pub mod panic_notice;
pub mod pause;
pub mod saved_views;
pub mod selection;
pub mod session;
pub mod shortcuts;
pub mod sse;
pub mod status_save;
