//! Creating leads: the dialog, validation with the shared rules, exactly one
//! POST per submit, and nothing typed ever lost.

use fantoccini::key::Key;
use serde_json::{json, Value};

use crate::harness::{key, Harness, ServerOptions};

const DIALOG: &str = "dialog[open]";

async fn open_dialog(h: &Harness) {
    h.find("tbody tr[data-lead-id]").await;
    h.click("New lead").await;
    h.find(DIALOG).await;
}

async fn type_into(h: &Harness, label: &str, text: &str) {
    h.type_into(DIALOG, label, text).await;
}

async fn value_of(h: &Harness, label: &str) -> String {
    let field = h.field(DIALOG, label).await;
    field.prop("value").await.unwrap().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_lead_is_stored_normalised_and_listed_first() {
    let h = Harness::start().await;
    h.open("/").await;
    open_dialog(&h).await;
    assert_eq!(
        h.focused_id().await,
        "new-lead-name",
        "focus starts on Name"
    );
    let title = h.find(DIALOG).await;
    assert_eq!(title.attr("role").await.unwrap().as_deref(), Some("dialog"));
    let labelled_by = title.attr("aria-labelledby").await.unwrap().unwrap();
    assert_eq!(
        h.find(&format!("#{labelled_by}"))
            .await
            .text()
            .await
            .unwrap(),
        "New lead"
    );

    type_into(&h, "Name", "Dana Whitfield").await;
    type_into(&h, "Phone", "+1 (555) 010-2030").await;
    assert_eq!(
        value_of(&h, "Phone").await,
        "+15550102030",
        "punctuation is dropped while typing"
    );
    type_into(&h, "Email", "dana@example.com").await;
    type_into(&h, "Source", "walk-in").await;
    type_into(&h, "Tags", &format!("VIP{}", key(Key::Enter))).await;
    type_into(&h, "Tags", "vip,").await;
    type_into(&h, "Tags", "hvac-repair,").await;
    type_into(&h, "Tags", &format!("oops{}", key(Key::Enter))).await;
    type_into(&h, "Tags", &key(Key::Backspace)).await;
    h.named("Remove tag VIP").await;
    h.click("Create lead").await;

    assert!(h.wait_for_text("Lead created").await);
    h.find("dialog:not([open])").await;
    let sent = h.sent("POST").await;
    assert_eq!(sent.len(), 1, "exactly one POST");
    assert_eq!(
        sent[0],
        json!({"name": "Dana Whitfield", "phone": "+15550102030", "email": "dana@example.com",
               "source": "walk-in", "tags": ["VIP", "hvac-repair"]})
    );
    let first = h.api_ids("").await;
    let stored = h.lead(&first[0]).await;
    assert_eq!(stored["name"], "Dana Whitfield");
    assert_eq!(stored["phone"], "+15550102030");
    assert_eq!(stored["tags"], json!(["VIP", "hvac-repair"]));
    assert_eq!(
        h.wait_for_rows(&first).await,
        first,
        "the view was fetched again"
    );
    let focused = h.js("return focused().textContent.trim()").await;
    assert_eq!(focused, "New lead", "focus returns to the button");

    h.click("New lead").await;
    assert_eq!(value_of(&h, "Name").await, "", "the form was cleared");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_fields_are_marked_and_nothing_is_sent() {
    let h = Harness::start().await;
    h.open("/").await;
    open_dialog(&h).await;
    type_into(&h, "Email", "dana@example").await;
    type_into(&h, "Phone", "555").await;
    // Back to Name, as a person would (WebKit's driver refuses clicks on
    // controls inside a dialog in a shadow root, as if something covered
    // them; its own hit test finds the control).
    h.press_shifted(Key::Tab).await;
    assert_eq!(h.wait_for_focus("Name").await, "Name");
    let email = h.field(DIALOG, "Email").await;
    assert_eq!(
        email.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true"),
        "checked on blur"
    );
    h.click("Create lead").await;
    for (label, message) in [
        ("Name", "Name is required"),
        ("Phone", "Phone must be in E.164 format, e.g. +15551234567"),
        (
            "Email",
            "Email must be a valid address, e.g. jane@example.com",
        ),
    ] {
        let input = h.field(DIALOG, label).await;
        assert_eq!(
            input.attr("aria-invalid").await.unwrap().as_deref(),
            Some("true"),
            "{label}"
        );
        let described = input
            .attr("aria-describedby")
            .await
            .unwrap()
            .unwrap_or_default();
        let error_id = described.split(' ').next().unwrap_or_default().to_owned();
        assert_eq!(
            h.find(&format!("#{error_id}")).await.text().await.unwrap(),
            message,
            "{label}"
        );
    }
    type_into(
        &h,
        "Tags",
        &format!("{}{}", "x".repeat(51), key(Key::Enter)),
    )
    .await;
    h.click("Create lead").await;
    assert!(h.wait_for_text("Each tag must be 1–50 characters").await);
    assert_eq!(
        h.sent("POST").await,
        Vec::<Value>::new(),
        "no POST while invalid"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lead_without_phone_or_email_gets_a_warning_but_is_created() {
    let h = Harness::start().await;
    h.open("/").await;
    open_dialog(&h).await;
    type_into(&h, "Name", "No Contact").await;
    assert!(h.wait_for_text("no agent can contact this lead").await);
    h.click("Create lead").await;
    assert!(h.wait_for_text("Lead created").await);
    assert_eq!(h.sent("POST").await, vec![json!({"name": "No Contact"})]);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_400_is_shown_on_its_field() {
    let h = Harness::start().await;
    h.inject(
        json!({"matches": "POST /v1/leads", "status": 400, "param": "email",
                    "message": "email is already used by lead_007", "times": 1}),
    )
    .await;
    h.open("/").await;
    open_dialog(&h).await;
    type_into(&h, "Name", "Dup Email").await;
    type_into(&h, "Email", "dup@example.com").await;
    h.click("Create lead").await;
    assert!(
        h.wait_for_text("email is already used by lead_007").await,
        "{:?}",
        h.js("return root.querySelector('dialog').outerHTML").await
    );
    let email = h.field(DIALOG, "Email").await;
    assert_eq!(
        email.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert_eq!(value_of(&h, "Name").await, "Dup Email");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_post_keeps_the_form_and_submitting_again_retries() {
    let h = Harness::with(ServerOptions {
        demo_leads: 5,
        ..ServerOptions::default()
    })
    .await;
    h.open("/").await;
    let cut = if h.engine.reports_cut_answers() {
        "The lead was not created. Could not reach the server."
    } else {
        "The lead was not created. The server sent an answer the console cannot read."
    };
    let failures = [
        (
            json!({"status": 502, "html": true}),
            "The lead was not created. The server had a problem (HTTP 502).",
        ),
        (json!({"drop": true}), cut),
        // Stored, then the answer lost on the way back: the retry carries
        // the same Idempotency-Key and gets the first answer, not a twin.
        (json!({"drop": true, "after": true}), cut),
    ];
    for (round, (mut fault, message)) in failures.into_iter().enumerate() {
        fault["matches"] = json!("POST /v1/leads");
        fault["times"] = json!(1);
        h.inject(fault).await;
        let name = format!("Retry Me {round}");
        open_dialog(&h).await;
        type_into(&h, "Name", &name).await;
        type_into(&h, "Phone", "+15550001111").await;
        type_into(&h, "Tags", "keep-me").await;
        h.click("Create lead").await;
        assert!(h.wait_for_text(message).await, "{}", h.text().await);
        h.find(DIALOG).await;
        assert_eq!(value_of(&h, "Name").await, name);
        assert_eq!(value_of(&h, "Phone").await, "+15550001111");
        h.named("Remove tag keep-me").await;
        h.click("Create lead").await;
        assert!(h.wait_for_text(&name).await, "the new row is listed");
        assert!(h.announced("status").await.contains("Lead created"));
        assert_eq!(
            h.sent("POST").await.len(),
            2 * (round + 1),
            "one failed POST, one retry"
        );
        let reply = h.api("GET", "/v1/leads", None).await;
        assert_eq!(reply.body["meta"]["total"], 6 + round, "stored once");
        assert_eq!(reply.body["data"][0]["name"], json!(name));
        assert_eq!(reply.body["data"][0]["tags"], json!(["keep-me"]));
    }
    let posts = h.wait_for_received("POST /v1/leads", 6).await;
    assert!(
        posts.iter().all(|post| post["headers"]
            .as_array()
            .is_some_and(|names| names.iter().any(|name| name == "idempotency-key"))),
        "every create carries an Idempotency-Key: {posts:?}"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn escape_and_cancel_close_without_sending() {
    let h = Harness::start().await;
    h.open("/").await;
    open_dialog(&h).await;
    type_into(&h, "Name", "Never Sent").await;
    type_into(&h, "Name", &key(Key::Escape)).await;
    h.find("dialog:not([open])").await;
    let focused = h.js("return focused().textContent.trim()").await;
    assert_eq!(focused, "New lead");
    h.click("New lead").await;
    h.find(DIALOG).await;
    h.click("Cancel").await;
    h.find("dialog:not([open])").await;
    assert_eq!(h.sent("POST").await, Vec::<Value>::new());
    h.finish().await;
}
