//! Editing in place: the status select, the row editor, Undo, failures that
//! keep what was typed, and serialised saves.

use fantoccini::key::Key;
use serde_json::{json, Value};

use crate::harness::{key, Harness};

/// Opens the list and returns the first row's id and name.
pub(crate) async fn first_lead(h: &Harness, path: &str, query: &str) -> (String, String) {
    let ids = h.open_view(path, query).await;
    let lead = h.lead(&ids[0]).await;
    (ids[0].clone(), lead["name"].as_str().unwrap().to_owned())
}

pub(crate) fn other_status(status: &str) -> (&'static str, &'static str) {
    if status == "qualified" {
        ("converted", "Converted")
    } else {
        ("qualified", "Qualified")
    }
}

pub(crate) async fn choose_status(h: &Harness, name: &str, label: &str) {
    h.named(&format!("Status for {name}"))
        .await
        .select_by_label(label)
        .await
        .unwrap();
}

/// Chooses another status for lead `id` in its row; returns the status it
/// had and the one chosen.
pub(crate) async fn change_status(h: &Harness, id: &str) -> (String, &'static str) {
    let lead = h.lead(id).await;
    let old = lead["status"].as_str().unwrap().to_owned();
    let (new, label) = other_status(&old);
    choose_status(h, lead["name"].as_str().unwrap(), label).await;
    (old, new)
}

/// The status the row's select shows right now.
pub(crate) async fn shown_status(h: &Harness, name: &str) -> Option<String> {
    h.named(&format!("Status for {name}"))
        .await
        .prop("value")
        .await
        .unwrap()
}

