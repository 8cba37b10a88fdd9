//! Proxy mode against a real upstream: a second `leads-server` (SQLite,
//! its own key) on a loopback port stands for the vendor's API. Its fault
//! injector shapes the upstream's answers, so these run in the
//! `test-faults` build (`make test` runs it).
#![cfg(feature = "test-faults")]

mod support;

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use leads_server::upstream::{Upstream, UpstreamKey};
use serde_json::{json, Value};
use support::{
    capture_logs, captured_log, unreachable_base, Options, Reply, RunningServer, TestApp,
};

/// The vendor's key, which must never leave the proxy except upstream.
const UPSTREAM_KEY: &str = "vendor-secret-7Qz9-do-not-leak";

async fn upstream() -> RunningServer {
    capture_logs();
    RunningServer::start(Options {
        demo_leads: 40,
        api_key: Some(UPSTREAM_KEY),
        ..Options::default()
    })
    .await
}

async fn proxy_to(base: &str, timeout: Duration) -> TestApp {
    let key = UpstreamKey::new(&format!("{UPSTREAM_KEY}\n")).unwrap();
    let upstream = Upstream::new(&format!("{base}/v1"), key, timeout).unwrap();
    TestApp::proxy(upstream, Options::default()).await
}

async fn setup() -> (RunningServer, TestApp) {
    let upstream = upstream().await;
    let proxy = proxy_to(&upstream.base, Duration::from_secs(10)).await;
    (upstream, proxy)
}

fn assert_same(through: &Reply, direct: &Reply, what: &str) {
    assert_eq!(through.status, direct.status, "{what}: status");
    assert_eq!(through.text, direct.text, "{what}: body");
    assert_eq!(
        through.headers.get(header::CONTENT_TYPE),
        direct.headers.get(header::CONTENT_TYPE),
        "{what}: content type"
    );
}

#[tokio::test]
async fn lists_gets_and_errors_are_the_upstreams_own() {
    let (upstream, proxy) = setup().await;
    for query in [
        "",
        "?status=new",
        "?source=call&sort=-score&limit=5&page=2",
        "?sort=name&limit=100",
        "?status=contacted&source=sms&sort=-updated_at",
        "?status=bogus",
        "?limit=0",
        "?page=999",
    ] {
        let uri = format!("/v1/leads{query}");
        assert_same(
            &proxy.get(&uri).await,
            &upstream.direct(Method::GET, &uri, None).await,
            &uri,
        );
    }
    for uri in ["/v1/leads/lead_001", "/v1/leads/lead_999", "/v1/leads/nope"] {
        assert_same(
            &proxy.get(uri).await,
            &upstream.direct(Method::GET, uri, None).await,
            uri,
        );
    }
    let delete = proxy
        .send(
            proxy
                .request(Method::DELETE, "/v1/leads/lead_001")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        delete.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "the upstream's 405"
    );
}

