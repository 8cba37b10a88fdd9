//! The whole path works: SQLite, the API, the wasm console, the DOM.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::{Engine, Harness, PATIENCE};

#[tokio::test(flavor = "multi_thread")]
async fn first_page_matches_the_api_with_no_console_errors() {
    let h = Harness::start().await;
    let expected = h.api_ids("").await;
    assert_eq!(expected.len(), 20);
    h.open("/").await;
    h.find("h1").await;
    let shown = h.wait_for_rows(&expected).await;
    assert_eq!(shown, expected, "server log:\n{}", h.server_log());
    // The first column is the bulk change's checkbox.
    let select_all = h.find("thead th:first-child input[type='checkbox']").await;
    assert_eq!(
        h.accessible_name(&select_all).await,
        "Select all on this page"
    );
    let headers = h.all("thead th:not(:first-child)").await;
    let mut texts = Vec::new();
    let mut names = Vec::new();
    for th in headers {
        texts.push(th.text().await.unwrap());
        names.push(h.accessible_name(&th).await);
    }
    let columns = [
        "Name", "Phone", "Email", "Status", "Source", "Score", "Tags", "Created",
    ];
    assert_eq!(texts, columns);
    // WebKit's WebDriver computes no name for a header cell, whatever it
    // holds; the sortable ones' buttons are checked below in every engine.
    if h.engine != Engine::WebKit {
        assert_eq!(
            names, columns,
            "a screen reader hears the words, not the arrows"
        );
    }
    let buttons = h.all("thead th button").await;
    let mut button_names = Vec::new();
    for button in buttons {
        button_names.push(h.accessible_name(&button).await);
    }
    assert_eq!(button_names, ["Name", "Status", "Score", "Created"]);
    assert_eq!(h.console_errors().await, Vec::<String>::new());
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_that_panics_or_throws_fails_its_test() {
    let h = Harness::start().await;
    // What a wasm panic prints (console_error_panic_hook), an uncaught
    // exception and an unhandled rejection, thrown by the page's own
    // script: engines mute errors from scripts WebDriver runs.
    h.on_every_page(
        "addEventListener('deliberate', () => { \
           console.error('panicked at src/deliberate.rs:1:1:\\ndeliberate panic'); \
           setTimeout(() => { throw new Error('deliberate uncaught error'); }, 0); \
           Promise.reject(new Error('deliberate rejection')); });",
    )
    .await;
    h.open("/").await;
    h.find("tbody tr[data-lead-id]").await;
    h.js("dispatchEvent(new Event('deliberate'));").await;
    let expected = [
        "deliberate panic",
        "deliberate uncaught error",
        "deliberate rejection",
    ];
    let started = Instant::now();
    let mut all = String::new();
    while started.elapsed() < PATIENCE {
        all = h.page_failures().await.join("\n");
        if expected.iter().all(|e| all.contains(e)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for e in expected {
        assert!(all.contains(e), "{e:?} not caught in:\n{all}");
    }
    let finished = tokio::spawn(h.finish()).await;
    assert!(
        finished.is_err_and(|e| e.is_panic()),
        "finish passed a page that panicked"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_carries_its_settings_so_the_rows_wait_for_no_config_request() {
    let h = Harness::start().await;
    h.open_view("/", "").await;
    let started = Instant::now();
    while !h.server_log().contains("\"/v1/leads\"") && started.elapsed() < Duration::from_secs(15) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = h.server_log();
    assert!(
        log.contains("\"/v1/leads\""),
        "the list request is logged:\n{log}"
    );
    assert!(!log.contains("/config.json"), "no settings request:\n{log}");
    h.finish().await;
}

/// The page sends the module's download and its first list request itself
/// and hands that answer to the console: one request for each, in every
/// engine (WebKit never hands a preloaded answer to `fetch()`, so preload
/// links made it ask twice).
#[tokio::test(flavor = "multi_thread")]
async fn the_first_list_request_and_the_module_are_sent_by_the_page_once() {
    let h = Harness::start().await;
    let expected = h.api_ids("status=new").await;
    let before = h.wait_for_received("GET /v1/leads", 0).await.len();
    h.open("/?status=new&page=1").await;
    assert_eq!(h.wait_for_rows(&expected).await, expected);
    // The browser's own record: one request for the view and one for the
    // module, both sent by the page's start-up script. Sorted: the two
    // start within a timer tick, and Firefox's coarse timers then list
    // them either way round (seen once in CI).
    let entries = h
        .js("return performance.getEntriesByType('resource') \
               .map(r => new URL(r.name)) \
               .filter(u => u.pathname === '/v1/leads' || u.pathname.endsWith('_bg.wasm')) \
               .map(u => u.pathname.endsWith('.wasm') ? 'module' : u.search).sort();")
        .await;
    assert_eq!(entries, json!(["?status=new", "module"]));
    // The script sends the list request as the parser reaches it, not
    // once the module is here: the server's settings come before it.
    let early = h
        .js(
            "const [list, module] = ['/v1/leads', '_bg.wasm'].map(end => \
               performance.getEntriesByType('resource') \
                 .find(r => new URL(r.name).pathname.endsWith(end))); \
             return list.startTime <= module.responseEnd;",
        )
        .await;
    assert_eq!(
        early,
        json!(true),
        "the list request began before the module arrived"
    );
    h.settle().await;
    assert_eq!(
        h.wait_for_received("GET /v1/leads", 0).await.len() - before,
        1,
        "the server saw one list request from the page"
    );
    let modules = h
        .server_log()
        .lines()
        .filter(|line| line.contains("method=GET") && line.contains("_bg.wasm\""))
        .count();
    assert_eq!(modules, 1, "the server sent the module once");
    h.finish().await;
}
