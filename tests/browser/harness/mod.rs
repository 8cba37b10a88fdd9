//! Starts the real `leads-server` on a fresh temporary database and a
//! browser (`BROWSER=chromium|firefox|webkit`, see `engine`) with its
//! driver, and tears all of it down when the test ends, even when it fails. It builds nothing: `make dist` leaves `dist/`, and
//! `cargo test -p leads-server --features test-faults --no-run` the server
//! with its test fault injector, where it looks.
//!
//! One [`Harness`] per test, its methods by concern: starting and stopping
//! the processes (`process`), the API and the fault injector (`api`), what
//! the page shows and doing things in it (`page`), the keyboard and the
//! focus (`focus`), accessibility (`accessibility`), and the page's log
//! with the end-of-test check (`log`). Every wait goes through
//! `wait::poll`.

mod accessibility;
mod api;
mod engine;
mod focus;
mod log;
mod page;
mod process;
mod wait;

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use fantoccini::elements::{Element, ElementRef};
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use tempfile::TempDir;

pub use api::webhook_signature;
pub use engine::Engine;
use log::DriverCommand;
use page::PAGE_HELPERS;
pub use process::HostPage;
use process::{free_port, repo_path, which, Owned, ServerLog, ServerProcess};

/// How long a person would wait before calling the page broken.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// The longest one browser test may run. Past it, its server and browser
/// are stopped, so a hang fails that test instead of eating CI's budget.
pub const DEADLINE: Duration = Duration::from_secs(180);

/// How the server under test is started.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub demo_leads: u32,
    pub api_key: Option<&'static str>,
    /// Portal origins the server answers CORS for (`--allow-origin`).
    pub allow_origins: Vec<String>,
    /// Takes the `new_lead` webhook, signed with this secret.
    pub webhook_secret: Option<&'static str>,
    /// Proxy mode: a second test server with this key stands for the
    /// vendor's API, and the demo leads are its.
    pub upstream_key: Option<&'static str>,
    /// With `upstream_key`: the server keeps a synced copy (`--mirror`),
    /// passing over what changed every 300 ms.
    pub mirror: bool,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            demo_leads: 250,
            api_key: None,
            allow_origins: Vec::new(),
            webhook_secret: None,
            upstream_key: None,
            mirror: false,
        }
    }
}

/// A reply from the API, as the test sees it.
pub struct ApiReply {
    pub status: u16,
    pub body: Value,
}

/// A running server, browser and WebDriver session.
pub struct Harness {
    pub base: String,
    pub browser: Client,
    http: hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>,
    api_key: Option<&'static str>,
    options: ServerOptions,
    /// The browser the test drives.
    pub engine: Engine,
    // Held for their `Drop`, which ends the processes; the browser goes
    // first (fields drop in order), so its session closes before its server.
    _driver: Vec<Owned>,
    server: ServerProcess,
    /// The vendor's API in proxy mode.
    upstream: Option<ServerProcess>,
    /// Dropped with the harness, which tells the watchdog the test ended.
    _watchdog: mpsc::Sender<()>,
    server_log: ServerLog,
    /// Everything the page logged, read so far.
    page_log: Mutex<Vec<log::PageEntry>>,
    /// Set by [`Harness::finish`]; a harness dropped without it fails the test.
    finished: bool,
    /// Page-error text a test expects (a load the browser blocks on
    /// purpose); entries containing it are not page failures.
    expected_errors: Mutex<Vec<String>>,
    _dir: TempDir,
}

/// The text WebDriver sends for one special key.
pub fn key(key: fantoccini::key::Key) -> String {
    char::from(key).to_string()
}

impl Drop for Harness {
    fn drop(&mut self) {
        // A test that forgot `finish` would never look at the page's log.
        let forgot_finish = !self.finished && !std::thread::panicking();
        assert!(
            !forgot_finish,
            "a browser test must end with `h.finish().await`, which checks the page for panics"
        );
    }
}
