//! Which browser the tests drive, and everything that differs between
//! them: `BROWSER=chromium` (the default), `firefox` or `webkit` chooses;
//! the driver each needs, how it starts and stops, and the capabilities
//! asked for live here and nowhere else.
//!
//! - Chromium: Debian's `chromium` through `chromedriver`, headless.
//! - Firefox: Debian's `firefox-esr` through `geckodriver` (from
//!   crates.io), headless.
//! - WebKit: WebKitGTK's MiniBrowser through `WebKitWebDriver`, on an Xvfb
//!   display of its own (it has no headless mode).
//!
//! `make setup-test` installs all three.

use super::*;

/// A browser engine the suite runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
    WebKit,
}

/// The window every test starts with.
const WIDTH: u32 = 1280;
const HEIGHT: u32 = 900;

impl Engine {
    /// The engine `BROWSER` names; Chromium when it names none.
    pub fn current() -> Engine {
        match std::env::var("BROWSER").as_deref() {
            Err(_) | Ok("" | "chromium") => Engine::Chromium,
            Ok("firefox") => Engine::Firefox,
            Ok("webkit") => Engine::WebKit,
            Ok(other) => panic!("BROWSER={other:?}: choose chromium, firefox or webkit"),
        }
    }

    /// Starts this engine's driver (and what it needs) with its profile
    /// in `dir`, and says how to reach it.
    pub(super) fn start(self, dir: &std::path::Path) -> Driver {
        let port = free_port();
        let mut processes = Vec::new();
        let driver = match self {
            Engine::Chromium => {
                let mut driver = Command::new(which(&[
                    "/usr/bin/chromedriver",
                    "/usr/lib/chromium/chromedriver",
                ]));
                driver.arg(format!("--port={port}"));
                driver
            }
            Engine::Firefox => {
                let mut driver = Command::new(tool("geckodriver"));
                // Two sessions at once must not both want BiDi's 9222.
                driver
                    .args(["--port", &port.to_string()])
                    .args(["--websocket-port", &free_port().to_string()])
                    .arg("--profile-root")
                    .arg(dir);
                driver
            }
            Engine::WebKit => {
                let (display, xvfb) = start_display(dir);
                processes.push(xvfb);
                // WebKitGTK saves downloads in the XDG download folder.
                let xdg = dir.join("xdg");
                std::fs::create_dir_all(&xdg).expect("an XDG config folder");
                let downloads = Engine::downloads(dir);
                std::fs::write(
                    xdg.join("user-dirs.dirs"),
                    format!("XDG_DOWNLOAD_DIR=\"{}\"\n", downloads.display()),
                )
                .expect("name the download folder");
                let mut driver = Command::new(which(&["/usr/bin/WebKitWebDriver"]));
                driver
                    .arg(format!("--port={port}"))
                    .env("XDG_CONFIG_HOME", xdg)
                    .env("DISPLAY", display)
                    // Without a GPU, MiniBrowser draws nothing unless told
                    // not to composite.
                    .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
                driver
            }
        };
        processes.push(spawn_owned(driver, self.driver_name()));
        Driver {
            url: format!("http://127.0.0.1:{port}"),
            capabilities: self.capabilities(dir),
            processes,
        }
    }

