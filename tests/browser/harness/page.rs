//! What the page shows, and doing things in it as a person would.

use super::*;

/// Helpers every script in the page gets: the console lives in the shadow
/// root of `<leads-console>`, so `all(css)` looks in the page and in every
/// console's root, `root` is the first console's root, `focused()` is the
/// element that really has focus (inside a root, not its host), and
/// `buttons(name)` are the buttons with that accessible name (text or
/// `aria-label`), and `labels(scope, text)` the `<label for>`s reading
/// `text` inside `scope`. The one place the tests know about shadow DOM.
pub(super) const PAGE_HELPERS: &str = "\
    const roots = () => [document, ...[...document.querySelectorAll('leads-console')]\
        .flatMap(e => e.shadowRoot ? [e.shadowRoot] : [])];\
    const all = css => roots().flatMap(r => [...r.querySelectorAll(css)]);\
    const root = roots()[1] || document;\
    const focused = () => { let e = document.activeElement;\
        while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;\
        return e; };\
    const buttons = name => all('button').filter(b =>\
        b.textContent.replace(/\\s+/g, ' ').trim() === name || b.getAttribute('aria-label') === name);\
    const labels = (scope, text) => all(scope).flatMap(s => [...s.querySelectorAll('label')])\
        .filter(l => l.textContent.replace(/\\s+/g, ' ').trim() === text && l.htmlFor);\
    ";

impl Harness {
    /// Opens a console URL (path and query) and waits for the first rows.
    pub async fn open(&self, path: &str) {
        self.goto(&format!("{}{path}", self.base)).await;
    }

    /// Opens `path` and waits until the table shows what the API returns
    /// for `api_query`; returns those ids.
    pub async fn open_view(&self, path: &str, api_query: &str) -> Vec<String> {
        let expected = self.api_ids(api_query).await;
        self.open(path).await;
        assert_eq!(self.wait_for_rows(&expected).await, expected, "{path}");
        expected
    }

    /// The elements a script (with [`PAGE_HELPERS`]) returns.
    pub(super) async fn elements(&self, script: &str, args: Vec<Value>) -> Vec<Element> {
        self.try_elements(script, args)
            .await
            .unwrap_or_else(|err| panic!("script failed: {err}"))
    }

