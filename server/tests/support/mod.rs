//! A test app: the real router on a fresh SQLite file, driven in process.
//!
//! Each test binary uses part of it.
#![allow(dead_code)]

pub mod live;
pub mod postgres;
pub mod process;
pub mod workload;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use leads_server::app::router;
use leads_server::backend::LeadsBackend;
use leads_server::bus::LeadEvents;
use leads_server::state::AppState;
use leads_server::store::{Database, Location, Store};
use leads_server::upstream::Upstream;
use leads_server::Config;
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt;

/// The console page the test apps serve: like the built one, with an inline
/// start-up script and hashed assets beside it.
pub const STAND_IN_PAGE: &str =
    "<!doctype html><html lang=\"en\"><title>Leads</title><script type=\"module\">start()</script>";

/// The database at `location`, migrated as on start.
pub async fn open(location: &Location) -> Database {
    Database::open(location).await.expect("open the database")
}

/// Options for a test app; the defaults give an open API with no demo data.
#[derive(Default)]
pub struct Options {
    pub demo_leads: u32,
    pub api_key: Option<&'static str>,
    /// `--allow-origin` portals.
    pub allow_origins: Vec<String>,
}

pub struct TestApp {
    router: Router,
    /// The app's lead events, to subscribe to.
    pub events: LeadEvents,
    pub dir: TempDir,
    key: Option<String>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// The `param` of an error body.
    pub fn param(&self) -> Option<&str> {
        self.body["error"]["param"].as_str()
    }

    /// The ids of a list response, in order.
    pub fn ids(&self) -> Vec<String> {
        self.body["data"]
            .as_array()
            .expect("a list body")
            .iter()
            .map(|lead| lead["id"].as_str().expect("an id").to_owned())
            .collect()
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with(Options::default()).await
    }

    pub async fn with(options: Options) -> TestApp {
        Self::with_config(options, |_| {}).await
    }

    /// An app whose config `edit` changes first (sign-in files and such).
    pub async fn with_config(options: Options, edit: impl FnOnce(&mut Config)) -> TestApp {
        let (dir, mut config) = Self::config(&options, false);
        edit(&mut config);
        let database = open(&postgres::location_for(dir.path()).await).await;
        let store = Store::new(&database).expect("open store");
        store.seed_if_empty(config.demo_leads).await.expect("seed");
        Self::serving(dir, &config, &database, LeadsBackend::Store(store)).await
    }

    /// An app on the database of one that was shut down with
    /// [`TestApp::into_dir`]: the server started again.
    pub async fn reopen(dir: TempDir) -> TestApp {
        let (_, mut config) = Self::config(&Options::default(), false);
        config.db = dir.path().join("leads.db");
        config.dist = dir.path().join("dist");
        let database = open(&postgres::location_in(dir.path())).await;
        let store = Store::new(&database).expect("open store");
        Self::serving(dir, &config, &database, LeadsBackend::Store(store)).await
    }

    /// A proxy-mode app in front of `upstream`.
    pub async fn proxy(upstream: Upstream, options: Options) -> TestApp {
        Self::proxy_with_config(upstream, options, |_| {}).await
    }

    /// A proxy-mode app whose config `edit` changes first.
    pub async fn proxy_with_config(
        upstream: Upstream,
        options: Options,
        edit: impl FnOnce(&mut Config),
    ) -> TestApp {
        let (dir, mut config) = Self::config(&options, false);
        edit(&mut config);
        let database = open(&postgres::location_for(dir.path()).await).await;
        Self::serving(dir, &config, &database, LeadsBackend::Upstream(upstream)).await
    }

    /// A temporary folder with a stand-in console, and the config for it.
    fn config(options: &Options, test_faults: bool) -> (TempDir, Config) {
        let dir = tempfile::tempdir().expect("a temp dir");
        let dist = dir.path().join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        for (name, text) in [
            ("app-0123456789abcdef.js", "start();"),
            ("app-0123456789abcdef.js.br", "brotli bytes"),
            ("app-0123456789abcdef.js.gz", "gzip bytes"),
            ("app-0123456789abcdef_bg.wasm", "\0asm"),
            (
                "leads-console-0123456789abcdef.js",
                "export default async function init() {}",
            ),
            ("leads-console-0123456789abcdef_bg.wasm", "\0asm"),
        ] {
            std::fs::write(dist.join(name), text).unwrap();
        }
        std::fs::write(dir.path().join("dist/index.html"), STAND_IN_PAGE).unwrap();
        let config = Config {
            addr: "127.0.0.1:0".into(),
            db: dir.path().join("leads.db"),
            dist: dir.path().join("dist"),
            api_key: options.api_key.map(str::to_owned),
            demo_leads: options.demo_leads,
            client_timeout: std::time::Duration::from_secs(30),
            allow_origins: options.allow_origins.clone(),
            #[cfg(feature = "test-faults")]
            test_faults,
            ..Config::default()
        };
        #[cfg(not(feature = "test-faults"))]
        let _ = test_faults;
        (dir, config)
    }

    async fn serving(
        dir: TempDir,
        config: &Config,
        database: &Database,
        backend: LeadsBackend,
    ) -> TestApp {
        let state = AppState::new(backend, database, config)
            .await
            .expect("sign-in settings");
        TestApp {
            events: state.events.clone(),
            router: router(state),
            dir,
            key: config.api_key.clone(),
        }
    }

