//! Closing what holds the focus: the row editor, the tag editor inside it
//! and the New lead dialog, by Escape, Cancel or a save, in every order.
//! None of it may log a panic (`finish` checks), and focus goes back to the
//! button that opened it.

use fantoccini::key::Key;
use serde_json::{json, Value};

use crate::harness::{key, Harness, ServerOptions};

const DIALOG: &str = "dialog[open]";
const KEY: &str = "closing-key-81c3";

/// The control labelled `label` in the editor of row `id`.
async fn row_field(h: &Harness, id: &str, label: &str) -> fantoccini::elements::Element {
    h.field(&format!("tr[data-lead-id='{id}'] form"), label)
        .await
}

/// Types `text` into the control labelled `label` in row `id`'s editor.
async fn type_in_row(h: &Harness, id: &str, label: &str, text: &str) {
    h.type_into(&format!("tr[data-lead-id='{id}'] form"), label, text)
        .await;
}

/// Waits until row `id` shows its cells again, not its editor.
async fn wait_until_closed(h: &Harness, id: &str, name: &str) {
    h.find(&format!(
        "tr[data-lead-id='{id}'] [aria-label='Edit {name}']"
    ))
    .await;
}

/// The first `n` leads of the default view, as (id, name), once shown.
async fn leads_on_screen(h: &Harness, n: usize) -> Vec<(String, String)> {
    let ids = h.open_view("/", "").await;
    let mut leads = Vec::new();
    for id in ids.into_iter().take(n) {
        let name = h.lead(&id).await["name"].as_str().unwrap().to_owned();
        leads.push((id, name));
    }
    leads
}