#[tokio::test]
async fn creates_and_updates_reach_the_upstream_and_come_back_unchanged() {
    let (upstream, proxy) = setup().await;
    let created = proxy
        .post(json!({"name": "Proxied Lead", "phone": "+15550100200", "tags": ["vip"]}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created.headers[header::LOCATION].to_str().unwrap(),
        format!("/v1/leads/{id}"),
        "the contract's Location, in proxy mode too"
    );
    let stored = upstream
        .direct(Method::GET, &format!("/v1/leads/{id}"), None)
        .await;
    assert_eq!(
        stored.body, created.body,
        "the upstream stored what came back"
    );

    let updated = proxy.patch(&id, json!({"status": "qualified"})).await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(updated.body["status"], "qualified");
    let stored = upstream
        .direct(Method::GET, &format!("/v1/leads/{id}"), None)
        .await;
    assert_eq!(stored.body, updated.body);

    let invalid = proxy.patch(&id, json!({"phone": "555"})).await;
    let direct = upstream
        .direct(
            Method::PATCH,
            &format!("/v1/leads/{id}"),
            Some(&json!({"phone": "555"})),
        )
        .await;
    assert_same(&invalid, &direct, "a 400 with its param");
    assert_eq!(invalid.param(), Some("phone"));
}

#[tokio::test]
async fn the_vendors_short_replies_pass_through_unchanged() {
    let (upstream, proxy) = setup().await;
    let short = json!({"id": "lead_777", "name": "John Doe", "status": "new",
                       "created_at": "2025-03-20T11:30:00Z"});
    upstream
        .inject(json!({"matches": "POST /v1/leads", "status": 201, "times": 1, "reply": short}))
        .await;
    let created = proxy.post(json!({"name": "John Doe"})).await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.body, short);
    assert_eq!(
        created.headers[header::LOCATION],
        "/v1/leads/lead_777",
        "a vendor that sends no Location still gives one"
    );
    upstream
        .inject(json!({"matches": "GET /v1/leads", "status": 502, "html": true, "times": 1}))
        .await;
    let html = proxy.get("/v1/leads").await;
    assert_eq!(html.status, StatusCode::BAD_GATEWAY);
    assert!(html.text.starts_with("<html>"), "{}", html.text);
}

#[tokio::test]
async fn a_body_over_64_kib_stops_at_the_proxy() {
    let (upstream, proxy) = setup().await;
    let huge = "x".repeat(10 * 1024 * 1024);
    let reply = proxy
        .send(
            proxy
                .request(Method::POST, "/v1/leads")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(format!("{{\"name\":\"{huge}\"}}")))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.body["error"]["type"], "payload_too_large");
    assert!(
        upstream
            .received()
            .await
            .iter()
            .all(|r| r["method"] != "POST"),
        "nothing was forwarded"
    );
}

