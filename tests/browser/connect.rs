//! The Connect flow when the server requires an API key.

use serde_json::json;

use crate::edit::change_status;
use crate::harness::{Harness, ServerOptions};

const KEY: &str = "test-key-5f2a";

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_key_is_rejected_and_a_good_key_connects() {
    let h = keyed().await;
    h.open("/?status=new").await;
    let input = h.labelled("API key").await;
    h.keys(&input, "wrong-key").await;
    h.click("Connect").await;
    assert!(
        h.wait_for_text("The API key was rejected.").await,
        "{}",
        h.text().await
    );
    let stored = h.js("return sessionStorage.length").await;
    assert_eq!(stored.as_u64(), Some(0), "a rejected key is forgotten");

    let expected = h.api_ids("status=new").await;
    connect(&h, &expected).await;
    let url = h.browser.current_url().await.unwrap();
    assert!(
        !url.as_str().contains(KEY),
        "the key never goes into the URL"
    );
    assert_eq!(h.query().await, "status=new");
    let in_storage = h.js("return Object.values(sessionStorage).includes(arguments.length === 0 ? 'test-key-5f2a' : '')").await;
    assert_eq!(in_storage.as_bool(), Some(true));
    let in_local = h.js("return localStorage.length").await;
    assert_eq!(in_local.as_u64(), Some(0), "never in localStorage");

    h.browser.refresh().await.unwrap();
    assert_eq!(
        h.wait_for_rows(&expected).await,
        expected,
        "the key survives a reload of this tab"
    );

    h.click("Disconnect").await;
    h.labelled("API key").await;
    assert_eq!(h.js("return sessionStorage.length").await.as_u64(), Some(0));
    h.finish().await;
}

/// A test whose server requires [`KEY`].
async fn keyed() -> Harness {
    Harness::with(ServerOptions {
        api_key: Some(KEY),
        ..ServerOptions::default()
    })
    .await
}

/// Types the key into the Connect form; the leads `ids` must then show.
async fn connect(h: &Harness, ids: &[String]) {
    let input = h.labelled("API key").await;
    h.keys(&input, KEY).await;
    h.click("Connect").await;
    assert_eq!(h.wait_for_rows(ids).await, ids);
}

/// A console connected with the key, and the ids of its first page.
async fn connected() -> (Harness, Vec<String>) {
    let h = keyed().await;
    h.open("/").await;
    let ids = h.api_ids("").await;
    connect(&h, &ids).await;
    (h, ids)
}

#[tokio::test(flavor = "multi_thread")]
async fn disconnecting_while_a_notice_shows_leaves_a_working_page() {
    let (h, ids) = connected().await;
    change_status(&h, &ids[0]).await;
    assert!(h.wait_for_text("Status updated").await);

    // The notice's own timer outlives the list it belonged to.
    h.click("Disconnect").await;
    h.labelled("API key").await;
    tokio::time::sleep(
        leads_console::ui::announcer::UNDO_WINDOW + std::time::Duration::from_secs(1),
    )
    .await;
    connect(&h, &ids).await;
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn disconnecting_while_a_status_saves_leaves_a_working_page() {
    let (h, ids) = connected().await;
    h.inject(json!({"matches": "PATCH", "hold": "patch"})).await;
    let (_, new) = change_status(&h, &ids[0]).await;
    h.wait_for_received("PATCH", 1).await;

    // The answer comes back to a page that is gone.
    h.click("Disconnect").await;
    h.labelled("API key").await;
    h.release("patch").await;
    h.wait_until_answered("PATCH").await;
    connect(&h, &ids).await;
    assert_eq!(
        h.lead(&ids[0]).await["status"],
        new,
        "the save itself went through"
    );
    h.finish().await;
}
