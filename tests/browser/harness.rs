//! Starts the real `leads-server` on a fresh temporary database, chromedriver
//! and headless Chromium, and tears all of it down when the test ends, even
//! when it fails. It builds nothing: `make build build-test-server` leaves
//! `dist/` and the server with its test fault injector where it looks.

use std::io::{BufRead, BufReader};
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
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            demo_leads: 250,
            api_key: None,
            allow_origins: Vec::new(),
            webhook_secret: None,
            upstream_key: None,
        }
    }
}

/// A portal's page on a second origin: a loopback port of its own that
/// answers every request with one HTML page, set once the console's
/// server (which must know this origin first) is running.
pub struct HostPage {
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    page: Arc<Mutex<String>>,
    _serving: tokio::task::JoinHandle<()>,
}

impl HostPage {
    /// Listens now; answers with an empty page until [`HostPage::set`].
    pub async fn bind() -> HostPage {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the host page's port");
        let origin = format!("http://{}", listener.local_addr().expect("an address"));
        let page = Arc::new(Mutex::new(String::new()));
        let serving = tokio::spawn({
            let page = Arc::clone(&page);
            async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                while let Ok((mut stream, _)) = listener.accept().await {
                    let page = Arc::clone(&page);
                    tokio::spawn(async move {
                        // The request itself does not matter: read its head.
                        let mut head = Vec::new();
                        let mut buf = [0u8; 1024];
                        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                            match stream.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => head.extend_from_slice(&buf[..n]),
                            }
                        }
                        // Read now, not at accept: Chromium opens sockets
                        // ahead of the requests it will send on them.
                        let html = page.lock().unwrap_or_else(|p| p.into_inner()).clone();
                        let answer = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                             Cache-Control: no-store\r\n\
                             Content-Length: {}\r\nConnection: close\r\n\r\n{html}",
                            html.len()
                        );
                        let _ = stream.write_all(answer.as_bytes()).await;
                    });
                }
            }
        });
        HostPage {
            origin,
            page,
            _serving: serving,
        }
    }

    /// The page to answer with from now on.
    pub fn set(&self, html: &str) {
        *self.page.lock().unwrap_or_else(|p| p.into_inner()) = html.to_owned();
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
    // Held for their `Drop`, which ends the processes; the browser goes
    // first (fields drop in order), so its session closes before its server.
    _driver: Owned,
    server: Owned,
    /// The vendor's API in proxy mode, and its address.
    upstream: Option<(Owned, String)>,
    /// Dropped with the harness, which tells the watchdog the test ended.
    _watchdog: mpsc::Sender<()>,
    server_log: Arc<Mutex<Vec<String>>>,
    /// Every browser-log entry read so far; chromedriver hands each out once.
    page_log: Mutex<Vec<Value>>,
    /// Set by [`Harness::finish`]; a harness dropped without it fails the test.
    finished: bool,
    /// Browser-log text a test expects (a load the browser blocks on
    /// purpose); entries containing it are not page failures.
    expected_errors: Mutex<Vec<String>>,
    _dir: TempDir,
}

/// The text WebDriver sends for one special key.
pub fn key(key: fantoccini::key::Key) -> String {
    char::from(key).to_string()
}

/// Helpers every script in the page gets: the console lives in the shadow
/// root of `<leads-console>`, so `all(css)` looks in the page and in every
/// console's root, `root` is the first console's root, `focused()` is the
/// element that really has focus (inside a root, not its host), and
/// `buttons(name)` are the buttons with that accessible name (text or
/// `aria-label`). The one place the tests know about shadow DOM.
const PAGE_HELPERS: &str = "\
    const roots = () => [document, ...[...document.querySelectorAll('leads-console')]\
        .flatMap(e => e.shadowRoot ? [e.shadowRoot] : [])];\
    const all = css => roots().flatMap(r => [...r.querySelectorAll(css)]);\
    const root = roots()[1] || document;\
    const focused = () => { let e = document.activeElement;\
        while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;\
        return e; };\
    const buttons = name => all('button').filter(b =>\
        b.textContent.replace(/\\s+/g, ' ').trim() === name || b.getAttribute('aria-label') === name);\
    ";

