//! Bulk status change: a selection across pages and filters, one PATCH per
//! lead with at most four in flight, failures with Retry failed, a `429`'s
//! pause, Cancel, and one Undo for the whole batch.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::harness::Harness;

/// The largest number of PATCHes the server was answering at once.
fn most_at_once(requests: &[Value]) -> usize {
    let mut events: Vec<(u64, i32)> = Vec::new();
    for r in requests {
        events.push((r["started"].as_u64().unwrap_or(0), 1));
        events.push((r["finished"].as_u64().unwrap_or(u64::MAX), -1));
    }
    events.sort_unstable();
    let (mut now, mut most) = (0, 0);
    for (_, change) in events {
        now += change;
        most = most.max(now);
    }
    usize::try_from(most).unwrap_or(0)
}

/// Each lead's status as the server has it.
async fn statuses(h: &Harness, ids: &[String]) -> HashMap<String, String> {
    let mut all = HashMap::new();
    for id in ids {
        let lead = h.lead(id).await;
        all.insert(id.clone(), lead["status"].as_str().unwrap_or("").to_owned());
    }
    all
}

/// The name of lead `id`, as the row's checkbox is named after it.
async fn name_of(h: &Harness, id: &str) -> String {
    h.lead(id).await["name"].as_str().unwrap_or("").to_owned()
}

async fn choose(h: &Harness, id: &str) {
    let name = name_of(h, id).await;
    h.find(&format!("tr[data-lead-id='{id}'] input[type='checkbox']"))
        .await
        .click()
        .await
        .unwrap();
    let checkbox = h
        .find(&format!("tr[data-lead-id='{id}'] input[type='checkbox']"))
        .await;
    assert_eq!(h.accessible_name(&checkbox).await, format!("Select {name}"));
}

async fn apply(h: &Harness, label: &str) {
    h.select("Status for selected", label).await;
    h.click("Apply").await;
}