#[tokio::test]
async fn a_slow_upstream_is_a_504_and_a_dead_one_a_502() {
    let upstream = upstream().await;
    let proxy = proxy_to(&upstream.base, Duration::from_millis(300)).await;
    upstream
        .inject(json!({"matches": "GET /v1/leads", "delay_ms": 3000, "times": 1}))
        .await;
    let slow = proxy.get("/v1/leads").await;
    assert_eq!(slow.status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(slow.body["error"]["type"], "gateway_timeout");
    assert!(
        slow.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("did not answer"),
        "{}",
        slow.text
    );

    let dead = proxy_to(&unreachable_base(), Duration::from_secs(5))
        .await
        .get("/v1/leads")
        .await;
    assert_eq!(dead.status, StatusCode::BAD_GATEWAY);
    assert_eq!(dead.body["error"]["type"], "bad_gateway");
    assert!(dead.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("could not be reached"));
}

#[tokio::test]
async fn only_the_upstream_key_goes_upstream_never_the_browsers_credentials() {
    let (upstream, proxy) = setup().await;
    let reply = proxy
        .send(
            proxy
                .request(Method::GET, "/v1/leads?limit=1")
                .header(header::AUTHORIZATION, "Bearer the-browsers-own-key")
                .header(header::COOKIE, "session=abc")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "the upstream took the proxy's key"
    );
    let received = upstream.received().await;
    let headers: Vec<&str> = received[0]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(!headers.contains(&"cookie"), "{headers:?}");
    assert_eq!(
        headers.iter().filter(|h| **h == "authorization").count(),
        1,
        "{headers:?}"
    );
}

#[tokio::test]
async fn search_is_not_offered_and_a_search_is_refused_not_passed_on() {
    let (upstream, proxy) = setup().await;
    assert_eq!(proxy.get("/config.json").await.body["search"], json!(false));
    for query in ["q=ann", "status=new&tag=vip", "Q=x&q=y"] {
        let reply = proxy.get(&format!("/v1/leads?{query}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        let param = reply.param().unwrap_or_default().to_owned();
        assert!(param == "q" || param == "tag", "{query}: {}", reply.text);
        assert!(reply.text.contains("no search"), "{}", reply.text);
    }
    assert_eq!(
        upstream.received().await,
        Vec::<Value>::new(),
        "nothing reached the vendor"
    );
}

#[tokio::test]
async fn an_id_that_no_lead_can_have_is_a_404_and_never_forwarded() {
    let (upstream, proxy) = setup().await;
    let probes = [
        "..",
        "%2e%2e",
        "%2E%2E",
        "..%2F..%2Fadmin",
        "..%2Fother",
        "lead_900%2F..%2F..%2Fadmin",
        "..%2F..%2Fconfig.json",
        "lead_001%2F..%2F..%2F_test%2Frequests",
        "lead_001%3Fstatus=new",
        "lead_001%5C..%5Cadmin",
        "lead.001",
        "_lead",
    ];
    for id in probes {
        let uri = format!("/v1/leads/{id}");
        let got = proxy.get(&uri).await;
        let patched = proxy.patch(id, json!({"status": "contacted"})).await;
        for reply in [got, patched] {
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}: {}", reply.text);
            assert_eq!(reply.body["error"]["type"], "not_found", "{uri}");
            assert!(!reply.text.contains(".."), "{uri}: echoed: {}", reply.text);
        }
    }
    assert_eq!(
        upstream.received().await,
        Vec::<Value>::new(),
        "nothing reached the vendor"
    );
    let log = captured_log();
    for id in probes.iter().filter(|id| id.contains('%')) {
        assert!(!log.contains(id), "{id} is in the log");
    }
    let fine = proxy.get("/v1/leads/lead_001").await;
    assert_eq!(fine.status, StatusCode::OK, "a real id still goes through");
    let other = proxy.get("/v1/other").await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert!(upstream
        .received()
        .await
        .iter()
        .all(|r| r["uri"] != "/v1/other"));
}

#[tokio::test]
async fn the_upstream_key_appears_in_no_answer_and_no_log_line() {
    let upstream = upstream().await;
    let proxy = proxy_to(&upstream.base, Duration::from_millis(300)).await;
    let dead = proxy_to(&unreachable_base(), Duration::from_secs(5)).await;
    upstream
        .inject(json!({"matches": "GET /v1/leads?status=new", "delay_ms": 2000, "times": 1}))
        .await;
    let mut replies = vec![
        proxy.get("/v1/leads").await,
        proxy.get("/v1/leads?status=new").await,
        proxy.get("/v1/leads/lead_001").await,
        proxy.post(json!({"name": "Key Check"})).await,
        proxy.post(json!({"name": ""})).await,
        proxy.get("/config.json").await,
        proxy.get("/").await,
        dead.get("/v1/leads").await,
    ];
    replies.push(proxy.patch("lead_001", json!({"bogus": 1})).await);
    for reply in &replies {
        assert!(!reply.text.contains(UPSTREAM_KEY), "{}", reply.text);
        for (name, value) in &reply.headers {
            assert!(
                !value.to_str().unwrap_or_default().contains(UPSTREAM_KEY),
                "header {name}"
            );
        }
    }
    let log = captured_log();
    assert!(log.contains("request"), "the log was captured");
    assert!(!log.contains(UPSTREAM_KEY), "the key is in the log");
    assert!(
        !format!("{:?}", UpstreamKey::new(UPSTREAM_KEY).unwrap()).contains(UPSTREAM_KEY),
        "Debug hides the key"
    );
}

#[tokio::test]
async fn in_proxy_mode_webhook_leads_and_updates_are_streamed_without_the_key() {
    use support::live::{deliver_signed, new_lead, open_stream};
    let upstream = upstream().await;
    let secrets = tempfile::tempdir().unwrap();
    let secret_file = secrets.path().join("secret");
    std::fs::write(&secret_file, "proxy-whsec").unwrap();
    let key = UpstreamKey::new(UPSTREAM_KEY).unwrap();
    let proxy = TestApp::proxy_with_config(
        Upstream::new(
            &format!("{}/v1", upstream.base),
            key,
            Duration::from_secs(10),
        )
        .unwrap(),
        Options::default(),
        |config| config.webhook_secret_file = Some(secret_file),
    )
    .await;
    let mut stream = open_stream(&proxy, None).await;
    stream
        .next(Duration::from_secs(5))
        .await
        .expect("a position");
    let before = upstream.direct(Method::GET, "/v1/leads", None).await;

    let body = new_lead("evt_p1", json!({"id": "vendor_42", "name": "Via Vendor"}));
    let reply = deliver_signed(&proxy, "proxy-whsec", &body).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text);
    let created = stream.next_event(Duration::from_secs(5)).await.unwrap();
    assert_eq!(created.event.as_deref(), Some("lead.created"));
    assert_eq!(created.json()["id"], "vendor_42");
    assert_eq!(created.json()["status"], "new");
    let after = upstream.direct(Method::GET, "/v1/leads", None).await;
    assert_eq!(
        after.body["meta"], before.body["meta"],
        "only broadcast: the vendor has it"
    );
    let again = deliver_signed(&proxy, "proxy-whsec", &body).await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "a retried delivery is acknowledged"
    );

    let updated = proxy
        .patch("lead_001", json!({"status": "converted"}))
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    let event = stream.next_event(Duration::from_secs(5)).await.unwrap();
    assert_eq!(event.event.as_deref(), Some("lead.updated"));
    assert_eq!(
        event.json()["fields"],
        json!(["status"]),
        "what the request set"
    );
    assert_eq!(event.json()["lead"], updated.body);
    for block in [&created, &event] {
        assert!(!format!("{block:?}").contains(UPSTREAM_KEY));
    }
    assert_eq!(
        stream.next_event(Duration::from_millis(300)).await,
        None,
        "one of each"
    );
}

