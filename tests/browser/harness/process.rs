//! The test's processes: the server (and a second one as the vendor's
//! API) serving the test's copy of the console, the browser's driver
//! (`engine`), the portal page on a second origin, and the watchdog that
//! ends them all past the deadline.

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

    /// The page to answer with from now on, with the page-error catcher
    /// first in its head.
    pub fn set(&self, html: &str) {
        *self.page.lock().unwrap_or_else(|p| p.into_inner()) =
            with_error_catcher(html, &inline_error_catcher());
    }
}

/// The script every page the tests open runs first (see the file).
const PAGE_ERRORS: &str = include_str!("page_errors.js");
/// Where the test pages load it from: the catcher, then whatever a test
/// adds with [`Harness::on_every_page`].
pub(super) const PAGE_START: &str = "test-page-start.js";

/// `html` with the page-error catcher as the first thing in its head, so
/// it is listening before any other script runs.
pub(super) fn with_error_catcher(html: &str, script: &str) -> String {
    let at = html
        .find("<head>")
        .map(|at| at + "<head>".len())
        .unwrap_or_default();
    format!("{}{script}{}", &html[..at], &html[at..])
}

/// The built console as the tests serve it, in `dir/dist`: every file of
/// `dist/` linked, and its pages with the page-error catcher loaded first.
/// From a file of the server's own origin, so the server's
/// Content-Security-Policy stays exactly what ships.
pub(super) fn test_dist(dir: &std::path::Path) -> PathBuf {
    let (built, served) = (repo_path("dist"), dir.join("dist"));
    std::fs::create_dir_all(&served).expect("the test's dist folder");
    let tag = format!("<script src=\"/{PAGE_START}\"></script>");
    for entry in std::fs::read_dir(&built).expect("dist/; run `make dist`") {
        let entry = entry.expect("a dist entry");
        let (from, to) = (entry.path(), served.join(entry.file_name()));
        if from.extension().is_some_and(|e| e == "html") {
            let page = std::fs::read_to_string(&from).expect("a built page");
            std::fs::write(&to, with_error_catcher(&page, &tag)).expect("write a test page");
        } else {
            std::os::unix::fs::symlink(&from, &to).expect("link a built file");
        }
    }
    std::fs::write(served.join(PAGE_START), PAGE_ERRORS).expect("write the catcher");
    served
}

/// The page-error catcher inline, for pages the tests write themselves.
pub(super) fn inline_error_catcher() -> String {
    format!("<script>{PAGE_ERRORS}</script>")
}

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

