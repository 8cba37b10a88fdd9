//! Live events against the real router on real SQLite: the `new_lead`
//! webhook (signatures, replay window, idempotency, storage) and the
//! `/v1/events` stream (order, resume with `Last-Event-ID`, `reset`,
//! keep-alive, the per-client limit, sign-in).

mod support;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use support::live::{
    deliver_raw, deliver_signed, deliver_signed_at, new_lead, open_raw, open_stream, signature,
    Block, Reader,
};
use support::{Options, TestApp};

const SECRET: &str = "whsec_test_5b1f";
const SOON: Duration = Duration::from_secs(5);
/// How long to listen for something that must not come.
const QUIET: Duration = Duration::from_millis(300);

/// An app taking the webhook with [`SECRET`] (the file ends in a newline,
/// as editors leave it), and any further settings.
async fn app_with(options: Options, edit: impl FnOnce(&mut leads_server::Config)) -> TestApp {
    let secrets = tempfile::tempdir().unwrap();
    let path = secrets.path().join("webhook-secret");
    std::fs::write(&path, format!("{SECRET}\n")).unwrap();
    let app = TestApp::with_config(options, |config| {
        config.webhook_secret_file = Some(path);
        edit(config);
    })
    .await;
    drop(secrets);
    app
}

async fn app() -> TestApp {
    app_with(Options::default(), |_| {}).await
}

/// The stream's first block: its position, an id and no event.
async fn position(stream: &mut Reader<Body>) -> String {
    let first = stream.next(SOON).await.expect("the stream's position");
    assert_eq!(first.event, None, "{first:?}");
    first.id.expect("the position is an id")
}

