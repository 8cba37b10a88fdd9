//! The extras module (dialogs, row editor, bulk bar, export progress): the
//! rows never wait for it, a press made before it arrives is kept, and a
//! download that fails says so and can be retried.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::Harness;

const DIALOG: &str = "dialog[open]";
const EXTRAS: &str = "/split-extras-";

#[tokio::test(flavor = "multi_thread")]
async fn the_rows_come_first_and_a_press_before_the_extras_arrive_is_kept() {
    let h = Harness::start().await;
    h.inject(json!({"files": true, "matches": EXTRAS, "hold": "extras"}))
        .await;
    // The rows appear while the extras module is held back.
    h.open_view("/", "").await;
    h.click("New lead").await;
    h.settle().await;
    assert_eq!(
        h.js(&format!("return all('{DIALOG}').length")).await,
        0,
        "no dialog before its module is here"
    );

    h.release("extras").await;
    h.find(DIALOG).await;
    assert_eq!(
        h.focused_id().await,
        "new-lead-name",
        "focus starts on Name"
    );
    // It was asked for only after the list had answered.
    let order = h
        .js(&format!(
            "const e = performance.getEntriesByType('resource'); \
             const list = e.find(r => r.name.includes('/v1/leads')); \
             const extras = e.find(r => r.name.includes('{EXTRAS}')); \
             return [list.responseEnd, extras.startTime];"
        ))
        .await;
    let (list_end, extras_start) = (order[0].as_f64().unwrap(), order[1].as_f64().unwrap());
    assert!(
        extras_start >= list_end,
        "extras started at {extras_start} ms, before the list answered at {list_end} ms"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn extras_that_cannot_be_downloaded_say_so_and_retry_brings_them() {
    let h = Harness::start().await;
    h.inject(json!({"files": true, "matches": EXTRAS, "status": 503, "times": 1}))
        .await;
    // The loader reports the failed download on the browser console.
    h.expect_page_error("HTTP status code is not ok");
    h.open_view("/", "").await;
    let notice = "This part of the console could not be loaded. \
        Check the connection, then retry.";
    assert!(h.wait_for_text(notice).await, "the failure is explained");
    let alert = h.find(".notice[role='alert']").await;
    assert!(
        alert.text().await.unwrap().contains(notice),
        "an alert, heard at once"
    );

    h.click("Retry").await;
    h.click("New lead").await;
    h.find(DIALOG).await;
    assert!(
        !h.text().await.contains(notice),
        "the notice goes once the module is here"
    );
    // The live stream's reader is in the module too: it tried again.
    let started = Instant::now();
    while h
        .js("return all('.live-status').some(s => s.textContent.trim() === 'Live');")
        .await
        != Value::Bool(true)
    {
        assert!(started.elapsed() < Duration::from_secs(30), "never Live");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    h.finish().await;
}