/// Starts the test server on `addr` with its database in `dir`, its log
/// lines going to `log`; returns it and its `http://` address.
fn spawn_server(
    options: &ServerOptions,
    dir: &std::path::Path,
    addr: &str,
    log: &Arc<Mutex<Vec<String>>>,
    upstream: Option<&str>,
) -> (Owned, String) {
    let server_bin = std::env::var("LEADS_SERVER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo_path("target/release/leads-test-server"));
    let mut command = Command::new(&server_bin);
    command
        .arg("--addr")
        .arg(addr)
        .arg("--db")
        .arg(dir.join("leads.db"))
        .arg("--dist")
        .arg(repo_path("dist"))
        .arg("--demo-leads")
        .arg(options.demo_leads.to_string())
        .arg("--test-faults")
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info")
        .env_remove("LEADS_API_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0);
    if let Some(key) = options.api_key {
        command.arg("--api-key").arg(key);
    }
    for origin in &options.allow_origins {
        command.arg("--allow-origin").arg(origin);
    }
    if options.webhook_secret.is_some() {
        command
            .arg("--webhook-secret-file")
            .arg(dir.join("webhook-secret"));
    }
    if let (Some(base), Some(key)) = (upstream, options.upstream_key) {
        command
            .arg("--upstream")
            .arg(format!("{base}/v1"))
            .env("LEADS_UPSTREAM_KEY", key);
    }
    let mut server = Owned(command.spawn().expect("start leads-server"));
    let (addr_tx, addr_rx) = mpsc::channel();
    let stdout = server.0.stdout.take().expect("server stdout");
    let log = Arc::clone(log);
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(at) = line.find("http://127.0.0.1:") {
                let addr: String = line[at..]
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '"')
                    .collect();
                let _ = addr_tx.send(addr);
            }
            log.lock().unwrap_or_else(|p| p.into_inner()).push(line);
        }
    });
    let base = addr_rx
        .recv_timeout(PATIENCE)
        .expect("leads-server should report its address");
    (server, base)
}

fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn which(candidates: &[&str]) -> String {
    for candidate in candidates {
        if std::path::Path::new(candidate).is_file() {
            return (*candidate).to_owned();
        }
    }
    panic!(
        "none of {candidates:?} exists; run `make setup-test` to install Chromium and chromedriver"
    );
}

impl Harness {
    /// A server with the default 250 demo leads and no key.
    pub async fn start() -> Harness {
        Self::with(ServerOptions::default()).await
    }

    /// A server started with `options`.
    pub async fn with(options: ServerOptions) -> Harness {
        let dir = tempfile::tempdir().expect("a temp dir");
        let server_bin = std::env::var("LEADS_SERVER_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|_| repo_path("target/release/leads-test-server"));
        let dist = repo_path("dist");
        assert!(
            server_bin.is_file() && dist.join("index.html").is_file(),
            "browser tests need `make build build-test-server` first ({} and {})",
            server_bin.display(),
            dist.display()
        );
        if let Some(secret) = options.webhook_secret {
            std::fs::write(dir.path().join("webhook-secret"), secret).expect("write the secret");
        }
        let server_log = Arc::new(Mutex::new(Vec::new()));
        let upstream = options.upstream_key.map(|key| {
            let folder = dir.path().join("upstream");
            std::fs::create_dir_all(&folder).expect("the upstream's folder");
            let vendor = ServerOptions {
                api_key: Some(key),
                upstream_key: None,
                webhook_secret: None,
                ..options.clone()
            };
            spawn_server(&vendor, &folder, "127.0.0.1:0", &Arc::default(), None)
        });
        let (server, base) = spawn_server(
            &options,
            dir.path(),
            "127.0.0.1:0",
            &server_log,
            upstream.as_ref().map(|(_, base)| base.as_str()),
        );

        let driver_port = free_port();
        let driver = Owned(
            Command::new(which(&[
                "/usr/bin/chromedriver",
                "/usr/lib/chromium/chromedriver",
            ]))
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start chromedriver"),
        );
        let watchdog = watch_the_clock([server.group(), driver.group()]);
        let profile = dir.path().join("chromium-profile");
        let caps = json!({
            "goog:chromeOptions": {
                "binary": which(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ]
            },
            "goog:loggingPrefs": { "browser": "ALL" },
            // A page with unsaved edits asks before it unloads; the harness
            // must still be able to close it.
            "unhandledPromptBehavior": "accept"
        });
        let caps = caps.as_object().cloned().unwrap_or_default();
        let driver_url = format!("http://127.0.0.1:{driver_port}");
        let started = Instant::now();
        let browser: Client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&driver_url)
                .await
            {
                Ok(client) => break client,
                Err(err) if started.elapsed() < PATIENCE => {
                    let _ = err;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(err) => panic!("chromedriver did not start a session: {err}"),
            }
        };
        let http = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .build(HttpConnector::new());
        Harness {
            base,
            browser,
            http,
            api_key: options.api_key,
            options,
            _driver: driver,
            server,
            upstream,
            _watchdog: watchdog,
            server_log,
            page_log: Mutex::new(Vec::new()),
            finished: false,
            expected_errors: Mutex::new(Vec::new()),
            _dir: dir,
        }
    }