async fn total(app: &TestApp) -> u64 {
    app.get("/v1/leads?limit=1").await.body["meta"]["total"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn a_signed_new_lead_is_stored_under_its_id_and_streamed_once() {
    let app = app().await;
    let mut stream = open_stream(&app, None).await;
    let start = position(&mut stream).await;
    let body = new_lead(
        "evt_001",
        json!({"id": "call_7f3a", "phone": "+15550001111", "source": "call",
               "created_at": "2026-11-26T12:00:00.5+01:00", "recording": "ignored"}),
    );
    let reply = deliver_signed(&app, SECRET, &body).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text);

    let stored = app.get("/v1/leads/call_7f3a").await;
    assert_eq!(stored.status, StatusCode::OK);
    assert_eq!(stored.body["name"], "+15550001111", "named by its phone");
    assert_eq!(stored.body["status"], "new");
    assert_eq!(stored.body["source"], "call");
    assert_eq!(stored.body["score"], Value::Null);
    assert_eq!(stored.body["tags"], json!([]));
    assert_eq!(stored.body["created_at"], "2026-11-26T11:00:00Z");
    assert_eq!(stored.body["updated_at"], "2026-11-26T11:00:00Z");

    let event = stream.next_event(SOON).await.expect("lead.created");
    assert_eq!(event.event.as_deref(), Some("lead.created"));
    assert!(event.id.as_deref().unwrap() > start.as_str());
    assert_eq!(event.json(), stored.body, "the event is the stored lead");

    let again = deliver_signed(&app, SECRET, &body).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(again.body["outcome"], "duplicate");
    assert_eq!(total(&app).await, 1);
    assert_eq!(stream.next_event(QUIET).await, None, "one event, not two");

    // A new delivery of a lead that is already stored changes nothing.
    let renamed = new_lead("evt_002", json!({"id": "call_7f3a", "name": "Mallory"}));
    let reply = deliver_signed(&app, SECRET, &renamed).await;
    assert_eq!(
        (reply.status, reply.body["outcome"].as_str()),
        (StatusCode::OK, Some("lead_exists"))
    );
    assert_eq!(
        app.get("/v1/leads/call_7f3a").await.body["name"],
        "+15550001111"
    );
    assert_eq!(stream.next_event(QUIET).await, None);

    // Minting passes over an id a webhook took.
    deliver_signed(
        &app,
        SECRET,
        &new_lead("evt_003", json!({"id": "lead_002"})),
    )
    .await;
    let created = app.post(json!({"name": "Typed in"})).await;
    assert_eq!(created.body["id"], "lead_003");
}

#[tokio::test]
async fn unsigned_forged_and_stale_deliveries_change_nothing() {
    let app = app().await;
    let mut stream = open_stream(&app, None).await;
    position(&mut stream).await;
    let body = new_lead("evt_x", json!({"id": "ld_1", "name": "Forged"}));
    let (timestamp, good) = signature(SECRET, &body, 0);
    let (_, other_body) = signature(SECRET, "{}", 0);
    let (_, wrong_secret) = signature("not-the-secret", &body, 0);
    let refused = [
        ("no headers", vec![]),
        (
            "no signature",
            vec![("x-leads-timestamp", timestamp.clone())],
        ),
        ("no timestamp", vec![("x-leads-signature", good.clone())]),
        (
            "another body's signature",
            vec![
                ("x-leads-timestamp", timestamp.clone()),
                ("x-leads-signature", other_body),
            ],
        ),
        (
            "another secret",
            vec![
                ("x-leads-timestamp", timestamp.clone()),
                ("x-leads-signature", wrong_secret),
            ],
        ),
        (
            "bare hex",
            vec![
                ("x-leads-timestamp", timestamp.clone()),
                (
                    "x-leads-signature",
                    good.trim_start_matches("sha256=").to_owned(),
                ),
            ],
        ),
        (
            "the earliest timestamp there is",
            vec![
                ("x-leads-timestamp", i64::MIN.to_string()),
                ("x-leads-signature", good.clone()),
            ],
        ),
        (
            "a timestamp the signature does not cover",
            vec![
                ("x-leads-timestamp", "1".to_owned()),
                ("x-leads-signature", good.clone()),
            ],
        ),
    ];
    for (what, headers) in refused {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let reply = deliver_raw(&app, &body, &headers).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{what}");
        assert_eq!(reply.body["error"]["type"], "unauthorized", "{what}");
    }
    for (what, age) in [("301 s old", 301), ("301 s ahead", -301)] {
        let reply = deliver_signed_at(&app, &body, SECRET, age).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{what}");
        assert!(reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("300 seconds"));
    }
    assert_eq!(total(&app).await, 0);
    assert_eq!(stream.next_event(QUIET).await, None, "nothing broadcast");

    // Within the window either way is fine.
    let late = deliver_signed_at(&app, &body, SECRET, 290).await;
    assert_eq!(late.status, StatusCode::ACCEPTED, "{}", late.text);
}

#[tokio::test]
async fn a_signed_body_that_is_not_a_new_lead_event_is_a_400_naming_the_place() {
    let app = app().await;
    for (body, param) in [
        (
            json!({"type": "lead_lost", "id": "e", "data": {"id": "a"}}).to_string(),
            Some("type"),
        ),
        (
            new_lead("e", json!({"id": "a", "phone": "555"})),
            Some("data.phone"),
        ),
        (
            new_lead("e", json!({"id": "a", "created_at": "last tuesday"})),
            Some("data.created_at"),
        ),
        (new_lead("e", json!({"name": "No id"})), Some("data.id")),
        ("[1]".to_owned(), None),
        ("{".to_owned(), None),
    ] {
        let reply = deliver_signed(&app, SECRET, &body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.body["error"]["type"], "invalid_request", "{body}");
        assert_eq!(reply.param(), param, "{body}");
    }
    let huge = new_lead("e", json!({"id": "a", "name": "x".repeat(70 * 1024)}));
    assert_eq!(
        deliver_signed(&app, SECRET, &huge).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(total(&app).await, 0);
    // A refused event id can be delivered again, fixed.
    let fixed = deliver_signed(&app, SECRET, &new_lead("e", json!({"id": "a"}))).await;
    assert_eq!(fixed.status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn without_a_secret_the_webhook_is_not_there() {
    let app = TestApp::new().await;
    let reply = deliver_signed(&app, SECRET, &new_lead("e", json!({"id": "a"}))).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.body["error"]["type"], "not_found");
}

#[tokio::test]
async fn api_writes_stream_in_order_and_a_client_resumes_after_its_last_id() {
    let app = app().await;
    let mut stream = open_stream(&app, None).await;
    let start = position(&mut stream).await;
    let created = app.post(json!({"name": "Ann", "tags": ["a"]})).await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    app.patch(&id, json!({"tags": ["a", "b"], "name": "Ann"}))
        .await;
    let first = stream.next_event(SOON).await.unwrap();
    let second = stream.next_event(SOON).await.unwrap();
    assert_eq!(first.event.as_deref(), Some("lead.created"));
    assert_eq!(first.json()["name"], "Ann");
    assert_eq!(second.event.as_deref(), Some("lead.updated"));
    assert_eq!(
        second.json(),
        json!({"id": id, "fields": ["tags"], "lead": app.get(&format!("/v1/leads/{id}")).await.body})
    );
    drop(stream);

    // Missed while away: resumed from the first event.
    app.patch(&id, json!({"status": "qualified"})).await;
    let mut resumed = open_stream(&app, first.id.as_deref()).await;
    let position = position(&mut resumed).await;
    assert!(position >= start);
    let again = resumed.next_event(SOON).await.unwrap();
    assert_eq!(again, second, "the same event, the same id");
    let missed = resumed.next_event(SOON).await.unwrap();
    assert_eq!(missed.json()["fields"], json!(["status"]));
    assert_eq!(resumed.next_event(QUIET).await, None);

    // An id this database never gave, or no id at all: reset.
    for stale in ["99999", "yesterday", "18446744073709551615"] {
        let mut stream = open_stream(&app, Some(stale)).await;
        let reset = stream.next(SOON).await.unwrap();
        assert_eq!(reset.event.as_deref(), Some("reset"), "{stale}");
        assert_eq!(reset.id, missed.id, "{stale}: it carries the newest id");
    }
}

#[tokio::test]
async fn a_client_resumes_across_a_restart_from_the_databases_log() {
    let app = app().await;
    let mut stream = open_stream(&app, None).await;
    let before = position(&mut stream).await;
    app.post(json!({"name": "Kept Across"})).await;
    let created = stream.next_event(SOON).await.unwrap();
    drop(stream);
    let restarted = TestApp::reopen(app.into_dir()).await;
    let mut resumed = open_stream(&restarted, Some(&before)).await;
    assert_eq!(position(&mut resumed).await, created.id.clone().unwrap());
    assert_eq!(
        resumed.next_event(SOON).await.unwrap(),
        created,
        "the same event, the same id"
    );
    assert_eq!(resumed.next_event(QUIET).await, None);
}

#[tokio::test]
async fn idle_streams_get_keep_alive_comments() {
    let app = app_with(Options::default(), |config| {
        config.events_keep_alive = Duration::from_millis(200);
    })
    .await;
    let mut stream = open_stream(&app, None).await;
    position(&mut stream).await;
    assert_eq!(
        stream.keep_alive,
        Some(200),
        "the stream says how often keep-alives come"
    );
    let block = stream.next(SOON).await.expect("a keep-alive");
    assert_eq!(
        block,
        Block {
            comment: Some("keep-alive".into()),
            ..Block::default()
        }
    );
}

#[tokio::test]
async fn each_client_may_hold_only_so_many_streams() {
    let app = app_with(Options::default(), |config| {
        config.max_event_streams = 2;
    })
    .await;
    let first = open_stream(&app, None).await;
    let _second = open_stream(&app, None).await;
    let refused = open_raw(&app, None).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let body = axum::body::to_bytes(refused.into_body(), usize::MAX)
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"]["type"], "rate_limited");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("2 live event streams"));
    drop(first);
    let _third = open_stream(&app, None).await;
}

#[tokio::test]
async fn the_stream_needs_the_same_sign_in_as_the_api() {
    let app = app_with(
        Options {
            api_key: Some("staff-key-1"),
            ..Options::default()
        },
        |_| {},
    )
    .await;
    let anonymous = app
        .send(
            Request::builder()
                .uri("/v1/events")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let mut stream = open_stream(&app, None).await;
    position(&mut stream).await;
    // The webhook is signed, not signed in.
    let reply = deliver_signed(&app, SECRET, &new_lead("e", json!({"id": "a"}))).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert!(stream.next_event(SOON).await.is_some());
}

#[tokio::test]
async fn a_stream_that_falls_too_far_behind_is_told_to_reload_and_carries_on() {
    let app = app().await;
    let mut slow = open_stream(&app, None).await;
    let start: u64 = position(&mut slow).await.parse().unwrap();
    // More events than are kept arrive while the slow stream reads nothing.
    for n in 0..1100 {
        app.events
            .announce(leads_server::event::LeadEvent::Created(
                leads_core::PartialLead {
                    id: format!("burst_{n}"),
                    ..leads_core::PartialLead::default()
                },
            ))
            .await;
    }
    // Held until the server has followed every one from its log.
    while app.events.latest() < start + 1100 {
        tokio::task::yield_now().await;
    }
    let first = slow.next_event(SOON).await.unwrap();
    assert_eq!(first.event.as_deref(), Some("reset"));
    assert_eq!(first.id, Some(app.events.latest().to_string()));
    app.post(json!({"name": "After"})).await;
    let next = slow.next_event(SOON).await.unwrap();
    assert_eq!(
        next.json()["name"],
        "After",
        "and then the stream goes on: {next:?}"
    );
}
