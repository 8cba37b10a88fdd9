//! The page's own log (panics, uncaught errors), read through chromedriver,
//! DevTools commands, and the check every test ends with.

use super::*;

/// True for a browser-log entry that means the page itself broke: a wasm
/// panic (printed with `console.error`), an uncaught exception or an
/// unhandled rejection. Network entries are the server's answers.
pub(super) fn is_page_failure(entry: &Value) -> bool {
    entry["level"] == "SEVERE" && entry["source"] != "network"
}

impl Harness {
    /// Reads the browser log entries chromedriver has gathered since the
    /// last read, keeps them for [`Harness::finish`], and returns them.
    pub(super) async fn read_page_log(&self) -> Vec<Value> {
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

/// A chromedriver endpoint fantoccini does not wrap: the path after
/// `session/{id}/`, and the JSON body to POST (a GET without one).
#[derive(Debug)]
pub(super) struct DriverCommand {
    path: String,
    body: Option<Value>,
}

impl DriverCommand {
    /// The browser's console log since the last read.
    pub(super) fn browser_log() -> Self {
        Self {
            path: "se/log".to_owned(),
            body: Some(json!({"type": "browser"})),
        }
    }

    /// The accessible name Chromium computes for an element.
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
