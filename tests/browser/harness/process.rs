//! The test's processes: the server (and a second one as the vendor's
//! API), chromedriver with Chromium, the portal page on a second origin,
//! and the watchdog that ends them all past the deadline.

use super::*;

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

pub(super) fn spawn_server(
    options: &ServerOptions,
    dir: &std::path::Path,
    addr: &str,
    log: &Arc<Mutex<Vec<String>>>,
    upstream: Option<&str>,
) -> (Owned, String) {
    let mut command = Command::new(server_bin());
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

    /// What the server logged, for failure messages.
    pub fn server_log(&self) -> String {
        self.server_log
            .lock()
            .map(|l| l.join("\n"))
            .unwrap_or_default()
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
