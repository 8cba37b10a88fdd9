//! Hostile lead text and broken API answers: no script runs, text shows
//! literally, only valid contact links are made, and every broken answer
//! gets a clear message with a Retry that works once the fault is gone.

use serde_json::{json, Value};

use crate::harness::{Harness, ServerOptions};

/// Lead text meant to break out of the page, each with a piece of it that
/// must show on screen as typed.
const HOSTILE: [(&str, &str); 6] = [
    ("<img src=x onerror=\"window.pwned=1\">", "<img src=x onerror="),
    ("<script>window.pwned=2</script>", "<script>window.pwned=2</script>"),
    ("\"><svg onload=window.pwned=3>", "\"><svg onload=window.pwned=3>"),
    ("javascript:window.pwned=4", "javascript:window.pwned=4"),
    ("\u{202e}evil\u{200b}zero-width 👩‍💼", "zero-width"),
    ("Loooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooong", "Looooooooooooooooooooooooooooooooooo"),
];

/// True when anything in the page set `window.pwned`.
async fn pwned(h: &Harness) -> Value {
    h.js("return window.pwned === undefined ? null : window.pwned")
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_lead_text_shows_literally_and_runs_nothing() {
    let h = Harness::with(ServerOptions {
        demo_leads: 0,
        ..ServerOptions::default()
    })
    .await;
    for (i, (text, _)) in HOSTILE.iter().enumerate() {
        let tag: String = text.chars().take(50).collect();
        let reply = h
            .api(
                "POST",
                "/v1/leads",
                Some(json!({"name": text, "source": format!("src-{i}"), "tags": [tag]})),
            )
            .await;
        assert_eq!(reply.status, 201, "{text}: {}", reply.body);
    }
    h.open("/").await;
    h.find("tbody tr[data-lead-id]").await;
    let table = h.find("tbody").await.text().await.unwrap();
    for (text, visible) in HOSTILE {
        assert!(
            table.contains(visible),
            "{text:?} is shown literally in:\n{table}"
        );
    }
    // The editor and the dialog hold the text as values, not markup.
    let id = h.api_ids("").await.remove(0);
    let name = h.lead(&id).await["name"].as_str().unwrap().to_owned();
    h.named(&format!("Edit {name}"))
        .await
        .click()
        .await
        .unwrap();
    let field = h
        .field(&format!("tr[data-lead-id='{id}'] form"), "Name")
        .await;
    assert_eq!(
        field.prop("value").await.unwrap().as_deref(),
        Some(name.as_str())
    );
    h.click("Cancel").await;
    h.click("New lead").await;
    h.type_into("dialog[open]", "Name", HOSTILE[0].0).await;
    h.click("Cancel").await;

    assert_eq!(pwned(&h).await, Value::Null, "no script ran");
    let links = h
        .js("return all('a[href]').map(a => a.getAttribute('href'))")
        .await;
    for href in links.as_array().unwrap() {
        let href = href.as_str().unwrap();
        assert!(
            href.starts_with("tel:") || href.starts_with("mailto:"),
            "{href}"
        );
    }
    let sideways = h
        .js("return document.documentElement.scrollWidth > document.documentElement.clientWidth")
        .await;
    assert_eq!(
        sideways,
        json!(false),
        "a long word does not push the page sideways"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_api_answer_makes_no_link_and_runs_nothing() {
    let h = Harness::start().await;
    h.inject(json!({"matches": "GET /v1/leads", "times": 1, "reply": {
        "data": [{
            "id": "lead_x", "name": "<b onmouseover=window.pwned=5>Mallory</b>",
            "phone": "javascript:window.pwned=6", "email": "javascript:alert(1)",
            "status": "new", "source": "<i>call</i>", "tags": ["<u>t</u>"],
            "created_at": "not a date"
        }],
        "meta": {"page": 1, "limit": 20, "total": 1}
    }}))
    .await;
    h.open("/").await;
    let row = h.find("tr[data-lead-id='lead_x']").await;
    let text = row.text().await.unwrap();
    assert!(
        text.contains("<b onmouseover=window.pwned=5>Mallory</b>"),
        "{text}"
    );
    assert!(
        text.contains("javascript:window.pwned=6"),
        "shown as text: {text}"
    );
    assert_eq!(
        h.js("return all('tr[data-lead-id=\"lead_x\"] a').length")
            .await,
        json!(0),
        "invalid contacts are not links"
    );
    assert_eq!(pwned(&h).await, Value::Null);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_broken_answer_gets_a_clear_message_and_retry_recovers() {
    let h = Harness::start().await;
    let expected = h.api_ids("").await;
    let broken: [(&str, Value, &str); 8] = [
        ("a 500", json!({"status": 500}), "Injected failure"),
        (
            "an HTML 502",
            json!({"status": 502, "html": true}),
            "The server had a problem",
        ),
        (
            "a 429",
            json!({"status": 429}),
            "Too many requests right now",
        ),
        (
            "truncated JSON",
            json!({"reply": "{\"data\": [", "status": 200}),
            "cannot read",
        ),
        (
            "wrong types",
            json!({"reply": {"data": [{"id": "lead_1", "score": "high"}],
                            "meta": {"page": 1, "limit": 20, "total": 1}}}),
            "cannot read",
        ),
        (
            "a 10 MB answer",
            json!({"pad_bytes": 10_000_000}),
            "far too large",
        ),
        (
            "a connection dropped mid-answer",
            json!({"drop": true}),
            if h.engine.reports_cut_answers() {
                "Could not reach the server"
            } else {
                "cannot read"
            },
        ),
        (
            "an unknown status",
            json!({"reply": {"data": [{"id": "lead_1", "status": "won"}],
                            "meta": {"page": 1, "limit": 20, "total": 1}}}),
            "cannot read",
        ),
    ];
    for (what, fault, message) in broken {
        let mut rule = fault.clone();
        rule["matches"] = json!("GET /v1/leads");
        rule["times"] = json!(1);
        h.inject(rule).await;
        h.open("/").await;
        assert!(
            h.wait_for_text(message).await,
            "{what}: the page reads\n{}",
            h.text().await
        );
        h.click("Retry").await;
        assert_eq!(h.wait_for_rows(&expected).await, expected, "{what}: Retry");
    }
    // Missing fields are no failure: the row shows what it has.
    h.inject(json!({"matches": "GET /v1/leads", "times": 1, "reply": {
        "data": [{"id": "lead_bare"}], "meta": {"page": 1, "limit": 20, "total": 1}}}))
        .await;
    h.open("/").await;
    let bare = h
        .find("tr[data-lead-id='lead_bare']")
        .await
        .text()
        .await
        .unwrap();
    assert!(bare.contains('—'), "missing values read as a dash: {bare}");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_waits_for_retry_after_then_loads_by_itself() {
    let h = Harness::start().await;
    let expected = h.api_ids("").await;
    h.inject(json!({"matches": "GET /v1/leads", "status": 429, "retry_after": 1, "times": 1}))
        .await;
    h.open("/").await;
    assert!(h.wait_for_text("Trying again in a second").await);
    assert_eq!(
        h.wait_for_rows(&expected).await,
        expected,
        "loaded again without Retry"
    );
    assert_eq!(
        h.list_requests().await,
        3,
        "one 429, one retry, the test's own"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_that_never_ends_times_out_with_a_message() {
    let h = Harness::start().await;
    let expected = h.api_ids("").await;
    h.inject(json!({"matches": "GET /v1/leads", "hold": "never", "times": 1}))
        .await;
    h.open("/").await;
    // The console's own limit is 15 s; allow a little more to see it.
    let started = std::time::Instant::now();
    let mut shown = false;
    while !shown && started.elapsed() < std::time::Duration::from_secs(30) {
        shown = h.text().await.contains("did not answer within 15 seconds");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(shown, "the page reads:\n{}", h.text().await);
    h.release("never").await;
    h.click("Retry").await;
    assert_eq!(h.wait_for_rows(&expected).await, expected);
    h.finish().await;
}
