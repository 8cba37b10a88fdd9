//! What the page logged and threw, and the check every test ends with;
//! DevTools commands (Chromium only).
//!
//! Every engine: `page_errors.js`, loaded first on every page, notes
//! uncaught errors, unhandled rejections, CSP violations and
//! `console.error`/`console.warn` calls in the page, and the harness reads
//! the notes back. Chromium also hands out its own browser log, which
//! catches more (network failures among them), so there both are read.

use super::*;

/// One thing the page logged or threw.
#[derive(Debug, Clone)]
pub(super) struct PageEntry {
    pub level: Level,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Level {
    /// The page broke: a wasm panic (printed with `console.error`) or trap,
    /// an uncaught exception, an unhandled rejection, a CSP violation.
    Failure,
    /// A failed request, as Chromium logs it: the server's answer, not
    /// the page breaking.
    Network,
    Warning,
}

/// Reads and clears the notes `page_errors.js` kept in this page's origin.
const READ_NOTES: &str = "const key = 'leads-test:page-errors'; let notes = []; \
    try { notes = JSON.parse(sessionStorage.getItem(key) || '[]'); \
          sessionStorage.removeItem(key); } catch (_) {} \
    notes = notes.concat(window.__leadsTestErrors || []); window.__leadsTestErrors = []; \
    return notes;";

impl Harness {
    /// Reads what the page logged since the last read, keeps it for
    /// [`Harness::finish`], and returns it.
    pub(super) async fn read_page_log(&self) -> Vec<PageEntry> {
        let mut entries: Vec<PageEntry> = match self.browser.execute(READ_NOTES, vec![]).await {
            Ok(notes) => notes
                .as_array()
                .into_iter()
                .flatten()
                .map(|note| PageEntry {
                    level: if note["kind"] == "warning" {
                        Level::Warning
                    } else {
                        Level::Failure
                    },
                    message: note["message"].as_str().unwrap_or_default().to_owned(),
                })
                .collect(),
            Err(err) => vec![PageEntry {
                level: Level::Failure,
                message: format!("the page's errors could not be read: {err}"),
            }],
        };
        if self.engine == Engine::Chromium {
            entries.extend(self.chromium_log().await);
        }
        self.page_log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(entries.iter().cloned());
        entries
    }

    /// Chromium's browser log since the last read (chromedriver hands each
    /// entry out once).
    async fn chromium_log(&self) -> Vec<PageEntry> {
        let entries = self
            .browser
            .issue_cmd(DriverCommand::browser_log())
            .await
            .expect("read the browser log");
        entries
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|entry| {
                let level = match (entry["level"].as_str(), entry["source"].as_str()) {
                    (Some("SEVERE"), Some("network")) => Level::Network,
                    (Some("SEVERE"), _) => Level::Failure,
                    (Some("WARNING"), _) => Level::Warning,
                    _ => return None,
                };
                let message = entry["message"].as_str().unwrap_or_default().to_owned();
                Some(PageEntry { level, message })
            })
            .collect()
    }

    /// Reads what the page in each of the browser's tabs logged: the notes
    /// are kept per tab, and a test may end in another one.
    async fn read_every_tab(&self) {
        let tabs = self.browser.windows().await.unwrap_or_default();
        if tabs.len() < 2 {
            return;
        }
        for tab in tabs {
            if self.browser.switch_to_window(tab).await.is_ok() {
                self.read_page_log().await;
            }
        }
    }

    /// Navigates to `url` after reading what the page logged, since a page
    /// of another origin cannot read this one's notes.
    pub async fn goto(&self, url: &str) {
        self.read_page_log().await;
        self.browser
            .goto(url)
            .await
            .unwrap_or_else(|err| panic!("open {url}: {err}"));
    }

    /// Messages the page wrote to the browser console at warning level or
    /// above since the last call (and, in Chromium, failed requests).
    pub async fn console_errors(&self) -> Vec<String> {
        self.read_page_log()
            .await
            .into_iter()
            .map(|entry| entry.message)
            .collect()
    }

    /// Every panic and uncaught error the page has logged since the test
    /// began. Failed requests (a fault the test injected) are not among
    /// them: Chromium logs those too, but they are the server's answers,
    /// not the page's failures.
    pub async fn page_failures(&self) -> Vec<String> {
        self.read_page_log().await;
        let expected = self
            .expected_errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        self.page_log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|entry| entry.level == Level::Failure)
            .filter(|entry| !expected.iter().any(|e| entry.message.contains(e.as_str())))
            .map(|entry| entry.message.clone())
            .collect()
    }

    pub async fn cdp(&self, cmd: &str, params: Value) {
        self.cdp_value(cmd, params).await;
    }

    /// A DevTools command's result. Chromium only: a test that needs one
    /// says why it cannot run in the other engines.
    pub async fn cdp_value(&self, cmd: &str, params: Value) -> Value {
        assert_eq!(
            self.engine,
            Engine::Chromium,
            "{cmd} is a DevTools command, which only Chromium has"
        );
        self.browser
            .issue_cmd(DriverCommand::cdp(cmd, params))
            .await
            .unwrap_or_else(|err| panic!("DevTools {cmd}: {err}"))
    }

    /// Page errors containing `text` are expected by this test (the
    /// browser reporting a load it blocked, say), not page failures.
    pub fn expect_page_error(&self, text: &str) {
        self.expected_errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(text.to_owned());
    }

    /// Ends the test: fails it if the page logged a panic or an uncaught
    /// error at any point, then closes the browser. Every test calls it
    /// last; processes go in `Drop` either way.
    pub async fn finish(mut self) {
        self.read_every_tab().await;
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

/// A driver endpoint fantoccini does not wrap: the path after
/// `session/{id}/`, and the JSON body to POST (a GET without one).
#[derive(Debug)]
pub(super) struct DriverCommand {
    path: String,
    body: Option<Value>,
}

impl DriverCommand {
    /// Chromium's console log since the last read.
    pub(super) fn browser_log() -> Self {
        Self {
            path: "se/log".to_owned(),
            body: Some(json!({"type": "browser"})),
        }
    }

    /// The accessible name the browser computes for an element (WebDriver's
    /// Get Computed Label).
    pub(super) fn computed_label(element: &Element) -> Self {
        Self {
            path: format!("element/{}/computedlabel", element.element_id()),
            body: None,
        }
    }

    /// A DevTools protocol command, for what WebDriver cannot do.
    pub(super) fn cdp(cmd: &str, params: Value) -> Self {
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
