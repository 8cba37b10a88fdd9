//! Keyboard only: create, a status change and a row edit with no mouse, in
//! a logical tab order, with a focus ring on every stop, Escape closing,
//! and focus going back where it was.

use fantoccini::key::Key;
use serde_json::json;

use crate::harness::{key, Harness, ServerOptions};

/// Which way Tab moves.
#[derive(Clone, Copy)]
enum Direction {
    Forward,
    /// Shift+Tab: to a control behind the focus, without counting on Tab
    /// to wrap from the page's end through the browser's own controls to
    /// its start (Firefox's focus stays in its toolbar).
    Back,
}

/// Tabs `direction` until the focus is on `name`, checking each stop
/// shows a focus ring; returns the names of the stops on the way.
async fn tab_to(h: &Harness, name: &str, direction: Direction) -> Vec<String> {
    let mut stops = Vec::new();
    for _ in 0..60 {
        match direction {
            Direction::Forward => h.press(&key(Key::Tab)).await,
            Direction::Back => h.press_shifted(Key::Tab).await,
        }
        let (now, ring) = h.focus().await;
        if now.is_empty() {
            // A row (the arrow keys' stop, named by its cells' text only
            // where the browser computes one), or the browser's own chrome.
            continue;
        }
        assert!(ring, "{now:?} has focus but no visible focus ring");
        stops.push(now.clone());
        if now == name {
            return stops;
        }
    }
    panic!("Tab never reached {name:?}; it went {stops:?}");
}

/// The next `count` tab stops' names, each checked for a focus ring.
async fn next_stops(h: &Harness, count: usize) -> Vec<String> {
    let mut stops = Vec::new();
    for _ in 0..count {
        h.press(&key(Key::Tab)).await;
        let (now, ring) = h.focus().await;
        assert!(ring, "{now:?} has focus but no visible focus ring");
        stops.push(now);
    }
    stops
}

async fn dialog_open(h: &Harness) -> bool {
    h.js("return !!root.querySelector('dialog[open]')")
        .await
        .as_bool()
        .unwrap_or(false)
}

async fn assert_focus(h: &Harness, name: &str) {
    assert_eq!(h.wait_for_focus(name).await, name);
    assert_eq!(
        h.focus().await,
        (name.to_owned(), true),
        "with a focus ring"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn create_by_keyboard_alone() {
    let h = Harness::with(ServerOptions {
        demo_leads: 3,
        ..ServerOptions::default()
    })
    .await;
    h.open_view("/", "").await;
    // The search field comes with the rest of the console, after the rows.
    h.field(".filters", "Search leads").await;
    assert_eq!(
        tab_to(&h, "Per page", Direction::Forward).await,
        [
            "Notify me of new leads",
            "Export CSV",
            "New lead",
            "Search leads",
            "Status",
            "Source",
            "Sort by",
            "Per page"
        ],
        "the page's controls in reading order"
    );
    tab_to(&h, "New lead", Direction::Back).await;

    // Escape closes the dialog and hands focus back; what was typed is
    // still there when it opens again.
    h.press(&key(Key::Enter)).await;
    assert_focus(&h, "Name").await;
    h.press("Kay").await;
    h.press(&key(Key::Escape)).await;
    assert!(!dialog_open(&h).await, "Escape closed the dialog");
    assert_focus(&h, "New lead").await;

    h.press(&key(Key::Enter)).await;
    assert_focus(&h, "Name").await;
    assert_eq!(h.js("return focused().value").await, "Kay");
    h.press(" Board").await;
    assert_eq!(
        next_stops(&h, 4).await,
        ["Phone", "Email", "Source", "Add tag"],
        "the dialog's fields in order"
    );
    h.press(&format!("kbd{}", key(Key::Enter))).await;
    // The tag's Remove button sits before the input, with the tag; the
    // buttons follow in the order they are drawn.
    assert_eq!(next_stops(&h, 2).await, ["Cancel", "Create lead"]);
    h.press(&key(Key::Enter)).await;
    assert!(h.wait_for_text("Kay Board").await, "the new lead is listed");
    assert!(!dialog_open(&h).await);
    assert_focus(&h, "New lead").await;
    let created = h.api("GET", "/v1/leads?limit=1", None).await.body["data"][0].clone();
    assert_eq!(created["name"], "Kay Board");
    assert_eq!(created["tags"], json!(["kbd"]));
    assert_eq!(h.sent("POST").await.len(), 1, "Escape sent nothing");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn status_change_and_row_edit_by_keyboard_alone() {
    let h = Harness::with(ServerOptions {
        demo_leads: 3,
        ..ServerOptions::default()
    })
    .await;
    let ids = h.open_view("/", "").await;
    let lead = h.lead(&ids[0]).await;
    let name = lead["name"].as_str().unwrap_or_default().to_owned();

    // Status: reach the row's select, and the arrow key picks the next one.
    let stops = tab_to(&h, &format!("Status for {name}"), Direction::Forward).await;
    assert!(
        stops.contains(&format!("Edit {name}")),
        "the row's Edit comes first: {stops:?}"
    );
    h.press(&key(Key::Down)).await;
    let changed = h
        .wait_for_lead(&ids[0], |l| l["status"] != lead["status"])
        .await;
    assert_eq!(
        h.sent("PATCH").await,
        [json!({"status": changed["status"]})]
    );
    assert_eq!(h.focus().await, (format!("Status for {name}"), true));

    // Edit: Escape puts the row back and focus on its Edit button.
    tab_to(&h, &format!("Edit {name}"), Direction::Back).await;
    h.press(&key(Key::Enter)).await;
    assert_focus(&h, "Name").await;
    h.press(" not kept").await;
    h.press(&key(Key::Escape)).await;
    assert_focus(&h, &format!("Edit {name}")).await;
    assert_eq!(h.sent("PATCH").await.len(), 1, "Escape sent nothing");

    // Enter saves, and focus comes back to the row.
    h.press(&key(Key::Enter)).await;
    assert_focus(&h, "Name").await;
    let erase = key(Key::Backspace).repeat(name.chars().count());
    h.press(&format!("{}{erase}Renamed By Keys", key(Key::End)))
        .await;
    h.press(&key(Key::Enter)).await;
    assert_focus(&h, "Edit Renamed By Keys").await;
    assert_eq!(h.lead(&ids[0]).await["name"], "Renamed By Keys");
    assert_eq!(
        h.sent("PATCH").await.last(),
        Some(&json!({"name": "Renamed By Keys"}))
    );
    h.finish().await;
}
