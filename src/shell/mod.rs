//! The shell: how a console starts and what holds it. The `<leads-console>`
//! element (a shadow root, the styles, one reactive owner each), the app
//! (settings, then Connect or the leads page), Connect itself, and the
//! notice a panic puts on screen.
//!
//! The top of the tree: it may use every folder below it and nothing
//! imports it.

pub mod app;
pub mod connect;
pub mod element;
pub mod panic_notice;
