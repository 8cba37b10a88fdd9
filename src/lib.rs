//! Leads Console: the browser UI for the Leads API.
//!
//! One folder per concern; the arrows only go down:
//!
//! - [`shell`]: the `<leads-console>` element, the app, Connect and the
//!   panic notice.
//! - [`pages`]: the leads page, which composes the features.
//! - Features, each holding its state and its views together:
//!   [`list`] (the table, rows, filters, pager), which uses [`edit`]
//!   (forms, the row editor, status saves, the console's own writes),
//!   [`bulk`] (selection and batch) and [`keys`] (keyboard triage);
//!   [`live`] (the event stream, new leads, attention); [`export`]
//!   (Export CSV); [`views`] (the view in the URL, saved views). Each
//!   folder's `mod.rs` says which others it may use.
//! - [`ui`]: pieces every feature shares; [`net`]: the API client, the
//!   session, the host element's interface, the stream reader, JSON.
//! - [`i18n`]: the words, in the console's language; everything above
//!   may use it, and it uses nothing of the console.
//!
//! What the first rows do not need is built into a second wasm module,
//! `extras`, fetched after the first view: each feature marks its own
//! split points with `#[wasm_split(extras, …)]` beside the code they load
//! ([`ui::deferred`] renders them).

pub mod bulk;
pub mod edit;
pub mod export;
pub mod i18n;
pub mod keys;
pub mod list;
pub mod live;
pub mod net;
pub mod pages;
pub mod shell;
pub mod ui;
pub mod views;