/// A create whose answer is lost on the way back (the lead is stored, the
/// connection breaks) and is sent again with its `Idempotency-Key`.
#[tokio::test]
async fn a_create_whose_answer_was_lost_is_answered_again_not_made_twice() {
    let (upstream, proxy) = setup().await;
    upstream
        .inject(json!({"matches": "POST /v1/leads", "drop": true, "after": true, "times": 1}))
        .await;
    let http = reqwest::Client::new();
    let body = json!({"name": "Dropped Call"}).to_string();
    let send = || {
        http.post(format!("{}/v1/leads", upstream.base))
            .bearer_auth(upstream.key)
            .header("content-type", "application/json")
            .header("idempotency-key", "retry-1")
            .body(body.clone())
            .send()
    };
    let lost = async { send().await?.bytes().await }.await;
    assert!(lost.is_err(), "the first answer broke off: {lost:?}");
    let again = send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let list = upstream
        .direct(Method::GET, "/v1/leads?sort=-created_at&limit=100", None)
        .await;
    let named = |name: &str| {
        list.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|lead| lead["name"] == name)
            .count()
    };
    assert_eq!(named("Dropped Call"), 1, "one lead, not two");

    // Through the proxy the repeat is answered here, never sent on again,
    // and the key goes to the vendor with the create.
    let create = || {
        proxy
            .request(Method::POST, "/v1/leads")
            .header(header::CONTENT_TYPE, "application/json")
            .header("idempotency-key", "retry-2")
            .body(Body::from(json!({"name": "Through The Proxy"}).to_string()))
            .unwrap()
    };
    let first = proxy.send(create()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let second = proxy.send(create()).await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(second.text, first.text);
    assert_eq!(
        second.headers[header::LOCATION],
        first.headers[header::LOCATION]
    );
    let forwarded: Vec<Value> = upstream
        .received()
        .await
        .into_iter()
        .filter(|r| {
            r["body"]
                .as_str()
                .unwrap_or("")
                .contains("Through The Proxy")
        })
        .collect();
    assert_eq!(forwarded.len(), 1, "{forwarded:?}");
    assert!(
        forwarded[0]["headers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|name| name == "idempotency-key"),
        "{forwarded:?}"
    );
}