    /// Shuts the app down (its router and store connection are dropped)
    /// and keeps its folder, to reopen the database as after a restart.
    pub fn into_dir(self) -> TempDir {
        self.dir
    }

    /// A request with the app's key (if any) already attached.
    pub fn request(&self, method: Method, uri: &str) -> axum::http::request::Builder {
        let builder = Request::builder().method(method).uri(uri);
        match &self.key {
            Some(key) => builder.header(header::AUTHORIZATION, format!("Bearer {key}")),
            None => builder,
        }
    }

    /// The response itself, its body unread (a stream, say).
    pub async fn respond(&self, request: Request<Body>) -> axum::response::Response {
        self.router
            .clone()
            .oneshot(request)
            .await
            .expect("a response")
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.respond(request).await;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.send(self.request(Method::GET, uri).body(Body::empty()).unwrap())
            .await
    }

    pub async fn send_json(&self, method: Method, uri: &str, body: &Value) -> Reply {
        self.send(
            self.request(method, uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    /// `send_json` as whoever `token` signs in as, whatever the app's key.
    pub async fn send_json_as(
        &self,
        token: &str,
        method: Method,
        uri: &str,
        body: &Value,
    ) -> Reply {
        self.send(
            Request::builder()
                .method(method)
                .uri(uri)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    pub async fn post(&self, body: Value) -> Reply {
        self.send_json(Method::POST, "/v1/leads", &body).await
    }

    pub async fn patch(&self, id: &str, body: Value) -> Reply {
        self.send_json(Method::PATCH, &format!("/v1/leads/{id}"), &body)
            .await
    }

    /// Every lead, in creation order.
    pub async fn all(&self) -> Vec<Value> {
        let mut leads = Vec::new();
        for page in 1.. {
            let reply = self
                .get(&format!("/v1/leads?sort=created_at&limit=100&page={page}"))
                .await;
            let data = reply.body["data"].as_array().unwrap().clone();
            if data.is_empty() {
                break;
            }
            leads.extend(data);
        }
        leads
    }
}

/// Builds create bodies without walls of JSON.
#[derive(Default, Clone)]
pub struct LeadBuilder {
    body: serde_json::Map<String, Value>,
}

impl LeadBuilder {
    pub fn new(name: &str) -> Self {
        let mut body = serde_json::Map::new();
        body.insert("name".into(), name.into());
        Self { body }
    }

    pub fn phone(mut self, phone: &str) -> Self {
        self.body.insert("phone".into(), phone.into());
        self
    }

    pub fn email(mut self, email: &str) -> Self {
        self.body.insert("email".into(), email.into());
        self
    }

    pub fn source(mut self, source: &str) -> Self {
        self.body.insert("source".into(), source.into());
        self
    }

    pub fn tags<const N: usize>(mut self, tags: [&str; N]) -> Self {
        self.body.insert("tags".into(), tags.to_vec().into());
        self
    }

    pub fn build(self) -> Value {
        Value::Object(self.body)
    }
}

/// A real `leads-server` (SQLite, with the test fault injector) listening
/// on a loopback port, to stand for the vendor's API.
pub struct RunningServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub key: &'static str,
    http: reqwest::Client,
    _dir: TempDir,
}

impl RunningServer {
    pub async fn start(options: Options) -> RunningServer {
        let (dir, config) = TestApp::config(&options, true);
        let database = open(&postgres::location_for(dir.path()).await).await;
        let store = Store::new(&database).expect("open store");
        store.seed_if_empty(config.demo_leads).await.expect("seed");
        let app = router(
            AppState::new(LeadsBackend::Store(store), &database, &config)
                .await
                .expect("sign-in settings"),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        RunningServer {
            base: format!("http://{addr}"),
            key: options.api_key.expect("an upstream has a key"),
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    /// A request straight to this server, with its key.
    pub async fn direct(&self, method: Method, uri: &str, body: Option<&Value>) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}{uri}", self.base))
            .bearer_auth(self.key);
        if let Some(body) = body {
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.expect("the upstream answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap();
        Reply {
            status,
            headers,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// Every `/v1` request this server received (test-faults builds).
    #[cfg(feature = "test-faults")]
    pub async fn received(&self) -> Vec<Value> {
        let reply = self.direct(Method::GET, "/_test/requests", None).await;
        reply.body.as_array().cloned().unwrap_or_default()
    }

    /// Adds a fault rule (see the server's `faults` module).
    #[cfg(feature = "test-faults")]
    pub async fn inject(&self, rule: Value) {
        let reply = self
            .direct(Method::POST, "/_test/faults", Some(&rule))
            .await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    }
}

/// Everything the servers in this test binary logged, to search.
static LOG: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        LOG.lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Sends every log line of this test binary to [`captured_log`].
pub fn capture_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The server's own filter, at its most talkative.
        tracing_subscriber::fmt()
            .with_writer(|| LogWriter)
            .with_env_filter(leads_server::cli::log_filter("trace"))
            .with_ansi(false)
            .init();
    });
}

/// What was logged so far.
pub fn captured_log() -> String {
    String::from_utf8_lossy(&LOG.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
}

/// `http://127.0.0.1:PORT` where nothing listens: a port that was free a
/// moment ago, to stand for an upstream that is down.
pub fn unreachable_base() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

/// `PRAGMA integrity_check` on the database in `dir`, with no server on it.
pub fn integrity_check(dir: &std::path::Path) -> String {
    let conn = rusqlite::Connection::open(dir.join("leads.db")).expect("open the database");
    conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("run the integrity check")
}
