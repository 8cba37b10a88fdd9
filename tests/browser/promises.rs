//! What the README and the UI contract promise, each checked as a person
//! (or a screen reader) would meet it.

use fantoccini::key::Key;
use serde_json::json;

use crate::harness::{key, Harness};

#[tokio::test(flavor = "multi_thread")]
async fn the_heading_and_clear_filters_show_only_when_they_should() {
    let h = Harness::start().await;
    h.open("/").await;
    h.find("tbody tr[data-lead-id]").await;
    assert_eq!(h.find("h1").await.text().await.unwrap(), "Leads");
    assert!(!h.has_button("Clear filters").await, "no filter, no Clear");
    h.select("Source", "SMS").await;
    assert_eq!(h.wait_for_query("source=sms").await, "source=sms");
    h.click("Clear filters").await;
    assert_eq!(h.wait_for_query("").await, "");
    h.find("tbody tr[data-lead-id]").await;
    assert!(!h.has_button("Clear filters").await);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sort_and_page_size_changes_from_a_later_page_go_back_to_page_1() {
    let h = Harness::start().await;
    h.open("/?page=2").await;
    h.find("tbody tr[data-lead-id]").await;
    h.select("Sort by", "Name A–Z").await;
    assert_eq!(h.wait_for_query("sort=name").await, "sort=name");
    h.click("Next page").await;
    assert_eq!(
        h.wait_for_query("sort=name&page=2").await,
        "sort=name&page=2"
    );
    h.select("Per page", "50").await;
    assert_eq!(
        h.wait_for_query("sort=name&limit=50").await,
        "sort=name&limit=50"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn outcomes_are_heard_in_live_regions_and_undo_goes_away() {
    let h = Harness::start().await;
    let ids = h.open_view("/?status=new", "status=new").await;
    let name = h.lead(&ids[0]).await["name"].as_str().unwrap().to_owned();
    let status = h.named(&format!("Status for {name}")).await;
    status.select_by_label("Contacted").await.unwrap();
    let heard = h.wait_for_announced("status", "Status updated").await;
    assert!(heard.contains("Undo"), "Undo sits with the news: {heard:?}");
    assert_eq!(
        h.wait_for_announced("status", "").await.trim(),
        "",
        "the success, and its Undo, go away by themselves"
    );
    assert!(!h.has_button("Undo").await);

    // The marked lead stays until the view next loads, then leaves it.
    let row = format!("tr[data-lead-id='{}']", ids[0]);
    assert!(h
        .find(&row)
        .await
        .text()
        .await
        .unwrap()
        .contains("No longer matches the filter"));
    h.select("Per page", "50").await;
    let reloaded = h.api_ids("status=new&limit=50").await;
    assert_eq!(h.wait_for_rows(&reloaded).await, reloaded);
    assert!(h.first(&row).await.is_none());

    h.inject(json!({"matches": "PATCH", "status": 503, "times": 1}))
        .await;
    let second = h.lead(&reloaded[0]).await["name"]
        .as_str()
        .unwrap()
        .to_owned();
    h.named(&format!("Status for {second}"))
        .await
        .select_by_label("Converted")
        .await
        .unwrap();
    let alert = h.wait_for_announced("alert", "was not saved").await;
    assert!(alert.contains(&second), "{alert:?}");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_double_submit_sends_one_post() {
    let h = Harness::start().await;
    h.open("/").await;
    h.find("tbody tr[data-lead-id]").await;
    h.inject(json!({"matches": "POST", "hold": "create", "times": 1}))
        .await;
    h.click("New lead").await;
    h.type_into("dialog[open]", "Name", &format!("Twice{}", key(Key::Enter)))
        .await;
    h.wait_for_received("POST", 1).await;
    h.type_into("dialog[open]", "Name", &key(Key::Enter)).await;
    let create = h.button("Creating…").await;
    assert_eq!(
        create.attr("disabled").await.unwrap().as_deref(),
        Some("true")
    );
    h.release("create").await;
    assert!(h.wait_for_text("Lead created").await);
    assert_eq!(h.sent("POST").await.len(), 1, "one POST for two submits");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_vendors_short_create_reply_is_taken_as_a_success() {
    let h = Harness::start().await;
    h.open("/").await;
    h.find("tbody tr[data-lead-id]").await;
    h.inject(
        json!({"matches": "POST", "status": 201, "times": 1, "reply": {
        "id": "lead_900", "name": "Short Reply", "status": "new",
        "created_at": "2025-03-20T11:30:00Z"}}),
    )
    .await;
    h.click("New lead").await;
    h.type_into("dialog[open]", "Name", "Short Reply").await;
    h.click("Create lead").await;
    assert!(h
        .wait_for_announced("status", "Lead created")
        .await
        .contains("Lead created"));
    h.find("dialog:not([open])").await;
    h.finish().await;
}