#[tokio::test(flavor = "multi_thread")]
async fn a_row_editor_closes_by_escape_cancel_and_save_on_a_first_edit_and_after_a_save() {
    let h = Harness::start().await;
    let (id, name) = leads_on_screen(&h, 1).await.remove(0);
    let edit = format!("Edit {name}");

    // First edit: Escape while typing in Name.
    h.click(&edit).await;
    type_in_row(&h, &id, "Name", &format!(" Changed{}", key(Key::Escape))).await;
    wait_until_closed(&h, &id, &name).await;
    assert_eq!(h.wait_for_focus(&edit).await, edit, "focus back on Edit");

    // Cancel, with typing in Email.
    h.click(&edit).await;
    type_in_row(&h, &id, "Email", "x").await;
    h.click("Cancel").await;
    wait_until_closed(&h, &id, &name).await;
    assert_eq!(h.wait_for_focus(&edit).await, edit);

    // Escape while typing a tag: the row closes and the tag is not sent.
    h.click(&edit).await;
    type_in_row(&h, &id, "Tags", &format!("half-typed{}", key(Key::Escape))).await;
    wait_until_closed(&h, &id, &name).await;
    assert_eq!(h.sent("PATCH").await, Vec::<Value>::new());

    // Save with Enter while the focus is in Email.
    h.click(&edit).await;
    let email = row_field(&h, &id, "Email").await;
    email.clear().await.unwrap();
    h.keys(
        &email,
        &format!("first-save@example.com{}", key(Key::Enter)),
    )
    .await;
    wait_until_closed(&h, &id, &name).await;
    assert_eq!(h.wait_for_focus(&edit).await, edit);
    assert!(h.wait_for_text("Lead updated").await);

    // After a save: Escape, then a save from the tag editor (Enter adds the
    // tag, Enter in Name saves), then Cancel.
    h.click(&edit).await;
    type_in_row(&h, &id, "Phone", &key(Key::Escape)).await;
    wait_until_closed(&h, &id, &name).await;
    h.click(&edit).await;
    type_in_row(&h, &id, "Tags", &format!("after-save{}", key(Key::Enter))).await;
    type_in_row(&h, &id, "Name", &key(Key::Enter)).await;
    wait_until_closed(&h, &id, &name).await;
    h.click(&edit).await;
    h.click("Cancel").await;
    wait_until_closed(&h, &id, &name).await;

    let sent = h.sent("PATCH").await;
    assert_eq!(sent.len(), 2, "two saves: {sent:?}");
    assert_eq!(sent[0], json!({"email": "first-save@example.com"}));
    let tags = sent[1]["tags"]
        .as_array()
        .expect("the second save sends tags");
    assert_eq!(tags.last(), Some(&json!("after-save")));
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_row_editor_closes_by_escape_and_cancel_after_a_failed_save() {
    let h = Harness::start().await;
    let (id, name) = leads_on_screen(&h, 1).await.remove(0);
    let edit = format!("Edit {name}");
    h.inject(json!({"matches": "PATCH", "status": 503, "times": 1}))
        .await;
    h.click(&edit).await;
    type_in_row(&h, &id, "Email", &format!("z{}", key(Key::Enter))).await;
    assert!(h.wait_for_text("Not saved.").await);
    type_in_row(&h, &id, "Email", &key(Key::Escape)).await;
    wait_until_closed(&h, &id, &name).await;
    assert_eq!(h.wait_for_focus(&edit).await, edit);

    h.inject(json!({"matches": "PATCH", "status": 400, "param": "email",
                    "message": "email bounced last week", "times": 1}))
        .await;
    h.click(&edit).await;
    type_in_row(&h, &id, "Email", &format!("y{}", key(Key::Enter))).await;
    assert!(h.wait_for_text("email bounced last week").await);
    h.click("Cancel").await;
    wait_until_closed(&h, &id, &name).await;
    assert_eq!(h.sent("PATCH").await.len(), 2);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_open_row_editors_close_one_at_a_time() {
    let h = Harness::start().await;
    let leads = leads_on_screen(&h, 2).await;
    let ((first, first_name), (second, second_name)) = (&leads[0], &leads[1]);
    h.click(&format!("Edit {first_name}")).await;
    let email = row_field(&h, first, "Email").await;
    email.clear().await.unwrap();
    h.keys(&email, "both-open@example.com").await;
    h.click(&format!("Edit {second_name}")).await;
    type_in_row(&h, second, "Name", &format!(" Second{}", key(Key::Escape))).await;
    wait_until_closed(&h, second, second_name).await;
    let kept = row_field(&h, first, "Email")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("both-open@example.com"));

    type_in_row(&h, first, "Email", &key(Key::Enter)).await;
    wait_until_closed(&h, first, first_name).await;
    assert_eq!(
        h.sent("PATCH").await,
        vec![json!({"email": "both-open@example.com"})]
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dialog_closes_by_escape_cancel_and_create_and_reopens_clean() {
    let h = Harness::start().await;
    leads_on_screen(&h, 1).await;
    let dialog_closed = || h.find("dialog:not([open])");

    // Escape on an untouched form: reopening shows no error.
    h.click("New lead").await;
    h.type_into(DIALOG, "Name", &key(Key::Escape)).await;
    dialog_closed().await;
    assert_eq!(h.wait_for_focus("New lead").await, "New lead");
    h.click("New lead").await;
    let name = h.field(DIALOG, "Name").await;
    assert_eq!(
        name.attr("aria-invalid").await.unwrap(),
        None,
        "no stale error"
    );

    // Escape while a tag is half typed: the tag is kept, not lost.
    h.keys(&name, "Closing Order").await;
    h.type_into(DIALOG, "Tags", &format!("kept-tag{}", key(Key::Escape)))
        .await;
    dialog_closed().await;
    h.click("New lead").await;
    h.named("Remove tag kept-tag").await;

    // Cancel, then a failed create by Enter in Name, then Escape.
    h.click("Cancel").await;
    dialog_closed().await;
    h.inject(json!({"matches": "POST", "status": 503, "times": 1}))
        .await;
    h.click("New lead").await;
    h.type_into(DIALOG, "Name", &key(Key::Enter)).await;
    assert!(h.wait_for_text("The lead was not created.").await);
    h.type_into(DIALOG, "Name", &key(Key::Escape)).await;
    dialog_closed().await;

    // Create by Enter in Name: closed, focus on New lead, and a clean form.
    h.click("New lead").await;
    h.type_into(DIALOG, "Name", &key(Key::Enter)).await;
    assert!(h.wait_for_text("Lead created").await);
    dialog_closed().await;
    assert_eq!(h.wait_for_focus("New lead").await, "New lead");
    h.click("New lead").await;
    let name = h.field(DIALOG, "Name").await;
    assert_eq!(name.prop("value").await.unwrap().as_deref(), Some(""));
    assert_eq!(
        name.attr("aria-invalid").await.unwrap(),
        None,
        "no stale error"
    );
    let posts = h.sent("POST").await;
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[1]["name"], "Closing Order");
    assert_eq!(posts[1]["tags"], json!(["kept-tag"]));
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_401_while_the_focus_is_in_a_form_returns_to_connect() {
    let h = Harness::with(ServerOptions {
        api_key: Some(KEY),
        ..ServerOptions::default()
    })
    .await;
    h.open("/").await;
    let connect = || async {
        {
            let field = h.labelled("API key").await;
            h.keys(&field, KEY).await;
        }
        h.click("Connect").await;
        h.find("tbody tr[data-lead-id]").await
    };
    let row = connect().await;
    let id = row.attr("data-lead-id").await.unwrap().unwrap();
    let name = h.lead(&id).await["name"].as_str().unwrap().to_owned();

    // The key stops working while the person saves from the keyboard.
    h.inject(json!({"matches": "PATCH", "status": 401, "times": 1}))
        .await;
    h.click(&format!("Edit {name}")).await;
    type_in_row(&h, &id, "Email", &format!("k{}", key(Key::Enter))).await;
    assert!(h.wait_for_text("The API key was rejected.").await);

    connect().await;
    h.inject(json!({"matches": "POST", "status": 401, "times": 1}))
        .await;
    h.click("New lead").await;
    h.type_into(DIALOG, "Name", &format!("Unauthorised{}", key(Key::Enter)))
        .await;
    assert!(h.wait_for_text("The API key was rejected.").await);
    assert!(h.first("tbody").await.is_none());
    h.finish().await;
}