/// Starts the test server on `addr` with its database in `dir`, serving
/// `dist`, writing what it says to `log`, in front of `upstream` when given.
pub(super) fn spawn_server(
    options: &ServerOptions,
    dir: &std::path::Path,
    dist: &std::path::Path,
    addr: &str,
    log: &ServerLog,
    upstream: Option<&str>,
) -> ServerProcess {
    let demo_leads = options.demo_leads.to_string();
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
        if options.mirror {
            args.extend([
                "--mirror",
                "--sync-interval",
                "300ms",
                "--sync-max-rps",
                "50",
            ]);
        }
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
    panic!("none of {candidates:?} exists; run `make setup-test` to install the browsers");
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
        let dist = test_dist(dir.path());
        let server_log = ServerLog::everything();
        let upstream = options.upstream_key.map(|key| {
            let folder = dir.path().join("upstream");
            std::fs::create_dir_all(&folder).expect("the upstream's folder");
            let vendor = ServerOptions {
                api_key: Some(key),
                upstream_key: None,
                mirror: false,
                webhook_secret: None,
                ..options.clone()
            };
            spawn_server(
                &vendor,
                &folder,
                &dist,
                "127.0.0.1:0",
                &ServerLog::everything(),
                None,
            )
        });
        let server = spawn_server(
            &options,
            dir.path(),
            &dist,
            "127.0.0.1:0",
            &server_log,
            upstream.as_ref().map(|vendor| vendor.base.as_str()),
        );
        let base = server.base.clone();

        let engine = Engine::current();
        let driver = engine.start(dir.path());
        let groups = std::iter::once(server.group())
            .chain(driver.processes.iter().filter_map(Owned::group))
            .collect();
        let watchdog = watch_the_clock(groups);
        let connect = || async {
            ClientBuilder::new(HttpConnector::new())
                .capabilities(driver.capabilities.clone())
                .connect(&driver.url)
                .await
        };
        let browser: Client = wait::poll(connect, Result::is_ok)
            .await
            .last
            .unwrap_or_else(|err| panic!("{engine:?}'s driver did not start a session: {err}"));
        engine.size_window(&browser).await;
        let http = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .build(HttpConnector::new());
        Harness {
            base,
            browser,
            http,
            api_key: options.api_key,
            options,
            engine,
            _driver: driver.processes,
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
            &self.served_dist(),
            &addr,
            &self.server_log,
            upstream.as_deref(),
        );
        assert_eq!(server.base, self.base, "the same address again");
        self.server = server;
    }

    /// The test's copy of the console that its server serves
    /// ([`test_dist`]).
    pub(super) fn served_dist(&self) -> PathBuf {
        self._dir.path().join("dist")
    }

    /// Serves `text` as the catalog `/i18n/{lang}.json` from now on, in
    /// this test's copy of the console; the other catalogs stay as built.
    pub fn serve_catalog(&self, lang: &str, text: &str) {
        let folder = self.served_dist().join("i18n");
        if folder.is_symlink() {
            let built = std::fs::read_link(&folder).expect("the built catalogs' folder");
            std::fs::remove_file(&folder).expect("unlink the built catalogs");
            std::fs::create_dir(&folder).expect("a catalogs folder of the test's own");
            for entry in std::fs::read_dir(&built)
                .expect("the built catalogs")
                .flatten()
            {
                std::os::unix::fs::symlink(entry.path(), folder.join(entry.file_name()))
                    .expect("link a built catalog");
            }
        }
        // Without its precompressed twin, which the server would send first.
        let _ = std::fs::remove_file(folder.join(format!("{lang}.json.br")));
        let path = folder.join(format!("{lang}.json"));
        let _ = std::fs::remove_file(&path);
        std::fs::write(&path, text).expect("write the test's catalog");
    }

    /// Kills the vendor's API (proxy mode): it stops answering at once.
    pub fn kill_upstream(&mut self) {
        if let Some(vendor) = self.upstream.as_mut() {
            vendor.kill_hard();
        }
    }

    /// Starts the vendor's API again on its address and database.
    pub fn restart_upstream(&mut self) {
        let Some(base) = self.upstream.as_ref().map(|vendor| vendor.base.clone()) else {
            return;
        };
        let vendor = ServerOptions {
            api_key: self.options.upstream_key,
            upstream_key: None,
            mirror: false,
            webhook_secret: None,
            ..self.options.clone()
        };
        let server = spawn_server(
            &vendor,
            &self._dir.path().join("upstream"),
            &self.served_dist(),
            base.trim_start_matches("http://"),
            &ServerLog::everything(),
            None,
        );
        assert_eq!(server.base, base, "the vendor on its address again");
        self.upstream = Some(server);
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
pub(super) struct Owned(pub(super) Child);

impl Owned {
    pub(super) fn group(&self) -> Option<libc::pid_t> {
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
pub(super) fn watch_the_clock(groups: Vec<libc::pid_t>) -> mpsc::Sender<()> {
    let (ended_tx, ended_rx) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if ended_rx.recv_timeout(DEADLINE) == Err(mpsc::RecvTimeoutError::Timeout) {
            eprintln!(
                "browser test still running after {DEADLINE:?}: stopping its server and browser"
            );
            groups.into_iter().for_each(kill_group);
        }
    });
    ended_tx
}