    /// Opens a console URL (path and query) and waits for the first rows.
    pub async fn open(&self, path: &str) {
        self.browser
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("navigate");
    }

    /// Opens `path` and waits until the table shows what the API returns
    /// for `api_query`; returns those ids.
    pub async fn open_view(&self, path: &str, api_query: &str) -> Vec<String> {
        let expected = self.api_ids(api_query).await;
        self.open(path).await;
        assert_eq!(self.wait_for_rows(&expected).await, expected, "{path}");
        expected
    }

    /// Calls the API directly, with the server's key when it has one.
    pub async fn api(&self, method: &str, path: &str, body: Option<Value>) -> ApiReply {
        self.call(&self.base, self.api_key, method, path, body)
            .await
    }

    /// Calls the vendor's API (proxy mode) directly, with its key.
    pub async fn vendor_api(&self, method: &str, path: &str, body: Option<Value>) -> ApiReply {
        let base = self.upstream_base().expect("a harness in proxy mode");
        self.call(base, self.options.upstream_key, method, path, body)
            .await
    }

    async fn call(
        &self,
        base: &str,
        key: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> ApiReply {
        let mut request = http::Request::builder()
            .method(method)
            .uri(format!("{base}{path}"));
        if let Some(key) = key {
            request = request.header("Authorization", format!("Bearer {key}"));
        }
        let payload = match body {
            Some(body) => {
                request = request.header("Content-Type", "application/json");
                Bytes::from(body.to_string())
            }
            None => Bytes::new(),
        };
        let response = self
            .http
            .request(request.body(Full::new(payload)).expect("a request"))
            .await
            .expect("the API answers");
        let status = response.status().as_u16();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        ApiReply {
            status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    /// The ids the API returns for a list query string.
    pub async fn api_ids(&self, query: &str) -> Vec<String> {
        let reply = self.api("GET", &format!("/v1/leads?{query}"), None).await;
        assert_eq!(reply.status, 200, "GET /v1/leads?{query}: {}", reply.body);
        reply.body["data"]
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|lead| lead["id"].as_str().map(str::to_owned))
            .collect()
    }

    /// The elements a script (with [`PAGE_HELPERS`]) returns.
    async fn elements(&self, script: &str, args: Vec<Value>) -> Vec<Element> {
        let found = self
            .browser
            .execute(&format!("{PAGE_HELPERS}{script}"), args)
            .await
            .unwrap_or_else(|err| panic!("script failed: {err}"));
        found
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|reference| reference.as_object()?.values().next()?.as_str())
            .map(|id| {
                Element::from_element_id(self.browser.clone(), ElementRef::from(id.to_owned()))
            })
            .collect()
    }

    /// Every element matching `css`, in the page or inside a console.
    pub async fn all(&self, css: &str) -> Vec<Element> {
        self.elements("return all(arguments[0]);", vec![json!(css)])
            .await
    }

    /// The first element matching `css` now, if there is one.
    pub async fn first(&self, css: &str) -> Option<Element> {
        self.all(css).await.into_iter().next()
    }

    /// Waits for an element to appear.
    pub async fn find(&self, css: &str) -> Element {
        self.wait_for_element(
            &format!("element matches {css}"),
            "return all(arguments[0]);",
            vec![json!(css)],
        )
        .await
    }

    /// Waits until `script` (with [`PAGE_HELPERS`]) returns an element, and
    /// gives the first; fails the test, showing the page, when none comes.
    async fn wait_for_element(&self, what: &str, script: &str, args: Vec<Value>) -> Element {
        let started = Instant::now();
        loop {
            if let Some(found) = self.elements(script, args.clone()).await.into_iter().next() {
                return found;
            }
            if started.elapsed() > PATIENCE {
                panic!("no {what}; the page reads:\n{}", self.text().await);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The lead ids in the table, top to bottom.
    pub async fn table_ids(&self) -> Vec<String> {
        let ids = self
            .js("return all('tbody tr[data-lead-id]').map(r => r.getAttribute('data-lead-id'));")
            .await;
        ids.as_array()
            .into_iter()
            .flatten()
            .filter_map(|id| id.as_str().map(str::to_owned))
            .collect()
    }

    /// Waits until the table shows exactly `expected`, and returns what it
    /// showed last, so a failure prints the difference.
    pub async fn wait_for_rows(&self, expected: &[String]) -> Vec<String> {
        let started = Instant::now();
        loop {
            let ids = self.table_ids().await;
            if ids == expected || started.elapsed() > PATIENCE {
                return ids;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Reads the browser log entries chromedriver has gathered since the
    /// last read, keeps them for [`Harness::finish`], and returns them.
    async fn read_page_log(&self) -> Vec<Value> {
        let entries = self
            .browser
            .issue_cmd(DriverCommand::browser_log())
            .await
            .expect("read the browser log");
        let entries = entries.as_array().cloned().unwrap_or_default();
        self.page_log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(entries.iter().cloned());
        entries
    }

    /// Messages the page wrote to the browser console at warning level or
    /// above since the last call.
    pub async fn console_errors(&self) -> Vec<String> {
        self.read_page_log()
            .await
            .iter()
            .filter(|e| matches!(e["level"].as_str(), Some("SEVERE" | "WARNING")))
            .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Every panic and uncaught error the page has logged since the test
    /// began. Failed requests (a fault the test injected) are not among
    /// them: the browser logs those too, but they are the server's answers,
    /// not the page's failures.
    pub async fn page_failures(&self) -> Vec<String> {
        self.read_page_log().await;
        self.page_log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|e| is_page_failure(e))
            .filter(|e| {
                let message = e["message"].as_str().unwrap_or_default();
                !self
                    .expected_errors
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .iter()
                    .any(|expected| message.contains(expected.as_str()))
            })
            .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Kills the server (no chance to finish anything) and starts it again
    /// on the same address and database, as after a crash.
    pub fn restart_server(&mut self) {
        kill_group(self.server.group().expect("the server's group"));
        let _ = self.server.0.wait();
        let addr = self.base.trim_start_matches("http://").to_owned();
        let upstream = self.upstream.as_ref().map(|(_, base)| base.clone());
        let (server, base) = spawn_server(
            &self.options,
            self._dir.path(),
            &addr,
            &self.server_log,
            upstream.as_deref(),
        );
        assert_eq!(base, self.base, "the same address again");
        self.server = server;
    }

    /// The vendor's API in proxy mode: `http://127.0.0.1:PORT`.
    pub fn upstream_base(&self) -> Option<&str> {
        self.upstream.as_ref().map(|(_, base)| base.as_str())
    }

    /// Delivers a `new_lead` webhook for `data` (a lead) with event id
    /// `event_id`, signed as the vendor signs; returns the status.
    pub async fn deliver(&self, event_id: &str, data: Value) -> u16 {
        let body = json!({"type": "new_lead", "id": event_id, "data": data}).to_string();
        let secret = self
            .options
            .webhook_secret
            .expect("a server with a webhook secret");
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs()
            .to_string();
        let signature = webhook_signature(secret, &timestamp, &body);
        self.post_webhook(
            &body,
            &[
                ("X-Leads-Timestamp", &timestamp),
                ("X-Leads-Signature", &signature),
            ],
        )
        .await
    }

    /// Posts `body` to the webhook with exactly these headers.
    pub async fn post_webhook(&self, body: &str, headers: &[(&str, &str)]) -> u16 {
        let mut request = http::Request::builder()
            .method("POST")
            .uri(format!("{}/webhooks/new_lead", self.base))
            .header("Content-Type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(Full::new(Bytes::from(body.to_owned())))
            .expect("a request");
        self.http
            .request(request)
            .await
            .expect("the server answers")
            .status()
            .as_u16()
    }

    /// Ends every open event stream, as a dropped connection would.
    pub async fn cut_streams(&self) {
        let reply = self.api("POST", "/_test/cut-streams", None).await;
        assert_eq!(reply.status, 204);
    }

    /// Makes the server misbehave for matching `/v1` requests (see the
    /// server's `faults` module for the rule's fields).
    pub async fn inject(&self, rule: Value) {
        let reply = self.api("POST", "/_test/faults", Some(rule)).await;
        assert_eq!(reply.status, 204, "fault rule rejected: {}", reply.body);
    }

    /// Lets every response held by the fault rule gate `gate` go.
    pub async fn release(&self, gate: &str) {
        let reply = self
            .api("POST", "/_test/release", Some(json!({"gate": gate})))
            .await;
        assert_eq!(reply.status, 204, "release rejected: {}", reply.body);
    }

    /// Waits until the server has received `count` requests whose method
    /// and URI (e.g. `PATCH /v1/leads/lead_001`) contain `matching`, and
    /// returns them as recorded, with `started` and `finished`.
    pub async fn wait_for_received(&self, matching: &str, count: usize) -> Vec<Value> {
        let started = Instant::now();
        loop {
            let found: Vec<Value> = self
                .recorded()
                .await
                .into_iter()
                .filter(|r| {
                    let target = format!(
                        "{} {}",
                        r["method"].as_str().unwrap_or_default(),
                        r["uri"].as_str().unwrap_or_default()
                    );
                    target.contains(matching)
                })
                .collect();
            if found.len() >= count || started.elapsed() > PATIENCE {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until every request matching `matching` has been answered,
    /// and returns them as recorded.
    pub async fn wait_until_answered(&self, matching: &str) -> Vec<Value> {
        let started = Instant::now();
        loop {
            let found = self.wait_for_received(matching, 0).await;
            if found.iter().all(|r| r["finished"].is_u64()) || started.elapsed() > PATIENCE {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Chooses `option` (its visible text) in the select labelled `label`.
    pub async fn select(&self, label: &str, option: &str) {
        let select = self.labelled(label).await;
        select
            .select_by_label(option)
            .await
            .unwrap_or_else(|err| panic!("select {option:?} in {label:?}: {err}"));
    }

    /// The form control whose `<label>` reads exactly `label`.
    pub async fn labelled(&self, label: &str) -> Element {
        self.field(".leads-console", label).await
    }

    /// The value the select labelled `label` currently shows.
    pub async fn selected(&self, label: &str) -> String {
        let select = self.labelled(label).await;
        select
            .prop("value")
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// The buttons named `name` (text or `aria-label`) now.
    async fn buttons(&self, name: &str) -> Vec<Element> {
        self.elements("return buttons(arguments[0]);", vec![json!(name)])
            .await
    }

    /// The button named `name` (text or `aria-label`), once it is on the page.
    pub async fn button(&self, name: &str) -> Element {
        self.wait_for_element(
            &format!("button {name:?}"),
            "return buttons(arguments[0]);",
            vec![json!(name)],
        )
        .await
    }

    /// Clicks the button named `name`.
    pub async fn click(&self, name: &str) {
        self.button(name)
            .await
            .click()
            .await
            .unwrap_or_else(|err| panic!("click {name:?}: {err}"));
    }

    /// True when a button named `name` is on the page right now.
    pub async fn has_button(&self, name: &str) -> bool {
        !self.buttons(name).await.is_empty()
    }

    /// The query string of the page's URL, without `?`.
    pub async fn query(&self) -> String {
        let url = self.browser.current_url().await.expect("current url");
        url.query().unwrap_or_default().to_owned()
    }

    /// Waits until the page's query string is `expected`.
    pub async fn wait_for_query(&self, expected: &str) -> String {
        let started = Instant::now();
        loop {
            let query = self.query().await;
            if query == expected || started.elapsed() > PATIENCE {
                return query;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The page's visible text.
    pub async fn text(&self) -> String {
        let text = self
            .js(
                "return [document.body, ...roots().slice(1).flatMap(r => [...r.children])]\
                   .map(e => e.innerText || '').join('\\n');",
            )
            .await;
        text.as_str().unwrap_or_default().to_owned()
    }

    /// The text of the live region with `role` (`status` or `alert`), where
    /// screen readers hear outcomes.
    pub async fn announced(&self, role: &str) -> String {
        match self.first(&format!(".announcements [role='{role}']")).await {
            Some(region) => region.text().await.unwrap_or_default(),
            None => String::new(),
        }
    }

    /// Waits until the live region with `role` reads something containing
    /// `text` (or, for an empty `text`, nothing at all); returns what it
    /// read last.
    pub async fn wait_for_announced(&self, role: &str, text: &str) -> String {
        let started = Instant::now();
        loop {
            let now = self.announced(role).await;
            let done = if text.is_empty() {
                now.trim().is_empty()
            } else {
                now.contains(text)
            };
            if done || started.elapsed() > PATIENCE {
                return now;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the page shows `text`; returns whether it did.
    pub async fn wait_for_text(&self, text: &str) -> bool {
        let started = Instant::now();
        while started.elapsed() < PATIENCE {
            if self.text().await.contains(text) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    /// Waits until `script` (run in the page) returns `expected`; fails the
    /// test, naming `what` and every other value it returned, when it never
    /// does.
    pub async fn wait_for_js(&self, what: &str, script: &str, expected: Value) {
        let started = Instant::now();
        let mut seen = Vec::new();
        loop {
            let now = self.js(script).await;
            if now == expected {
                return;
            }
            if seen.last() != Some(&now) {
                seen.push(now);
            }
            assert!(
                started.elapsed() < PATIENCE,
                "gave up waiting: {what}; the page said {seen:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs `script` in the page and returns its result.
    pub async fn js(&self, script: &str) -> Value {
        self.browser
            .execute(&format!("{PAGE_HELPERS}{script}"), vec![])
            .await
            .unwrap_or_else(|err| panic!("script failed: {err}"))
    }

    /// Returns once every request the page started before now has reached
    /// the server: the page sends a marker request of its own after its
    /// queued work and next paint, and the test waits for it to arrive. A
    /// count taken after this is not a race against a sleep.
    pub async fn settle(&self) {
        static MARKERS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = MARKERS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let marker = format!("/v1/openapi.json?settled={n}");
        self.js(&format!(
            "requestAnimationFrame(() => setTimeout(() => fetch('{marker}'), 0));"
        ))
        .await;
        self.wait_for_received(&marker, 1).await;
    }

    /// How many list requests (`GET /v1/leads`, with or without a query) the
    /// server has received, its test's own calls included.
    pub async fn list_requests(&self) -> usize {
        self.recorded()
            .await
            .iter()
            .filter(|r| r["method"] == "GET")
            .filter_map(|r| r["uri"].as_str())
            .filter(|uri| *uri == "/v1/leads" || uri.starts_with("/v1/leads?"))
            .count()
    }

    /// Every `/v1` request the server has received, oldest first.
    async fn recorded(&self) -> Vec<Value> {
        let reply = self.api("GET", "/_test/requests", None).await;
        reply.body.as_array().cloned().unwrap_or_default()
    }

    /// The bodies of the `method` requests to `/v1` the server has received,
    /// oldest first, parsed as JSON.
    pub async fn sent(&self, method: &str) -> Vec<Value> {
        self.recorded()
            .await
            .iter()
            .filter(|r| r["method"] == method)
            .map(|r| {
                serde_json::from_str(r["body"].as_str().unwrap_or_default()).unwrap_or(Value::Null)
            })
            .collect()
    }

    /// The control labelled `label` inside the element matching `scope`,
    /// once both are on the page.
    pub async fn field(&self, scope: &str, label: &str) -> Element {
        // The label's `for` names a control in the same root as the label.
        let script = "const [scope, label] = arguments; \
            return all(scope).flatMap(s => [...s.querySelectorAll('label')]) \
              .filter(l => l.textContent.replace(/\\s+/g, ' ').trim() === label && l.htmlFor) \
              .map(l => l.getRootNode().getElementById(l.htmlFor)).filter(Boolean);";
        self.wait_for_element(
            &format!("control labelled {label:?} in {scope}"),
            script,
            vec![json!(scope), json!(label)],
        )
        .await
    }

    /// Types `text` (keys included) into the control labelled `label`
    /// inside `scope`.
    pub async fn type_into(&self, scope: &str, label: &str, text: &str) {
        let field = self.field(scope, label).await;
        self.keys(&field, text).await;
    }

    /// The element with this `aria-label`.
    pub async fn named(&self, name: &str) -> Element {
        self.find(&format!("[aria-label='{name}']")).await
    }

    /// One lead as the API has it now.
    pub async fn lead(&self, id: &str) -> Value {
        let reply = self.api("GET", &format!("/v1/leads/{id}"), None).await;
        assert_eq!(reply.status, 200, "GET {id}: {}", reply.body);
        reply.body
    }

    /// Waits until `check` holds for the lead as stored, returning it.
    pub async fn wait_for_lead(&self, id: &str, check: impl Fn(&Value) -> bool) -> Value {
        let started = Instant::now();
        loop {
            let lead = self.lead(id).await;
            if check(&lead) || started.elapsed() > PATIENCE {
                return lead;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The `id` of the element that has focus.
    pub async fn focused_id(&self) -> String {
        self.js("const e = focused(); return e ? e.id : ''")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Types `text` (keys included) into `element` as a person would: it
    /// takes the focus unless it has it, then real key presses. WebDriver's
    /// own send-keys first blurs the page's active element, which for a
    /// control in a shadow root is the host, and so fires blur checks no
    /// person's typing does.
    pub async fn keys(&self, element: &Element, text: &str) {
        let element = serde_json::to_value(element).expect("an element reference");
        self.browser
            .execute(
                &format!("{PAGE_HELPERS} const e = arguments[0]; if (focused() !== e) e.focus();"),
                vec![element],
            )
            .await
            .unwrap_or_else(|err| panic!("focus before typing: {err}"));
        self.press(text).await;
    }

    /// Presses each key of `keys` in turn, as a person at a keyboard does:
    /// real key events to whatever has focus (use [`key`] for Tab, Enter,
    /// Escape and the arrows).
    pub async fn press(&self, keys: &str) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut actions = KeyActions::new("keyboard".to_owned());
        for value in keys.chars() {
            actions = actions
                .then(KeyAction::Down { value })
                .then(KeyAction::Up { value });
        }
        self.browser
            .perform_actions(actions)
            .await
            .expect("press keys");
    }

    /// The focused element's accessible name as Chromium computes it, and
    /// whether it shows a focus ring (an outline or a box shadow drawn
    /// because it matches `:focus-visible`).
    pub async fn focus(&self) -> (String, bool) {
        let started = Instant::now();
        loop {
            if let Some(found) = self.try_focus().await {
                return found;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "the focused element kept leaving the page before its name was read"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// [`Harness::focus`], or `None` when the focused element left the page
    /// between finding it and reading its name (the focus was moving: a
    /// row editor closing, say), so the caller asks again.
    async fn try_focus(&self) -> Option<(String, bool)> {
        let element = self
            .elements("return [focused()];", vec![])
            .await
            .into_iter()
            .next()
            .expect("something has focus");
        let label = self
            .browser
            .issue_cmd(DriverCommand::computed_label(&element))
            .await;
        let name = match label {
            Ok(label) => label.as_str().unwrap_or_default().to_owned(),
            Err(fantoccini::error::CmdError::Standard(err))
                if err.error == fantoccini::error::ErrorStatus::StaleElementReference =>
            {
                return None;
            }
            Err(err) => panic!("read the computed label: {err}"),
        };
        let ring = self
            .js("const e = focused(); const s = getComputedStyle(e); \
                 return e.matches(':focus-visible') && \
                   ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none');")
            .await
            .as_bool()
            .unwrap_or(false);
        Some((name, ring))
    }

    /// Waits until the focused element's accessible name (as Chromium
    /// computes it) is `name`; returns the last one seen.
    pub async fn wait_for_focus(&self, name: &str) -> String {
        let started = Instant::now();
        loop {
            let (focused, _) = self.focus().await;
            if focused == name || started.elapsed() > PATIENCE {
                return focused;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The accessible name Chromium computes for `element`: what a screen
    /// reader announces, CSS-generated text included.
    pub async fn accessible_name(&self, element: &Element) -> String {
        let label = self
            .browser
            .issue_cmd(DriverCommand::computed_label(element))
            .await
            .expect("read the computed label");
        label.as_str().unwrap_or_default().to_owned()
    }

    /// What axe-core (installed by `make setup-test`) finds wrong with the
    /// page as it is now: one line per rule broken, with the elements.
    pub async fn axe_violations(&self) -> Vec<String> {
        let path = repo_path(".tools/node_modules/axe-core/axe.min.js");
        let axe = std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("{}: {err}; run `make setup-test`", path.display()));
        self.js(&axe).await;
        let found = self
            .browser
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document).then(
                   r => done(r.violations.map(v => v.id + ': ' + v.help + ' at ' +
                                                   v.nodes.map(n => n.target.join(' ')).join(', '))),
                   e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .unwrap_or_else(|err| panic!("run axe: {err}"));
        found
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Makes the page's locale `locale` (e.g. `de-DE`) for what it
    /// formats with `Intl`, as if the browser were set to that language.
    pub async fn set_locale(&self, locale: &str) {
        self.cdp("Emulation.setLocaleOverride", json!({"locale": locale}))
            .await;
    }

    /// Runs `script` at the start of every page this browser opens from
    /// now on, before the page's own scripts.
    pub async fn on_every_page(&self, script: &str) {
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": script}),
        )
        .await;
    }

    pub async fn cdp(&self, cmd: &str, params: Value) {
        self.cdp_value(cmd, params).await;
    }

    /// A DevTools command's result.
    pub async fn cdp_value(&self, cmd: &str, params: Value) -> Value {
        self.browser
            .issue_cmd(DriverCommand::cdp(cmd, params))
            .await
            .unwrap_or_else(|err| panic!("DevTools {cmd}: {err}"))
    }

    /// The headers of `GET path` on the server under test.
    pub async fn headers_of(&self, path: &str) -> http::HeaderMap {
        let request = http::Request::get(format!("{}{path}", self.base))
            .body(Full::new(Bytes::new()))
            .expect("a request");
        let response = self
            .http
            .request(request)
            .await
            .expect("the server answers");
        response.headers().clone()
    }

    /// What the server logged, for failure messages.
    pub fn server_log(&self) -> String {
        self.server_log
            .lock()
            .map(|l| l.join("\n"))
            .unwrap_or_default()
    }

    /// Ends the test: fails it if the page logged a panic or an uncaught
    /// error at any point, then closes the browser. Every test calls it
    /// last; processes go in `Drop` either way.
    /// Browser-log entries containing `text` are expected by this test
    /// (the browser reporting a load it blocked, say), not page failures.
    pub fn expect_page_error(&self, text: &str) {
        self.expected_errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(text.to_owned());
    }

    /// The element matching `css` in the shadow root of the `n`th
    /// `<leads-console>` on the page (from 0), for pages with several.
    pub async fn in_console(&self, n: usize, css: &str) -> Element {
        let script = "const [n, css] = arguments; \
            const shadow = document.querySelectorAll('leads-console')[n]?.shadowRoot; \
            return shadow ? [...shadow.querySelectorAll(css)] : [];";
        self.wait_for_element(
            &format!("{css} in console {n}"),
            script,
            vec![json!(n), json!(css)],
        )
        .await
    }

    /// The lead ids in the table of the `n`th console, top to bottom.
    pub async fn console_ids(&self, n: usize) -> Vec<String> {
        let script = format!(
            "const shadow = document.querySelectorAll('leads-console')[{n}]?.shadowRoot; \
             return shadow ? [...shadow.querySelectorAll('tbody tr[data-lead-id]')] \
               .map(r => r.getAttribute('data-lead-id')) : [];"
        );
        self.js(&script)
            .await
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|id| id.as_str().map(str::to_owned))
            .collect()
    }

    pub async fn finish(mut self) {
        let failures = self.page_failures().await;
        self.finished = true;
        let _ = tokio::time::timeout(Duration::from_secs(5), self.browser.clone().close()).await;
        assert!(
            failures.is_empty(),
            "the page logged {} panic(s) or uncaught error(s):\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}

/// True for a browser-log entry that means the page itself broke: a wasm
/// panic (printed with `console.error`), an uncaught exception or an
/// unhandled rejection. Network entries are the server's answers.
fn is_page_failure(entry: &Value) -> bool {
    entry["level"] == "SEVERE" && entry["source"] != "network"
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

/// A child process owned from the moment it is spawned: dropping it ends
/// its whole process group (chromedriver's Chromium processes too), even
/// when the test fails before its harness exists.
struct Owned(Child);

impl Owned {
    fn group(&self) -> Option<libc::pid_t> {
        libc::pid_t::try_from(self.0.id()).ok().filter(|g| *g > 1)
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        if let Some(group) = self.group() {
            kill_group(group);
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn kill_group(group: libc::pid_t) {
    // SAFETY: killpg only sends a signal; the group is our own child's.
    unsafe { libc::killpg(group, libc::SIGKILL) };
}

/// Stops the test's processes once [`DEADLINE`] passes, unless the
/// returned sender is dropped first (the test ended). WebDriver calls then
/// fail, and so does the test, instead of hanging.
fn watch_the_clock(groups: [Option<libc::pid_t>; 2]) -> mpsc::Sender<()> {
    let (ended_tx, ended_rx) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if ended_rx.recv_timeout(DEADLINE) == Err(mpsc::RecvTimeoutError::Timeout) {
            eprintln!(
                "browser test still running after {DEADLINE:?}: stopping its server and browser"
            );
            groups.into_iter().flatten().for_each(kill_group);
        }
    });
    ended_tx
}

/// A chromedriver endpoint fantoccini does not wrap: the path after
/// `session/{id}/`, and the JSON body to POST (a GET without one).
#[derive(Debug)]
struct DriverCommand {
    path: String,
    body: Option<Value>,
}

impl DriverCommand {
    /// The browser's console log since the last read.
    fn browser_log() -> Self {
        Self {
            path: "se/log".to_owned(),
            body: Some(json!({"type": "browser"})),
        }
    }

    /// The accessible name Chromium computes for an element.
    fn computed_label(element: &Element) -> Self {
        Self {
            path: format!("element/{}/computedlabel", element.element_id()),
            body: None,
        }
    }

    /// A DevTools protocol command, for what WebDriver cannot do.
    fn cdp(cmd: &str, params: Value) -> Self {
        Self {
            path: "goog/cdp/execute".to_owned(),
            body: Some(json!({"cmd": cmd, "params": params})),
        }
    }
}

impl WebDriverCompatibleCommand for DriverCommand {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/{}",
            session.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        match &self.body {
            Some(body) => (http::Method::POST, Some(body.to_string())),
            None => (http::Method::GET, None),
        }
    }
}

/// `sha256=<hex>` of HMAC-SHA256(secret, "{timestamp}.{body}"), written out
/// here from SHA-256 alone, so the test does not share the server's code.
pub fn webhook_signature(secret: &str, timestamp: &str, body: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut key = [0u8; 64];
    if secret.len() > 64 {
        key[..32].copy_from_slice(&Sha256::digest(secret.as_bytes()));
    } else {
        key[..secret.len()].copy_from_slice(secret.as_bytes());
    }
    let pad = |byte: u8| key.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(format!("{timestamp}.{body}"))
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    let hex: String = outer.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}