    /// [`Harness::elements`], or the driver's error: WebKit's fails when an
    /// element the script returns leaves the page before it is handed over.
    pub(super) async fn try_elements(
        &self,
        script: &str,
        args: Vec<Value>,
    ) -> Result<Vec<Element>, fantoccini::error::CmdError> {
        let found = self
            .browser
            .execute(&format!("{PAGE_HELPERS}{script}"), args)
            .await?;
        Ok(found
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|reference| reference.as_object()?.values().next()?.as_str())
            .map(|id| {
                Element::from_element_id(self.browser.clone(), ElementRef::from(id.to_owned()))
            })
            .collect())
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
    pub(super) async fn wait_for_element(
        &self,
        what: &str,
        script: &str,
        args: Vec<Value>,
    ) -> Element {
        // An element WebKit's driver finds gone as it hands it over is one
        // the page replaced: read again.
        let read = || async {
            match self.try_elements(script, args.clone()).await {
                Ok(found) => found.into_iter().next(),
                Err(err) if is_stale(&err) => None,
                Err(err) => panic!("script failed: {err}"),
            }
        };
        match wait::poll(read, Option::is_some).await.last {
            Some(found) => found,
            None => panic!("no {what}; the page reads:\n{}", self.text().await),
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
        wait::poll(|| self.table_ids(), |ids| ids == expected)
            .await
            .last
    }

    /// Chooses `option` (its visible text) in the select labelled `label`,
    /// as a person does: a click on the label, which focuses the select,
    /// then the option. (WebKit's Back skips history entries a page added
    /// before anyone interacted with it, and choosing an option through
    /// WebDriver is not an interaction.)
    pub async fn select(&self, label: &str, option: &str) {
        let script = "return labels('.leads-console', arguments[0]);";
        self.wait_for_element(&format!("label {label:?}"), script, vec![json!(label)])
            .await
            .click()
            .await
            .unwrap_or_else(|err| panic!("click the label {label:?}: {err}"));
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
    pub(super) async fn buttons(&self, name: &str) -> Vec<Element> {
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
        wait::poll(|| self.query(), |query| query == expected)
            .await
            .last
    }

    /// The page's visible text, open dialogs' included (WebKit leaves a
    /// modal dialog, in the top layer, out of its ancestors' text).
    pub async fn text(&self) -> String {
        let text = self
            .js(
                "return [document.body, ...roots().slice(1).flatMap(r => [...r.children]), \
                         ...all('dialog[open]')]\
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
        let done = |now: &String| {
            if text.is_empty() {
                now.trim().is_empty()
            } else {
                now.contains(text)
            }
        };
        wait::poll(|| self.announced(role), done).await.last
    }

    /// Waits until the page shows `text`; returns whether it did.
    pub async fn wait_for_text(&self, text: &str) -> bool {
        wait::poll(|| self.text(), |now| now.contains(text))
            .await
            .met
    }

    /// Waits until `script` (run in the page) returns `expected`; fails the
    /// test, naming `what` and every other value it returned, when it never
    /// does.
    pub async fn wait_for_js(&self, what: &str, script: &str, expected: Value) {
        let polled = wait::poll(|| self.js(script), |now| *now == expected).await;
        assert!(
            polled.met,
            "gave up waiting: {what}; the page said {:?}, then {}",
            polled.seen, polled.last
        );
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

    /// The control labelled `label` inside the element matching `scope`,
    /// once both are on the page.
    pub async fn field(&self, scope: &str, label: &str) -> Element {
        // The label's `for` names a control in the same root as the label.
        let script = "return labels(...arguments) \
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

    /// Sets the browser to the language `locale` (e.g. `de-DE`), as a
    /// person's own setting does: what it formats with `Intl`,
    /// `navigator.languages`, and the `Accept-Language` it sends (Chromium
    /// only: through DevTools).
    pub async fn set_locale(&self, locale: &str) {
        self.cdp("Emulation.setLocaleOverride", json!({"locale": locale}))
            .await;
        let agent = self.js("return navigator.userAgent").await;
        self.cdp(
            "Emulation.setUserAgentOverride",
            json!({"userAgent": agent, "acceptLanguage": locale}),
        )
        .await;
    }

    /// Runs `script` at the start of every page of the server's this
    /// browser opens from now on, before the page's own scripts: it joins
    /// the script the test pages load first, so it runs as the page's own
    /// (errors it throws are the page's), in every engine.
    pub async fn on_every_page(&self, script: &str) {
        use std::io::Write;
        let path = self.served_dist().join(process::PAGE_START);
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut file| writeln!(file, ";{{\n{script}\n}}"))
            .unwrap_or_else(|err| panic!("add to {}: {err}", path.display()));
    }

    /// Opens `path` in a frame `width` CSS pixels wide (and 800 high) and
    /// moves into it, so the page lays out exactly as on a screen that
    /// wide: Firefox's and WebKit's windows stop shrinking near 450 px.
    /// The frame's page is the server's own, so its CSP lets it be framed
    /// (and, allowing no inline style, sizes the frame by its attributes).
    pub async fn open_at_width(&self, path: &str, width: u32) {
        let frame = "test-frame.html";
        let page = format!(
            "<!doctype html><html lang=\"en\"><head><title>Frame</title></head>\
             <body><iframe title=\"The console\" src=\"{path}\" width=\"{width}\" \
             height=\"800\"></iframe></body></html>"
        );
        std::fs::write(self.served_dist().join(frame), page).expect("write the frame page");
        self.open(&format!("/{frame}")).await;
        self.browser
            .enter_frame(0)
            .await
            .unwrap_or_else(|err| panic!("enter the frame: {err}"));
        self.wait_for_js(
            &format!("a viewport {width} px wide"),
            "return innerWidth;",
            json!(width),
        )
        .await;
    }

    /// The folder the browser saves downloads in, empty, ready for one.
    pub async fn downloads(&self) -> PathBuf {
        let folder = engine::Engine::downloads(self._dir.path());
        std::fs::create_dir_all(&folder).expect("the downloads folder");
        if self.engine == Engine::Chromium {
            self.cdp(
                "Browser.setDownloadBehavior",
                json!({"behavior": "allow", "downloadPath": folder.to_string_lossy()}),
            )
            .await;
        }
        folder
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
}

/// True when the driver's error says an element left the page (WebKit's
/// driver says so in its message, as an unknown error, when it was about
/// to hand the element over).
pub(super) fn is_stale(err: &fantoccini::error::CmdError) -> bool {
    match err {
        fantoccini::error::CmdError::Standard(err) => {
            err.error == fantoccini::error::ErrorStatus::StaleElementReference
                || err.message.contains("Stale element")
        }
        _ => false,
    }
}
