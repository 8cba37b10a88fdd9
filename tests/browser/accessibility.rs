//! What axe-core, the accessibility checker, finds on each view a person
//! meets: the list, an empty list, a row being edited, the New lead dialog
//! (with errors too), a load error and the Connect form.

use fantoccini::key::Key;

use crate::harness::{key, Harness, ServerOptions};

/// Fails with every violation on the page as it is now.
async fn assert_no_violations(h: &Harness, view: &str) {
    let found = h.axe_violations().await;
    assert!(found.is_empty(), "{view}:\n{}", found.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_a_row_editor_and_the_dialog_pass_axe() {
    let h = Harness::start().await;
    h.open("/").await;
    let row = h.find("tbody tr[data-lead-id]").await;
    assert_no_violations(&h, "the list").await;

    let id = row.attr("data-lead-id").await.unwrap().unwrap();
    let name = h.lead(&id).await["name"].as_str().unwrap().to_owned();
    h.click(&format!("Edit {name}")).await;
    h.find(&format!("tr[data-lead-id='{id}'] form")).await;
    assert_no_violations(&h, "a row in edit mode").await;

    h.click("New lead").await;
    h.find("dialog[open]").await;
    assert_no_violations(&h, "the New lead dialog").await;
    h.type_into("dialog[open]", "Phone", "555").await;
    h.click("Create lead").await;
    h.find("dialog[open] [aria-invalid='true']").await;
    assert_no_violations(&h, "the dialog with errors showing").await;
    h.type_into("dialog[open]", "Name", &key(Key::Escape)).await;

    h.inject(serde_json::json!({"matches": "GET /v1/leads", "status": 500, "times": 1}))
        .await;
    h.open("/?status=new").await;
    h.button("Retry").await;
    assert_no_violations(&h, "a load error").await;
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn empty_views_and_the_connect_form_pass_axe() {
    let h = Harness::with(ServerOptions {
        demo_leads: 0,
        api_key: Some("axe-key-7d1e"),
        ..ServerOptions::default()
    })
    .await;
    h.open("/").await;
    h.labelled("API key").await;
    assert_no_violations(&h, "the Connect form").await;

    {
        let field = h.labelled("API key").await;
        h.keys(&field, "axe-key-7d1e").await;
    }
    h.click("Connect").await;
    assert!(h.wait_for_text("No leads yet.").await);
    assert_no_violations(&h, "a console with no leads").await;
    h.open("/?status=converted").await;
    assert!(h.wait_for_text("No leads match these filters.").await);
    assert_no_violations(&h, "an empty view").await;
    h.finish().await;
}
