//! The leads list: every control, the URL, loading, empty and error states.

use serde_json::json;

use crate::harness::{Harness, ServerOptions};

/// Opens `path` and waits until the table shows what the API returns for
/// `api_query`.
#[tokio::test(flavor = "multi_thread")]
async fn each_select_shows_what_the_api_returns_for_that_query() {
    let h = Harness::start().await;
    h.open_view("/", "").await;
    for (label, option, query) in [
        ("Status", "Qualified", "status=qualified"),
        ("Source", "SMS", "status=qualified&source=sms"),
        (
            "Sort by",
            "Highest score",
            "status=qualified&source=sms&sort=-score",
        ),
        (
            "Per page",
            "10",
            "status=qualified&source=sms&sort=-score&limit=10",
        ),
        (
            "Source",
            "All sources",
            "status=qualified&sort=-score&limit=10",
        ),
        (
            "Sort by",
            "Name Z–A",
            "status=qualified&sort=-name&limit=10",
        ),
        (
            "Sort by",
            "Oldest first",
            "status=qualified&sort=created_at&limit=10",
        ),
        ("Sort by", "Name A–Z", "status=qualified&sort=name&limit=10"),
        (
            "Sort by",
            "Lowest score",
            "status=qualified&sort=score&limit=10",
        ),
        (
            "Sort by",
            "Recently updated",
            "status=qualified&sort=-updated_at&limit=10",
        ),
        ("Status", "All statuses", "sort=-updated_at&limit=10"),
        ("Per page", "50", "sort=-updated_at&limit=50"),
        ("Sort by", "Newest first", "limit=50"),
    ] {
        h.select(label, option).await;
        assert_eq!(
            h.wait_for_query(query).await,
            query,
            "after {label} = {option}"
        );
        let expected = h.api_ids(query).await;
        assert_eq!(
            h.wait_for_rows(&expected).await,
            expected,
            "after {label} = {option}"
        );
    }
    assert_eq!(h.console_errors().await, Vec::<String>::new());
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn column_headers_sort_and_toggle_with_aria_sort() {
    let h = Harness::start().await;
    h.open_view("/", "").await;
    for (header, query) in [
        ("Name", "sort=name"),
        ("Name", "sort=-name"),
        ("Score", "sort=-score"),
        ("Score", "sort=score"),
        ("Status", "sort=status"),
        ("Status", "sort=-status"),
        ("Created", "sort=-created_at"),
        ("Created", "sort=created_at"),
    ] {
        h.click(header).await;
        let expected_query = if query == "sort=-created_at" {
            ""
        } else {
            query
        };
        assert_eq!(
            h.wait_for_query(expected_query).await,
            expected_query,
            "{header}"
        );
        let expected = h.api_ids(query).await;
        assert_eq!(
            h.wait_for_rows(&expected).await,
            expected,
            "{header} → {query}"
        );
        let direction = if query.contains('-') {
            "descending"
        } else {
            "ascending"
        };
        let th = h.find(&format!("th[aria-sort='{direction}']")).await;
        assert_eq!(th.text().await.unwrap(), header);
    }
    assert_eq!(h.selected("Sort by").await, "created_at");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn paging_moves_through_the_list_and_stops_at_the_ends() {
    let h = Harness::start().await;
    h.open_view("/?limit=100", "limit=100").await;
    assert!(h.text().await.contains("1–100 of 250"));
    assert!(!h.button("Previous page").await.is_enabled().await.unwrap());
    h.click("Next page").await;
    assert_eq!(
        h.wait_for_query("limit=100&page=2").await,
        "limit=100&page=2"
    );
    let expected = h.api_ids("limit=100&page=2").await;
    assert_eq!(h.wait_for_rows(&expected).await, expected);
    assert!(h.wait_for_text("101–200 of 250").await);
    h.click("Next page").await;
    let expected = h.api_ids("limit=100&page=3").await;
    assert_eq!(h.wait_for_rows(&expected).await, expected);
    assert!(h.wait_for_text("201–250 of 250").await);
    assert!(h.text().await.contains("Page 3 of 3"));
    assert!(!h.button("Next page").await.is_enabled().await.unwrap());
    h.click("Previous page").await;
    assert_eq!(
        h.wait_for_query("limit=100&page=2").await,
        "limit=100&page=2"
    );
    h.select("Status", "New").await;
    assert_eq!(
        h.wait_for_query("status=new&limit=100").await,
        "status=new&limit=100",
        "a filter goes back to page 1"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deep_link_opens_that_view() {
    let h = Harness::start().await;
    let query = "status=contacted&source=call&sort=name&limit=10&page=2";
    h.open_view(&format!("/?{query}"), query).await;
    assert_eq!(h.selected("Status").await, "contacted");
    assert_eq!(h.selected("Source").await, "call");
    assert_eq!(h.selected("Sort by").await, "name");
    assert_eq!(h.selected("Per page").await, "10");
    assert_eq!(h.query().await, query);
    assert!(h.has_button("Clear filters").await);
    h.click("Clear filters").await;
    assert_eq!(
        h.wait_for_query("sort=name&limit=10").await,
        "sort=name&limit=10"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn back_and_forward_step_between_views() {
    let h = Harness::start().await;
    h.open_view("/", "").await;
    h.select("Status", "New").await;
    let new = h.api_ids("status=new").await;
    assert_eq!(h.wait_for_rows(&new).await, new);
    h.select("Source", "Google").await;
    let new_google = h.api_ids("status=new&source=google").await;
    assert_eq!(h.wait_for_rows(&new_google).await, new_google);

    h.browser.back().await.unwrap();
    assert_eq!(h.wait_for_query("status=new").await, "status=new");
    assert_eq!(h.wait_for_rows(&new).await, new);
    assert_eq!(h.selected("Source").await, "");
    h.browser.back().await.unwrap();
    let all = h.api_ids("").await;
    assert_eq!(h.wait_for_rows(&all).await, all);
    assert_eq!(h.selected("Status").await, "");
    h.browser.forward().await.unwrap();
    assert_eq!(h.wait_for_rows(&new).await, new);
    assert_eq!(h.selected("Status").await, "new");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_view_change_asks_for_its_rows_before_it_writes_the_address() {
    let h = Harness::start().await;
    h.open_view("/", "").await;
    h.js("window.__pushed = []; \
          const push = history.pushState.bind(history); \
          history.pushState = (...args) => { \
            window.__pushed.push([performance.now(), String(args[2])]); \
            return push(...args); \
          }; \
          performance.clearResourceTimings();")
        .await;
    h.select("Status", "New").await;
    assert_eq!(h.wait_for_query("status=new").await, "status=new");
    let seen = h
        .js("const asked = performance.getEntriesByType('resource') \
               .filter(e => e.name.includes('/v1/leads?status=new')) \
               .map(e => e.startTime); \
             return [asked, window.__pushed];")
        .await;
    let asked = seen[0][0].as_f64().expect("the list request was made");
    let pushed = &seen[1];
    assert_eq!(pushed.as_array().map(Vec::len), Some(1), "{pushed}");
    assert_eq!(pushed[0][1], json!("/?status=new"));
    assert!(
        asked <= pushed[0][0].as_f64().unwrap_or_default(),
        "the request started at {asked} ms, after the address changed: {pushed}"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_url_values_fall_back_and_the_url_is_replaced() {
    let h = Harness::start().await;
    h.open("/?source=sms").await;
    let sms = h.api_ids("source=sms").await;
    assert_eq!(h.wait_for_rows(&sms).await, sms);
    let history_before = h.js("return history.length").await;
    h.open("/?status=bogus&page=-3&limit=7&sort=email&source=sms&page=2")
        .await;
    assert_eq!(h.wait_for_query("source=sms").await, "source=sms");
    assert_eq!(h.wait_for_rows(&sms).await, sms);
    assert_eq!(h.selected("Status").await, "");
    assert_eq!(h.selected("Per page").await, "20");
    assert_eq!(h.selected("Sort by").await, "-created_at");
    let history_after = h.js("return history.length").await;
    assert_eq!(
        history_after.as_u64(),
        history_before.as_u64().map(|n| n + 1),
        "the correction replaced the entry instead of pushing one"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn empty_results_say_so_and_offer_clear_filters() {
    let h = Harness::with(ServerOptions {
        demo_leads: 0,
        ..ServerOptions::default()
    })
    .await;
    for name in ["Walk In One", "Walk In Two"] {
        let reply = h
            .api(
                "POST",
                "/v1/leads",
                Some(json!({"name": name, "source": "walk-in"})),
            )
            .await;
        assert_eq!(reply.status, 201);
    }
    h.open("/?source=call").await;
    assert!(h.wait_for_text("No leads match these filters.").await);
    h.click("Clear filters").await;
    let all = h.api_ids("").await;
    assert_eq!(all.len(), 2);
    assert_eq!(h.wait_for_rows(&all).await, all);
    assert!(
        h.text().await.contains("walk-in"),
        "a free source label is shown as it is"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_load_shows_the_reason_and_retry_repeats_that_view() {
    let h = Harness::start().await;
    h.inject(json!({"matches": "status=converted", "status": 502, "html": true, "times": 1}))
        .await;
    h.open("/?status=converted&sort=name").await;
    assert!(
        h.wait_for_text("The server had a problem (HTTP 502)").await,
        "{}",
        h.text().await
    );
    let before = h.list_requests().await;
    h.click("Retry").await;
    let expected = h.api_ids("status=converted&sort=name").await;
    assert_eq!(h.wait_for_rows(&expected).await, expected);
    assert_eq!(
        h.list_requests().await,
        before + 2,
        "one retry GET, plus the test's own API call"
    );

    h.inject(json!({"matches": "source=form", "status": 503, "times": 1}))
        .await;
    h.select("Source", "Form").await;
    assert!(
        h.wait_for_text("Injected failure for a test.").await,
        "the API's own message is shown"
    );
    h.click("Retry").await;
    let expected = h.api_ids("status=converted&source=form&sort=name").await;
    assert_eq!(h.wait_for_rows(&expected).await, expected);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_view_change_sends_exactly_one_get() {
    let h = Harness::start().await;
    h.open_view("/", "").await;
    h.settle().await;
    let settled = h.list_requests().await;
    assert_eq!(settled, 2, "the page's first load and the test's own call");
    h.select("Status", "Contacted").await;
    let expected = h.api_ids("status=contacted").await;
    assert_eq!(h.wait_for_rows(&expected).await, expected);
    h.settle().await;
    assert_eq!(
        h.list_requests().await,
        settled + 2,
        "one GET from the page, one from the test"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn old_rows_stay_dimmed_while_the_next_view_loads() {
    let h = Harness::start().await;
    let first = h.api_ids("").await;
    h.open("/").await;
    assert_eq!(h.wait_for_rows(&first).await, first);
    h.inject(json!({"matches": "status=qualified", "hold": "qualified", "times": 1}))
        .await;
    h.select("Status", "Qualified").await;
    h.find(".results[aria-busy='true']").await;
    // Dimmed once the answer is late (the test holds it back).
    wait_for_rows_opacity(&h, "0.5").await;
    assert_eq!(
        h.table_ids().await,
        first,
        "the old rows are still on screen"
    );
    h.release("qualified").await;
    let expected = h.api_ids("status=qualified").await;
    assert_eq!(h.wait_for_rows(&expected).await, expected);
    h.find(".results[aria-busy='false']").await;
    wait_for_rows_opacity(&h, "1").await;
    h.finish().await;
}

/// Waits until the table's rows are drawn at `opacity`, as the browser
/// computes it; fails the test when they never are.
async fn wait_for_rows_opacity(h: &Harness, opacity: &str) {
    let script = "const body = all('.leads-table tbody')[0]; \
                  return body ? getComputedStyle(body).opacity : null;";
    let what = format!("the rows drawn at opacity {opacity} (null: no rows)");
    h.wait_for_js(&what, script, json!(opacity)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_older_response_never_replaces_a_newer_view() {
    let h = Harness::start().await;
    h.open_view("/", "").await;
    h.inject(json!({"matches": "status=new", "hold": "older-view", "times": 1}))
        .await;
    h.select("Status", "New").await;
    h.wait_for_received("GET /v1/leads?status=new", 1).await;
    h.select("Status", "Contacted").await;
    let contacted = h.api_ids("status=contacted").await;
    assert_eq!(
        h.wait_for_rows(&contacted).await,
        contacted,
        "the newer view did not wait for the held older one"
    );
    h.release("older-view").await;
    let older = h.wait_until_answered("status=new").await;
    assert!(
        older[0]["finished"].is_u64(),
        "the held request ended: {older:?}"
    );
    h.find(".results[aria-busy='false']").await;
    assert_eq!(
        h.table_ids().await,
        contacted,
        "the slow status=new answer was dropped"
    );
    assert_eq!(h.query().await, "status=contacted");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn at_360_pixels_the_page_does_not_scroll_sideways() {
    let h = Harness::start().await;
    let expected = h.api_ids("").await;
    h.open_at_width("/", 360).await;
    assert_eq!(h.wait_for_rows(&expected).await, expected);
    let overflow = h
        .js("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        .await;
    assert_eq!(overflow.as_i64(), Some(0));
    // The cards have no header row, but "Select all on this page" stays
    // where a person can click it (WebDriver refuses a hidden one).
    h.named("Select all on this page")
        .await
        .click()
        .await
        .unwrap();
    assert!(h.wait_for_text("20 selected").await);
    h.finish().await;
}

/// Chromium only: a running browser's language changes only through
/// DevTools' locale override (Firefox and WebKit take it at start).
#[tokio::test(flavor = "multi_thread")]
async fn dates_read_in_the_browsers_language() {
    let h = Harness::start().await;
    let ids = h.api_ids("").await;
    h.set_locale("de-DE").await;
    h.open("/").await;
    assert_eq!(h.wait_for_rows(&ids).await, ids);
    let mut texts = Vec::new();
    for id in &ids {
        let cell = h.find(&format!("tr[data-lead-id='{id}'] time")).await;
        texts.push(cell.text().await.unwrap());
    }
    for text in &texts {
        // "26.11.2026 09:53" and "vor 3 Tagen" (or "vorgestern", "jetzt", …).
        let (date, hint) = text.split_once('\n').unwrap_or((text, ""));
        let digits: String = date.chars().filter(char::is_ascii_digit).collect();
        assert!(
            date.len() >= 16 && date[2..3] == *"." && date[5..6] == *"." && digits.len() == 12,
            "a German date and time: {text:?}"
        );
        assert!(
            hint.starts_with("vor")
                || ["gestern", "jetzt", "letzten Monat", "letztes Jahr"].contains(&hint),
            "a German relative time: {text:?}"
        );
    }
    h.finish().await;
}