    fn driver_name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromedriver",
            Engine::Firefox => "geckodriver",
            Engine::WebKit => "WebKitWebDriver",
        }
    }

    /// What the session asks of the browser: a fresh profile, no network
    /// of its own (this machine's is closed), the test window's size, and
    /// a page that asks before unloading (unsaved edits) accepted, so the
    /// harness can always close it.
    fn capabilities(self, dir: &std::path::Path) -> serde_json::Map<String, Value> {
        let caps = match self {
            Engine::Chromium => json!({
                "goog:chromeOptions": {
                    "binary": which(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]),
                    "args": [
                        "--headless=new", "--no-sandbox", "--disable-gpu",
                        "--disable-dev-shm-usage", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run",
                        format!("--window-size={WIDTH},{HEIGHT}"),
                        format!("--user-data-dir={}", dir.join("chromium-profile").display()),
                    ]
                },
                "goog:loggingPrefs": { "browser": "ALL" },
                "unhandledPromptBehavior": "accept"
            }),
            Engine::Firefox => json!({
                "browserName": "firefox",
                "moz:firefoxOptions": {
                    "binary": which(&["/usr/bin/firefox-esr", "/usr/lib/firefox-esr/firefox-esr"]),
                    "args": ["-headless", format!("--width={WIDTH}"), format!("--height={HEIGHT}")],
                    "prefs": {
                        // Downloads land in the test's folder without a dialog.
                        "browser.download.folderList": 2,
                        "browser.download.dir": Engine::downloads(dir).to_string_lossy(),
                        "browser.download.useDownloadDir": true,
                        "browser.download.always_ask_before_handling_new_types": false,
                    }
                },
                "unhandledPromptBehavior": "accept"
            }),
            Engine::WebKit => json!({
                "browserName": "MiniBrowser",
                "webkitgtk:browserOptions": {
                    "binary": which(&["/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"]),
                    "args": ["--automation"]
                },
                "unhandledPromptBehavior": "accept"
            }),
        };
        caps.as_object().cloned().unwrap_or_default()
    }

    /// What this engine's `WebAssembly.instantiateStreaming` says when a
    /// module's download answers with an error (a JSON 503 in the tests),
    /// which the split loader logs with `console.error`.
    pub fn failed_module_download(self) -> &'static str {
        match self {
            Engine::Chromium => "HTTP status code is not ok",
            Engine::Firefox => "Response has unsupported MIME type",
            Engine::WebKit => "Unexpected response MIME type",
        }
    }

    /// Whether a `fetch()` answer whose connection breaks mid-body fails
    /// to read, as the network error it is. WebKitGTK hands over the bytes
    /// that came as if they were all, which the console then cannot read.
    pub fn reports_cut_answers(self) -> bool {
        self != Engine::WebKit
    }

    /// Where this engine saves downloads: `dir/downloads`, set in the
    /// capabilities for Firefox, through DevTools for Chromium (see
    /// [`Harness::downloads`]), and through the XDG user folders WebKitGTK
    /// reads for WebKit.
    pub(super) fn downloads(dir: &std::path::Path) -> PathBuf {
        dir.join("downloads")
    }

    /// Puts a new session's window at the size every test starts with
    /// (Chromium's comes from its arguments).
    pub(super) async fn size_window(self, browser: &Client) {
        if self != Engine::Chromium {
            browser
                .set_window_size(WIDTH, HEIGHT)
                .await
                .unwrap_or_else(|err| panic!("size the {self:?} window: {err}"));
        }
    }
}

/// A running WebDriver server and the processes it needs.
pub(super) struct Driver {
    pub url: String,
    pub capabilities: serde_json::Map<String, Value>,
    /// The display (WebKit) first, then the driver; the browser runs in
    /// the driver's process group.
    pub processes: Vec<Owned>,
}

/// `program` started in a process group of its own, owned from now on.
fn spawn_owned(mut program: Command, name: &str) -> Owned {
    Owned(
        program
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|err| panic!("start {name}: {err}; run `make setup-test`")),
    )
}

/// A cargo-installed tool: on `PATH` (the Makefile puts CARGO_HOME's bin
/// there), or in `~/.cargo/bin`.
fn tool(name: &str) -> String {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .chain(std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo/bin")))
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file());
    match on_path {
        Some(found) => found.to_string_lossy().into_owned(),
        None => panic!("{name} is not installed; run `make setup-test`"),
    }
}

/// Starts an Xvfb display that chooses its own free number, and returns
/// `:N` once it is ready to draw on (Xvfb writes the number when it is).
fn start_display(dir: &std::path::Path) -> (String, Owned) {
    use std::io::Read;
    let mut xvfb = Command::new(which(&["/usr/bin/Xvfb"]));
    xvfb.args(["-displayfd", "1", "-nolisten", "tcp", "-screen", "0"])
        .arg(format!("{WIDTH}x{HEIGHT}x24"))
        // Its authority and lock files stay out of the way of other displays.
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0);
    let mut child = xvfb
        .spawn()
        .unwrap_or_else(|err| panic!("start Xvfb: {err}; run `make setup-test`"));
    let mut number = String::new();
    let mut out = child.stdout.take().expect("Xvfb's stdout");
    let mut byte = [0u8; 1];
    while out.read(&mut byte).map(|n| n == 1).unwrap_or(false) && byte[0] != b'\n' {
        number.push(char::from(byte[0]));
    }
    // Kept open: a display whose stdout closed would die of SIGPIPE.
    child.stdout = Some(out);
    let owned = Owned(child);
    assert!(
        !number.trim().is_empty() && number.trim().chars().all(|c| c.is_ascii_digit()),
        "Xvfb did not say which display it opened ({number:?})"
    );
    (format!(":{}", number.trim()), owned)
}
