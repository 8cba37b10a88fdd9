//! Keyboard triage: keys alone move through the rows, change statuses
//! through the same save as the select, select and edit; no shortcut fires
//! while typing, in a dialog, or with a modifier held.

use fantoccini::key::Key;
use serde_json::json;

use crate::harness::{key, Harness};

/// The lead id of the row that has the focus, or "".
async fn focused_row(h: &Harness) -> String {
    h.js("const e = focused(); return e && e.matches('tr[data-lead-id]') ? e.dataset.leadId : '';")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Presses `ch` with `modifier` held, as one chord.
async fn chord(h: &Harness, modifier: Key, ch: char) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let held = char::from(modifier);
    let actions = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down { value: held })
        .then(KeyAction::Down { value: ch })
        .then(KeyAction::Up { value: ch })
        .then(KeyAction::Up { value: held });
    h.browser
        .perform_actions(actions)
        .await
        .expect("press a chord");
}

/// Puts the focus on a button without pressing it.
async fn focus_button(h: &Harness, name: &str) {
    h.button(name).await;
    h.js(&format!("buttons({name:?})[0].focus();")).await;
}

async fn status_of(h: &Harness, id: &str) -> String {
    h.lead(id).await["status"].as_str().unwrap_or("").to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_triage_run_by_keys_alone_changes_the_right_leads() {
    let h = Harness::start().await;
    let ids = h.open_view("/", "").await;
    let before: Vec<String> = {
        let mut all = Vec::new();
        for id in &ids[..3] {
            all.push(status_of(&h, id).await);
        }
        all
    };
    // From a button in the console, j takes the focus to the first row.
    focus_button(&h, "Export CSV").await;
    h.press("j").await;
    assert_eq!(focused_row(&h).await, ids[0]);
    let (_, ring) = h.focus().await;
    assert!(ring, "the focused row shows a focus ring");
    h.press("j").await;
    assert_eq!(focused_row(&h).await, ids[1]);
    // Modifiers leave keys alone: Ctrl+1 is the browser's, not a status.
    chord(&h, Key::Control, '1').await;
    chord(&h, Key::Alt, 'j').await;
    assert_eq!(focused_row(&h).await, ids[1], "Alt+j moved nothing");
    h.press("2").await;
    h.wait_for_lead(&ids[1], |l| l["status"] == "contacted")
        .await;
    h.press(&key(Key::Down)).await;
    assert_eq!(focused_row(&h).await, ids[2]);
    h.press("4").await;
    h.wait_for_lead(&ids[2], |l| l["status"] == "converted")
        .await;
    h.press("k").await;
    assert_eq!(focused_row(&h).await, ids[1]);
    h.press("x").await;
    assert!(
        h.wait_for_text("1 selected").await,
        "x selects the focused lead"
    );
    assert_eq!(
        h.sent("PATCH").await,
        vec![
            json!({"status": "contacted"}),
            json!({"status": "converted"})
        ],
        "one PATCH per status key, status only, nothing for Ctrl+1"
    );
    assert_eq!(
        status_of(&h, &ids[0]).await,
        before[0],
        "the first lead untouched"
    );

    // e opens the row editor; typing there is typing, not shortcuts.
    h.press("e").await;
    let name = h
        .field(&format!("tr[data-lead-id='{}'] form", ids[1]), "Name")
        .await;
    h.keys(&name, "j4x").await;
    assert!(name
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
        .ends_with("j4x"));
    h.press(&key(Key::Escape)).await;

    // n opens New lead; typing in it fires nothing.
    h.press("n").await;
    let new_name = h.field("dialog", "Name").await;
    h.keys(&new_name, "1234jkxe/?").await;
    assert_eq!(
        new_name.prop("value").await.unwrap().unwrap_or_default(),
        "1234jkxe/?"
    );
    h.press(&key(Key::Escape)).await;
    h.wait_for_focus("New lead").await;

    // / goes to the Status filter; ? lists the shortcuts.
    h.press("/").await;
    assert_eq!(h.focused_id().await, "filter-status");
    focus_button(&h, "Export CSV").await;
    h.press("?").await;
    let help = h.find("dialog[open]").await;
    let text = help.text().await.unwrap();
    assert!(
        text.contains("Keyboard shortcuts") && text.contains("Next lead"),
        "{text}"
    );
    h.press(&key(Key::Escape)).await;
    h.wait_for_focus("Export CSV").await;

    h.settle().await;
    assert_eq!(h.sent("PATCH").await.len(), 2, "nothing more was saved");
    assert_eq!(status_of(&h, &ids[0]).await, before[0]);
    h.finish().await;
}

/// A click inside the console that lands on no control (its heading, the
/// range text) puts the focus on the console, so its keys work; a key
/// pressed in the page outside it still does nothing.
#[tokio::test(flavor = "multi_thread")]
async fn keys_work_after_a_click_on_the_heading_or_plain_text() {
    let h = Harness::start().await;
    let ids = h.open_view("/", "").await;
    h.find("h1").await.click().await.expect("click the heading");
    h.press("j").await;
    assert_eq!(
        focused_row(&h).await,
        ids[0],
        "j after a click on the heading"
    );
    let (_, ring) = h.focus().await;
    assert!(ring, "the row j reached shows its focus ring");

    h.find(".range")
        .await
        .click()
        .await
        .expect("click the range text");
    h.press("jj").await;
    assert_eq!(
        focused_row(&h).await,
        ids[1],
        "j after a click on plain text"
    );

    // The portal's page (here the standalone page's body) keeps its keys.
    h.js("document.activeElement.blur(); focused() && focused().blur();")
        .await;
    h.press("jn").await;
    assert_eq!(focused_row(&h).await, "", "no row took the focus");
    assert!(
        h.first("dialog[open]").await.is_none(),
        "n from outside the console opened nothing"
    );
    h.finish().await;
}