async fn wait_for(h: &Harness, text: &str) {
    assert!(
        h.wait_for_text(text).await,
        "never read {text:?}; the page reads:\n{}",
        h.text().await
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_selection_across_pages_and_filters_changes_every_lead_four_at_a_time_and_undo_restores_each(
) {
    let h = Harness::start().await;
    let first_page = h.open_view("/", "").await;
    h.named("Select all on this page")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&h, "20 selected").await;

    // The selection outlives a filter change and paging.
    h.select("Status", "New").await;
    h.wait_for_query("status=new").await;
    let new_leads = h.wait_for_rows(&h.api_ids("status=new").await).await;
    let picked_new: Vec<String> = new_leads
        .iter()
        .filter(|id| !first_page.contains(id))
        .take(2)
        .cloned()
        .collect();
    assert_eq!(picked_new.len(), 2);
    for id in &picked_new {
        choose(&h, id).await;
    }
    h.click("Next page").await;
    let second_page = h.wait_for_rows(&h.api_ids("status=new&page=2").await).await;
    choose(&h, &second_page[0]).await;
    wait_for(&h, "23 selected").await;

    let mut chosen = first_page.clone();
    chosen.extend(picked_new.iter().cloned());
    chosen.push(second_page[0].clone());
    let before = statuses(&h, &chosen).await;

    // Every PATCH is held: exactly four arrive, and no fifth until they are
    // answered.
    h.inject(json!({"matches": "PATCH /v1/leads/", "hold": "batch"}))
        .await;
    apply(&h, "Converted").await;
    h.find("progress[aria-label='Updating leads']").await;
    assert_eq!(h.wait_for_received("PATCH", 4).await.len(), 4);
    h.settle().await;
    assert_eq!(
        h.wait_for_received("PATCH", 0).await.len(),
        4,
        "a fifth PATCH went out while four were in flight"
    );
    h.release("batch").await;
    wait_for(&h, "Updated 23 of 23 leads.").await;

    let sent = h.wait_until_answered("PATCH").await;
    assert_eq!(sent.len(), 23, "one PATCH per lead");
    assert!(most_at_once(&sent) <= 4, "more than four in flight");
    assert!(
        h.sent("PATCH")
            .await
            .iter()
            .all(|body| *body == json!({"status": "converted"})),
        "each PATCH carries the status and nothing else"
    );
    let after = statuses(&h, &chosen).await;
    assert!(after.values().all(|s| s == "converted"), "{after:?}");

    // The changed rows on screen stay, marked, under the New filter.
    let row = h
        .find(&format!("tr[data-lead-id='{}']", second_page[0]))
        .await;
    assert!(row
        .text()
        .await
        .unwrap()
        .contains("No longer matches the filter"));

    h.click("Undo").await;
    let changed_back = before.values().filter(|s| *s != "converted").count();
    wait_for(
        &h,
        &format!("Restored {changed_back} of {changed_back} leads."),
    )
    .await;
    h.wait_until_answered("PATCH").await;
    assert_eq!(
        statuses(&h, &chosen).await,
        before,
        "Undo restores each status"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_are_listed_by_name_and_retry_failed_finishes_them_and_a_429_only_pauses() {
    let h = Harness::start().await;
    let ids = h.open_view("/", "").await;
    let chosen: Vec<String> = ids.iter().take(5).cloned().collect();
    for id in &chosen {
        choose(&h, id).await;
    }
    let failing = [chosen[1].clone(), chosen[3].clone()];
    for id in &failing {
        h.inject(json!({"matches": format!("PATCH /v1/leads/{id}"), "status": 500, "times": 1}))
            .await;
    }
    h.inject(
        json!({"matches": format!("PATCH /v1/leads/{}", chosen[4]), "status": 429,
                    "retry_after": 1, "times": 1}),
    )
    .await;
    apply(&h, "Qualified").await;
    wait_for(&h, "Updated 3 of 5 leads.").await;
    let failures = h
        .find("ul[aria-label='Not updated']")
        .await
        .text()
        .await
        .unwrap();
    for id in &failing {
        let name = name_of(&h, id).await;
        assert!(
            failures.contains(&format!("{name}: Injected failure for a test.")),
            "{failures}"
        );
    }
    assert_eq!(
        h.lead(&chosen[4]).await["status"],
        "qualified",
        "the rate-limited lead was sent again after its pause"
    );

    assert_eq!(
        h.axe_violations().await,
        Vec::<String>::new(),
        "the bar with an outcome"
    );

    h.click("Retry failed").await;
    wait_for(&h, "Updated 2 of 2 leads.").await;
    let after = statuses(&h, &chosen).await;
    assert!(after.values().all(|s| s == "qualified"), "{after:?}");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_stops_sending_and_says_what_was_already_sent() {
    let h = Harness::start().await;
    let ids = h.open_view("/", "").await;
    let before = statuses(&h, &ids).await;
    h.named("Select all on this page")
        .await
        .click()
        .await
        .unwrap();
    h.inject(json!({"matches": "PATCH /v1/leads/", "hold": "cancel"}))
        .await;
    apply(&h, "Contacted").await;
    assert_eq!(h.wait_for_received("PATCH", 4).await.len(), 4);
    h.click("Cancel").await;
    h.release("cancel").await;
    wait_for(
        &h,
        "Updated 4 of 20 leads. Cancelled: 16 not sent; those already sent stay changed.",
    )
    .await;
    h.settle().await;
    let sent = h.wait_until_answered("PATCH").await;
    assert_eq!(sent.len(), 4, "nothing was sent after Cancel");
    let after = statuses(&h, &ids).await;
    let changed: Vec<&String> = ids.iter().filter(|id| after[*id] != before[*id]).collect();
    assert!(
        changed.len() <= 4,
        "only what was sent changed: {changed:?}"
    );
    h.finish().await;
}