async fn row_field(h: &Harness, id: &str, label: &str) -> fantoccini::elements::Element {
    h.field(&format!("tr[data-lead-id='{id}'] form"), label)
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_status_change_sends_one_patch_with_only_the_status_and_undo_restores_it() {
    let h = Harness::start().await;
    let (id, name) = first_lead(&h, "/", "").await;
    let before = h.lead(&id).await;
    let old = before["status"].as_str().unwrap().to_owned();
    let (new, label) = other_status(&old);
    choose_status(&h, &name, label).await;
    let stored = h.wait_for_lead(&id, |l| l["status"] == new).await;
    assert_eq!(stored["status"], new);
    assert_eq!(
        h.sent("PATCH").await,
        vec![json!({"status": new})],
        "exactly one PATCH, status only"
    );
    for field in ["name", "phone", "email", "tags", "source", "score"] {
        assert_eq!(stored[field], before[field], "{field} untouched");
    }
    assert!(h.wait_for_text("Status updated").await);
    h.click("Undo").await;
    let restored = h.wait_for_lead(&id, |l| l["status"] == old.as_str()).await;
    assert_eq!(restored["status"], old.as_str());
    assert_eq!(h.sent("PATCH").await.len(), 2);
    assert!(h.wait_for_text("Status change undone").await);
    assert_eq!(shown_status(&h, &name).await.as_deref(), Some(old.as_str()));
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn undo_works_after_the_row_has_left_the_view() {
    let h = Harness::start().await;
    let (id, _) = first_lead(&h, "/", "").await;
    let (old, new) = change_status(&h, &id).await;
    h.wait_for_lead(&id, |l| l["status"] == new).await;
    assert!(h.wait_for_text("Status updated").await);
    // The row goes: the next page is on screen, the notice stays. At the
    // end of the page the notice sits below the pager, not over it.
    h.js("window.scrollTo(0, document.documentElement.scrollHeight);")
        .await;
    h.click("Next page").await;
    assert_eq!(h.wait_for_query("page=2").await, "page=2");
    let next = h.api_ids("page=2").await;
    h.wait_for_rows(&next).await;
    assert!(!next.contains(&id));

    h.click("Undo").await;
    h.wait_for_lead(&id, |l| l["status"] == old.as_str()).await;
    assert!(h.wait_for_text("Status change undone").await);
    assert_eq!(
        h.sent("PATCH").await,
        vec![json!({"status": new}), json!({"status": old})]
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_status_change_reverts_and_retry_saves_it() {
    let h = Harness::start().await;
    let (id, name) = first_lead(&h, "/", "").await;
    let old = h.lead(&id).await["status"].as_str().unwrap().to_owned();
    let (new, label) = other_status(&old);
    h.inject(json!({"matches": "PATCH", "status": 503, "times": 1}))
        .await;
    choose_status(&h, &name, label).await;
    assert!(
        h.wait_for_text(&format!("The status of {name} was not saved."))
            .await
    );
    assert_eq!(
        shown_status(&h, &name).await.as_deref(),
        Some(old.as_str()),
        "reverted"
    );
    assert_eq!(h.lead(&id).await["status"], old.as_str());
    h.click("Retry").await;
    h.wait_for_lead(&id, |l| l["status"] == new).await;
    assert_eq!(shown_status(&h, &name).await.as_deref(), Some(new));
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_quick_status_changes_end_in_the_last_choice() {
    let h = Harness::start().await;
    let (id, name) = first_lead(&h, "/?status=new", "status=new").await;
    h.inject(json!({"matches": "PATCH", "hold": "first-save", "times": 1}))
        .await;
    choose_status(&h, &name, "Contacted").await;
    h.wait_for_received("PATCH", 1).await;
    choose_status(&h, &name, "Converted").await;
    assert_eq!(
        shown_status(&h, &name).await.as_deref(),
        Some("converted"),
        "the latest choice shows while the first save is held"
    );
    h.release("first-save").await;
    let stored = h.wait_for_lead(&id, |l| l["status"] == "converted").await;
    assert_eq!(stored["status"], "converted");
    let patches = h.wait_until_answered("PATCH").await;
    assert_eq!(patches.len(), 2, "{patches:?}");
    assert!(
        patches[1]["started"].as_u64() > patches[0]["finished"].as_u64(),
        "the second save started only after the first was answered: {patches:?}"
    );
    assert_eq!(
        h.sent("PATCH").await,
        vec![
            json!({"status": "contacted"}),
            json!({"status": "converted"})
        ],
        "saves ran one after the other, in order"
    );
    assert!(h.wait_for_text("Status updated").await);
    assert_eq!(
        h.lead(&id).await["status"],
        "converted",
        "after every request settled"
    );
    assert_eq!(shown_status(&h, &name).await.as_deref(), Some("converted"));
    let row = h.find(&format!("tr[data-lead-id='{id}']")).await;
    assert!(
        row.text()
            .await
            .unwrap()
            .contains("No longer matches the filter"),
        "still visible, marked"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn saving_an_edit_sends_only_changed_fields_and_replaces_tags() {
    let h = Harness::start().await;
    let (id, name) = first_lead(&h, "/", "").await;
    let before = h.lead(&id).await;
    h.click(&format!("Edit {name}")).await;
    let phone = row_field(&h, &id, "Phone").await;
    assert_eq!(h.focused_id().await, format!("edit-{id}-name"));
    phone.clear().await.unwrap();
    let email = row_field(&h, &id, "Email").await;
    email.clear().await.unwrap();
    h.keys(&email, "renamed@example.org").await;
    for tag in before["tags"].as_array().unwrap() {
        h.click(&format!("Remove tag {}", tag.as_str().unwrap()))
            .await;
    }
    let tags = row_field(&h, &id, "Tags").await;
    h.keys(&tags, &format!("callback-requested{}", key(Key::Enter)))
        .await;
    h.keys(&tags, "vip,").await;
    h.keys(&email, &key(Key::Enter)).await;

    let stored = h
        .wait_for_lead(&id, |l| l["email"] == "renamed@example.org")
        .await;
    assert_eq!(
        h.sent("PATCH").await,
        vec![
            json!({"phone": null, "email": "renamed@example.org", "tags": ["callback-requested", "vip"]})
        ]
    );
    assert_eq!(stored["phone"], Value::Null);
    assert_eq!(stored["tags"], json!(["callback-requested", "vip"]));
    assert_eq!(stored["name"], before["name"]);
    assert!(h.wait_for_text("Lead updated").await);
    let row = h.find(&format!("tr[data-lead-id='{id}']")).await;
    let text = row.text().await.unwrap();
    assert!(
        text.contains("renamed@example.org") && text.contains("callback-requested"),
        "{text}"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn escape_and_cancel_restore_the_row_and_send_nothing() {
    let h = Harness::start().await;
    let (id, name) = first_lead(&h, "/", "").await;
    h.click(&format!("Edit {name}")).await;
    let field = row_field(&h, &id, "Name").await;
    h.keys(&field, &format!(" Changed{}", key(Key::Escape)))
        .await;
    h.named(&format!("Edit {name}")).await;
    h.click(&format!("Edit {name}")).await;
    {
        let field = row_field(&h, &id, "Email").await;
        h.keys(&field, "x").await;
    }
    h.click("Cancel").await;
    h.named(&format!("Edit {name}")).await;
    assert_eq!(h.sent("PATCH").await, Vec::<Value>::new());
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_save_keeps_the_input_and_shows_the_servers_message_on_its_field() {
    let h = Harness::start().await;
    let (id, name) = first_lead(&h, "/", "").await;
    h.inject(json!({"matches": "PATCH", "status": 400, "param": "phone",
                    "message": "phone is on the do-not-call list", "times": 1}))
        .await;
    h.inject(json!({"matches": "PATCH", "status": 500, "times": 1}))
        .await;
    h.click(&format!("Edit {name}")).await;
    let phone = row_field(&h, &id, "Phone").await;
    phone.clear().await.unwrap();
    h.keys(&phone, "+15557654321").await;
    h.click("Save").await;
    assert!(h.wait_for_text("phone is on the do-not-call list").await);
    let phone = row_field(&h, &id, "Phone").await;
    assert_eq!(
        phone.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert_eq!(
        phone.prop("value").await.unwrap().as_deref(),
        Some("+15557654321")
    );
    h.click("Save").await;
    assert!(h.wait_for_text("Not saved.").await);
    assert_eq!(
        row_field(&h, &id, "Phone")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("+15557654321")
    );
    h.click("Save").await;
    let stored = h.wait_for_lead(&id, |l| l["phone"] == "+15557654321").await;
    assert_eq!(stored["phone"], "+15557654321");
    assert_eq!(h.sent("PATCH").await.len(), 3);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_editor_does_not_drop_the_first_ones_typing() {
    let h = Harness::start().await;
    let ids = h.api_ids("").await;
    h.open("/").await;
    assert_eq!(h.wait_for_rows(&ids).await, ids);
    let first = h.lead(&ids[0]).await["name"].as_str().unwrap().to_owned();
    let second = h.lead(&ids[1]).await["name"].as_str().unwrap().to_owned();
    h.click(&format!("Edit {first}")).await;
    row_field(&h, &ids[0], "Email").await.clear().await.unwrap();
    {
        let field = row_field(&h, &ids[0], "Email").await;
        h.keys(&field, "first@example.com").await;
    }
    h.click(&format!("Edit {second}")).await;
    row_field(&h, &ids[1], "Name").await;
    let kept = row_field(&h, &ids[0], "Email")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("first@example.com"));
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_vendors_short_update_reply_never_blanks_the_row() {
    let h = Harness::start().await;
    let (id, name) = first_lead(&h, "/", "").await;
    let lead = h.lead(&id).await;
    h.inject(json!({"matches": "PATCH", "times": 1, "reply": {
        "id": id, "name": name, "status": lead["status"], "tags": ["from-reply"],
        "updated_at": "2025-03-21T09:00:00Z"}}))
        .await;
    h.click(&format!("Edit {name}")).await;
    let email = row_field(&h, &id, "Email").await;
    email.clear().await.unwrap();
    h.keys(&email, &format!("short@example.com{}", key(Key::Enter)))
        .await;
    assert!(h.wait_for_text("Lead updated").await);
    let row = h.find(&format!("tr[data-lead-id='{}']", id)).await;
    let text = row.text().await.unwrap();
    assert!(
        text.contains("short@example.com"),
        "what was sent shows: {text}"
    );
    assert!(text.contains("from-reply"), "what came back shows: {text}");
    if let Some(phone) = lead["phone"].as_str() {
        // As people read it: grouped.
        let shown = leads_console::ui::display::phone_text(phone);
        assert!(
            text.contains(&shown),
            "the phone the reply left out stays: {text}"
        );
    }
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn leaving_with_unsaved_typing_asks_first() {
    let h = Harness::start().await;
    let (id, name) = first_lead(&h, "/", "").await;
    // The console's beforeunload handler cancels the event when leaving
    // would lose typing; the browser turns that into its "Leave site?" prompt.
    let leaving_is_stopped = "const e = new Event('beforeunload', {cancelable: true}); \
                              window.dispatchEvent(e); return e.defaultPrevented";
    assert_eq!(
        h.js(leaving_is_stopped).await,
        json!(false),
        "nothing typed yet"
    );
    h.click(&format!("Edit {name}")).await;
    assert_eq!(
        h.js(leaving_is_stopped).await,
        json!(false),
        "an editor alone loses nothing"
    );
    {
        let field = row_field(&h, &id, "Email").await;
        h.keys(&field, "x").await;
    }
    assert_eq!(
        h.js(leaving_is_stopped).await,
        json!(true),
        "typed but not saved"
    );
    h.click("Cancel").await;
    h.named(&format!("Edit {name}")).await;
    assert_eq!(h.js(leaving_is_stopped).await, json!(false));
    h.click("New lead").await;
    {
        let field = h.field("dialog[open]", "Name").await;
        h.keys(&field, "Half typed").await;
    }
    assert_eq!(
        h.js(leaving_is_stopped).await,
        json!(true),
        "a half-typed new lead counts too"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn when_a_save_fails_with_a_choice_waiting_retry_sends_the_latest_choice() {
    let h = Harness::start().await;
    let (id, name) = first_lead(&h, "/?status=new", "status=new").await;
    h.inject(json!({"matches": "PATCH", "hold": "failing-save", "status": 503, "times": 1}))
        .await;
    choose_status(&h, &name, "Contacted").await;
    h.wait_for_received("PATCH", 1).await;
    choose_status(&h, &name, "Converted").await;
    h.release("failing-save").await;
    assert!(
        h.wait_for_text(&format!("The status of {name} was not saved."))
            .await
    );
    assert_eq!(
        shown_status(&h, &name).await.as_deref(),
        Some("new"),
        "reverted to the server's value"
    );
    assert_eq!(h.lead(&id).await["status"], "new");
    h.click("Retry").await;
    h.wait_for_lead(&id, |l| l["status"] == "converted").await;
    assert_eq!(
        h.sent("PATCH").await,
        vec![
            json!({"status": "contacted"}),
            json!({"status": "converted"})
        ]
    );
    h.finish().await;
}
