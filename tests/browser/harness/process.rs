//! The test's processes: the server (and a second one as the vendor's
//! API), chromedriver with Chromium, the portal page on a second origin,
//! and the watchdog that ends them all past the deadline.

use super::*;

/// The one way the tests start the server, shared with the server's own
/// tests.
#[allow(dead_code)]
#[path = "../../../server/tests/support/process.rs"]
mod server_process;
pub(super) use server_process::{ServerLog, ServerProcess};

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

/// Starts the test server on `addr` with its database in `dir`, its log
/// lines going to `log`; returns it and its `http://` address.
/// The server the tests start: `LEADS_SERVER_BIN`, or the test server
/// (the server with its fault injector) that `cargo test -p leads-server
/// --features test-faults` builds.
fn server_bin() -> PathBuf {
    std::env::var("LEADS_SERVER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo_path(TEST_SERVER))
}

/// Where [`server_bin`] looks by default.
const TEST_SERVER: &str = "target/debug/leads-test-server";

/// Starts the test server on `addr` with its database in `dir`, writing
/// what it says to `log`, in front of `upstream` when given.
pub(super) fn spawn_server(
    options: &ServerOptions,
    dir: &std::path::Path,
    addr: &str,
    log: &ServerLog,
    upstream: Option<&str>,
) -> ServerProcess {
    let (dist, demo_leads) = (repo_path("dist"), options.demo_leads.to_string());
    let dist = dist.to_string_lossy();
    let mut args = vec![
        "--addr",
        addr,
        "--dist",
        &dist,
        "--demo-leads",
        &demo_leads,
        "--test-faults",
    ];
    if let Some(key) = options.api_key {
        args.extend(["--api-key", key]);
    }
    for origin in &options.allow_origins {
        args.extend(["--allow-origin", origin]);
    }
    let secret = dir.join("webhook-secret");
    let secret = secret.to_string_lossy();
    if options.webhook_secret.is_some() {
        args.extend(["--webhook-secret-file", &secret]);
    }
    let upstream_base = upstream.map(|base| format!("{base}/v1"));
    let mut env = vec![("NO_COLOR", "1")];
    if let (Some(base), Some(key)) = (&upstream_base, options.upstream_key) {
        args.extend(["--upstream", base]);
        env.push(("LEADS_UPSTREAM_KEY", key));
    }
    let binary = server_bin();
    ServerProcess::start_logging(&binary.to_string_lossy(), dir, &env, &args, log.clone())
}

pub(super) fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

pub(super) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

pub(super) fn which(candidates: &[&str]) -> String {
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
        let server_bin = server_bin();
        let dist = repo_path("dist");
        assert!(
            server_bin.is_file() && dist.join("index.html").is_file(),
            "browser tests need `make dist` and `cargo test -p leads-server --features \
             test-faults --no-run` first ({} and {})",
            server_bin.display(),
            dist.display()
        );
        if let Some(secret) = options.webhook_secret {
            std::fs::write(dir.path().join("webhook-secret"), secret).expect("write the secret");
        }
        let server_log = ServerLog::everything();
        let upstream = options.upstream_key.map(|key| {
            let folder = dir.path().join("upstream");
            std::fs::create_dir_all(&folder).expect("the upstream's folder");
            let vendor = ServerOptions {
                api_key: Some(key),
                upstream_key: None,
                webhook_secret: None,
                ..options.clone()
            };
            spawn_server(
                &vendor,
                &folder,
                "127.0.0.1:0",
                &ServerLog::everything(),
                None,
            )
        });
        let server = spawn_server(
            &options,
            dir.path(),
            "127.0.0.1:0",
            &server_log,
            upstream.as_ref().map(|vendor| vendor.base.as_str()),
        );
        let base = server.base.clone();

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
        let watchdog = watch_the_clock([Some(server.group()), driver.group()]);
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
        let connect = || async {
            ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&driver_url)
                .await
        };
        let browser: Client = wait::poll(connect, Result::is_ok)
            .await
            .last
            .unwrap_or_else(|err| panic!("chromedriver did not start a session: {err}"));
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

    /// Kills the server (no chance to finish anything) and starts it again
    /// on the same address and database, as after a crash.
    pub fn restart_server(&mut self) {
        self.server.kill_hard();
        let addr = self.base.trim_start_matches("http://").to_owned();
        let upstream = self.upstream.as_ref().map(|vendor| vendor.base.clone());
        let server = spawn_server(
            &self.options,
            self._dir.path(),
            &addr,
            &self.server_log,
            upstream.as_deref(),
        );
        assert_eq!(server.base, self.base, "the same address again");
        self.server = server;
    }

    /// The vendor's API in proxy mode: `http://127.0.0.1:PORT`.
    pub fn upstream_base(&self) -> Option<&str> {
        self.upstream.as_ref().map(|vendor| vendor.base.as_str())
    }

    /// Everything the server logged, across restarts.
    pub fn server_log(&self) -> String {
        self.server_log.text()
    }
}

/// A child process owned from the moment it is spawned: dropping it ends
/// its whole process group (chromedriver's Chromium processes too), even
/// when the test fails before its harness exists.
pub(super) struct Owned(Child);

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

pub(super) fn kill_group(group: libc::pid_t) {
    // SAFETY: killpg only sends a signal; the group is our own child's.
    unsafe { libc::killpg(group, libc::SIGKILL) };
}

/// Stops the test's processes once [`DEADLINE`] passes, unless the
/// returned sender is dropped first (the test ended). WebDriver calls then
/// fail, and so does the test, instead of hanging.
pub(super) fn watch_the_clock(groups: [Option<libc::pid_t>; 2]) -> mpsc::Sender<()> {
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
