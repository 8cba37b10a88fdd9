//! The extras module (saved views, dialogs, row editor, bulk bar, export
//! progress, the status select's saving): the rows never wait for it and
//! do not move when it comes, a press made before it arrives is kept, and
//! a download that fails says so and can be retried.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::edit::{change_status, first_lead, shown_status};
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

    let results_top = "return all('.results')[0].getBoundingClientRect().top;";
    let before = h.js(results_top).await;

    h.release("extras").await;
    h.find(DIALOG).await;
    assert_eq!(
        h.focused_id().await,
        "new-lead-name",
        "focus starts on Name"
    );
    // The saved views came with the module, in the room kept for them.
    h.button("Save view").await;
    assert_eq!(h.js(results_top).await, before, "the rows did not move");
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
    h.expect_page_error(h.engine.failed_module_download());
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

#[tokio::test(flavor = "multi_thread")]
async fn a_status_chosen_before_the_extras_arrive_is_saved_when_they_do() {
    let h = Harness::start().await;
    h.inject(json!({"files": true, "matches": EXTRAS, "hold": "extras"}))
        .await;
    let (id, name) = first_lead(&h, "/", "").await;
    let (_, new) = change_status(&h, &id).await;
    // The choice shows, saving, while the sending waits for its module.
    h.find(&format!("tr[data-lead-id='{id}'][aria-busy='true']"))
        .await;
    assert_eq!(shown_status(&h, &name).await.as_deref(), Some(new));
    h.settle().await;
    assert!(h.sent("PATCH").await.is_empty(), "nothing sent yet");

    watch_notices(&h).await;
    h.release("extras").await;
    h.wait_for_lead(&id, |l| l["status"] == new).await;
    assert!(h.wait_for_text("Status updated").await);
    h.find(&format!("tr[data-lead-id='{id}'][aria-busy='false']"))
        .await;
    assert_eq!(h.sent("PATCH").await, vec![json!({"status": new})]);

    // Made once the module is here, the next notice too is put in its
    // region once: a live region told twice may say it twice.
    h.click("Dismiss").await;
    h.wait_for_js("the notice gone", "return all('.toast').length;", json!(0))
        .await;
    let (_, again) = change_status(&h, &id).await;
    h.wait_for_lead(&id, |l| l["status"] == again).await;
    h.wait_for_js(
        "a second notice",
        "return window.noticesPut.length;",
        json!(2),
    )
    .await;
    h.settle().await;
    assert_eq!(
        notices_put(&h).await,
        vec!["Status updated", "Status updated"],
        "each notice put in its live region once"
    );
    h.finish().await;
}

/// Records from now on each notice put in a live region, by its words.
async fn watch_notices(h: &Harness) {
    h.js("window.noticesPut = []; \
          all('.announcement-region').forEach(r => new MutationObserver(records => \
            records.forEach(m => m.addedNodes.forEach(n => { \
              if (n.nodeType === 1 && n.classList.contains('toast')) \
                window.noticesPut.push(n.querySelector('span').textContent); \
            }))).observe(r, {childList: true, subtree: true}));")
        .await;
}

/// What [`watch_notices`] saw put in the live regions.
async fn notices_put(h: &Harness) -> Vec<String> {
    serde_json::from_value(h.js("return window.noticesPut;").await).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_status_change_whose_module_cannot_be_downloaded_reverts_and_retry_saves_it() {
    let h = Harness::start().await;
    // The first download is held, then fails.
    h.inject(
        json!({"files": true, "matches": EXTRAS, "hold": "extras", "status": 503, "times": 1}),
    )
    .await;
    h.expect_page_error(h.engine.failed_module_download());
    let (id, name) = first_lead(&h, "/", "").await;
    watch_notices(&h).await;
    let (old, new) = change_status(&h, &id).await;
    h.release("extras").await;
    let toast = h.find(".toast--error").await;
    let failed = format!(
        "The status of {name} was not saved. This part of the console could not be \
         loaded. Check the connection, then retry."
    );
    assert_eq!(
        h.find(".toast--error > span").await.text().await.unwrap(),
        failed
    );
    assert_eq!(
        shown_status(&h, &name).await.as_deref(),
        Some(old.as_str()),
        "reverted"
    );
    assert!(h.sent("PATCH").await.is_empty());

    toast
        .find(fantoccini::Locator::Css(".button:not(.button--quiet)"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    h.wait_for_lead(&id, |l| l["status"] == new).await;
    assert!(h.wait_for_text("Status updated").await);
    assert_eq!(shown_status(&h, &name).await.as_deref(), Some(new));
    h.settle().await;
    assert_eq!(
        notices_put(&h).await,
        vec![failed.as_str(), "Status updated"],
        "the notice made while the module could not be had shows once it is here, once"
    );
    h.finish().await;
}
