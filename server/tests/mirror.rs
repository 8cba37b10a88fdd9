//! `--mirror`: a `leads-server` keeping a synced copy of another's leads.
//! The vendor is a real `leads-test-server` on its own SQLite file (with
//! the fault injector, and killed and started again on the same port); the
//! copy is the real `leads-server` binary, on SQLite, or on the tests'
//! PostgreSQL with `LEADS_TEST_DATABASE=postgres`. Everything is asked over
//! HTTP, as a console or an operator would.

#![cfg(feature = "test-faults")]

mod support;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::live::{deliver_to, Block, Reader};
use support::process::ServerProcess;
use tempfile::TempDir;

const KEY: &str = "vendor-key";
const SECRET: &str = "mirror-whsec";
/// The copy's `--sync-interval`: short, so a test waits little.
const INTERVAL: Duration = Duration::from_millis(300);
/// Long enough for several passes on a slow machine.
const SOON: Duration = Duration::from_secs(15);

/// The vendor: a server of its own, on a port that stays its own across a
/// restart.
struct Vendor {
    process: ServerProcess,
    dir: TempDir,
    port: u16,
    leads: u32,
    http: reqwest::Client,
}

impl Vendor {
    fn start(leads: u32) -> Vendor {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let process = Self::process(dir.path(), port, leads);
        Vendor {
            process,
            dir,
            port,
            leads,
            http: reqwest::Client::new(),
        }
    }

    fn process(dir: &Path, port: u16, leads: u32) -> ServerProcess {
        let (addr, leads) = (format!("127.0.0.1:{port}"), leads.to_string());
        let secret = dir.join("secret");
        std::fs::write(&secret, SECRET).unwrap();
        ServerProcess::start(
            env!("CARGO_BIN_EXE_leads-test-server"),
            dir,
            &[
                ("LEADS_ADDR", &addr),
                ("LEADS_API_KEY", KEY),
                ("LEADS_DEMO_LEADS", &leads),
                ("LEADS_WEBHOOK_SECRET_FILE", secret.to_str().unwrap()),
            ],
            &["--test-faults"],
        )
    }

    /// `kill -9`: the vendor stops answering at once.
    fn kill(&mut self) {
        self.process.kill_hard();
    }

    /// Started again on its file and port.
    fn restart(&mut self) {
        self.process = Self::process(self.dir.path(), self.port, self.leads);
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A request straight to the vendor, with its key.
    async fn send(&self, method: Method, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{uri}", self.base()))
            .bearer_auth(KEY);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let reply = request.send().await.expect("the vendor answers");
        let status = reply.status();
        let bytes = reply.bytes().await.unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// A change made in the vendor's own app: the lead after it.
    async fn change(&self, id: &str, body: Value) -> Value {
        let (status, lead) = self
            .send(Method::PATCH, &format!("/v1/leads/{id}"), Some(body))
            .await;
        assert_eq!(status, 200, "{lead}");
        lead
    }

    async fn inject(&self, rule: Value) {
        let reply = self
            .http
            .post(format!("{}/_test/faults", self.base()))
            .header("content-type", "application/json")
            .body(rule.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 204);
    }

    async fn release(&self, gate: &str) {
        self.http
            .post(format!("{}/_test/release", self.base()))
            .header("content-type", "application/json")
            .body(json!({ "gate": gate }).to_string())
            .send()
            .await
            .unwrap();
    }

    /// The `/v1` requests it received, in order.
    async fn requests(&self) -> Vec<Value> {
        let reply = self
            .http
            .get(format!("{}/_test/requests", self.base()))
            .send()
            .await
            .unwrap();
        serde_json::from_slice(&reply.bytes().await.unwrap()).unwrap()
    }

    /// The vendor's `new_lead` webhook, as its capture of a call.
    async fn capture(&self, event_id: &str, lead: Value) -> u16 {
        deliver(&self.base(), event_id, lead).await
    }

    /// A status lead `id` does not have, and its stored number.
    async fn other_status(&self, id: &str) -> (&'static str, u8) {
        let (_, lead) = self
            .send(Method::GET, &format!("/v1/leads/{id}"), None)
            .await;
        if lead["status"] == "converted" {
            ("new", 0)
        } else {
            ("converted", 3)
        }
    }

    /// A write to the vendor's own file, as its app would make under a
    /// clock that stepped back: what no request to it can do.
    fn write_directly(&self, sql: &str) {
        let conn = rusqlite::Connection::open(self.dir.path().join("leads.db")).unwrap();
        conn.busy_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!(conn.execute(sql, []).unwrap(), 1, "{sql}");
    }
}

/// Delivers the `new_lead` event `event_id` to `base`'s webhook; its status.
async fn deliver(base: &str, event_id: &str, lead: Value) -> u16 {
    deliver_to(base, SECRET, event_id, lead).await
}

/// The copy of `vendor`'s leads, with `more` flags.
async fn mirror(vendor: &Vendor, more: &[&str]) -> (ServerProcess, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret"), SECRET).unwrap();
    let upstream = format!("{}/v1", vendor.base());
    let secret = dir.path().join("secret");
    let interval = format!("{}ms", INTERVAL.as_millis());
    let mut env = vec![
        ("LEADS_UPSTREAM", upstream.as_str()),
        ("LEADS_UPSTREAM_KEY", KEY),
        ("LEADS_SYNC_INTERVAL", interval.as_str()),
        ("LEADS_SYNC_MAX_RPS", "50"),
        ("LEADS_WEBHOOK_SECRET_FILE", secret.to_str().unwrap()),
    ];
    let url;
    if support::postgres::chosen() {
        url = support::postgres::new_database().await;
        env.push(("LEADS_DATABASE_URL", &url));
    }
    let mut args = vec!["--mirror"];
    args.extend_from_slice(more);
    let process = ServerProcess::start(env!("CARGO_BIN_EXE_leads-server"), dir.path(), &env, &args);
    (process, dir)
}

/// An answer from the copy: status, headers, body.
async fn get(base: &str, uri: &str) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let reply = reqwest::get(format!("{base}{uri}")).await.unwrap();
    let (status, headers) = (reply.status(), reply.headers().clone());
    let bytes = reply.bytes().await.unwrap();
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Waits until `check` holds for what `base` answers to `uri`.
async fn until(
    base: &str,
    uri: &str,
    what: &str,
    check: impl Fn(&reqwest::header::HeaderMap, &Value) -> bool,
) -> Value {
    let deadline = Instant::now() + SOON;
    loop {
        let (_, headers, body) = get(base, uri).await;
        if check(&headers, &body) {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: {uri} still answers {body}"
        );
        tokio::time::sleep(INTERVAL / 3).await;
    }
}

/// Waits for the copy's first walk to end: lists then come from it.
async fn complete(base: &str) {
    until(base, "/v1/leads?limit=1", "the first walk", |headers, _| {
        headers.contains_key("x-leads-synced-at")
    })
    .await;
}

/// Every lead `base` lists, in creation order; with `key` for the vendor.
async fn every_lead(base: &str, key: Option<&str>) -> Vec<Value> {
    let http = reqwest::Client::new();
    let mut leads = Vec::new();
    for page in 1.. {
        let mut request = http.get(format!(
            "{base}/v1/leads?sort=created_at&limit=100&page={page}"
        ));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        let body: Value =
            serde_json::from_slice(&request.send().await.unwrap().bytes().await.unwrap()).unwrap();
        let data = body["data"].as_array().expect("a page").clone();
        if data.is_empty() {
            return leads;
        }
        leads.extend(data);
    }
    unreachable!()
}

/// `/v1/events` on `base`, past its first block.
async fn stream(base: &str) -> Reader<reqwest::Response> {
    let reply = reqwest::get(format!("{base}/v1/events")).await.unwrap();
    let mut reader = Reader::new(reply);
    reader.next(SOON).await.expect("the stream's position");
    reader
}

/// Every event `reader` gives until `quiet` passes without one.
async fn events_until_quiet(reader: &mut Reader<reqwest::Response>, quiet: Duration) -> Vec<Block> {
    let mut events = Vec::new();
    while let Some(event) = reader.next_event(quiet).await {
        events.push(event);
    }
    events
}

/// What an event says: its name, lead id and fields.
fn summary(event: &Block) -> (String, String, Value) {
    let data = event.json();
    let name = event.event.clone().unwrap_or_default();
    match name.as_str() {
        "lead.updated" => (
            name,
            data["id"].as_str().unwrap().to_owned(),
            data["fields"].clone(),
        ),
        _ => (name, data["id"].as_str().unwrap().to_owned(), Value::Null),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_made_at_the_vendor_reaches_the_copy_and_open_streams_once() {
    let vendor = Vendor::start(250);
    let (copy, _dir) = mirror(&vendor, &[]).await;
    complete(&copy.base).await;
    let mut events = stream(&copy.base).await;

    let (_, before) = vendor.send(Method::GET, "/v1/leads/lead_042", None).await;
    let status = if before["status"] == "converted" {
        "new"
    } else {
        "converted"
    };
    vendor
        .change(
            "lead_042",
            json!({"status": status, "tags": ["vip", "Spring"], "name": "Renamed At Vendor"}),
        )
        .await;
    let changed = events
        .next_event(SOON)
        .await
        .expect("the vendor's change, announced");
    assert_eq!(
        summary(&changed),
        (
            "lead.updated".into(),
            "lead_042".into(),
            json!(["name", "status", "tags"])
        )
    );
    assert_eq!(changed.json()["lead"]["status"], status);
    let (status, headers, lead) = get(&copy.base, "/v1/leads/lead_042").await;
    assert_eq!(status, 200);
    assert!(headers.contains_key("x-leads-synced-at"));
    assert!(!headers.contains_key("x-leads-stale"));
    assert_eq!(lead["name"], "Renamed At Vendor");
    let (_, _, tagged) = get(&copy.base, "/v1/leads?tag=spring&q=renamed").await;
    assert_eq!(tagged["meta"]["total"], 1, "the copy searches what it took");

    // Two changes in one second (and no full walk for an hour here, so
    // following alone must find them): the second has the first's time.
    let (status, _) = vendor.other_status("lead_010").await;
    let first = vendor.change("lead_010", json!({ "status": status })).await;
    let announced = events.next_event(SOON).await.expect("the first change");
    assert_eq!(summary(&announced).2, json!(["status"]));
    vendor.write_directly(&format!(
        "UPDATE leads SET tags = '[\"same-second\"]' WHERE id = 'lead_010' AND updated_at = '{}'",
        first["updated_at"].as_str().unwrap()
    ));
    let second = events
        .next_event(SOON)
        .await
        .expect("the change in the same second");
    assert_eq!(
        summary(&second),
        ("lead.updated".into(), "lead_010".into(), json!(["tags"]))
    );

    // A change stamped before the newest one seen (a clock stepped back
    // a few seconds): within the margin, the next pass finds it.
    let newest = first["updated_at"].as_str().unwrap();
    let stepped = shifted(newest, -3);
    let (_, rank) = vendor.other_status("lead_020").await;
    vendor.write_directly(&format!(
        "UPDATE leads SET status = {rank}, updated_at = '{stepped}' WHERE id = 'lead_020'"
    ));
    let step = events
        .next_event(SOON)
        .await
        .expect("the change stamped 3 s back");
    assert_eq!(
        summary(&step),
        ("lead.updated".into(), "lead_020".into(), json!(["status"]))
    );
    // Passes go on reading the change again (it is inside the margin):
    // nothing more is announced.
    let more = events_until_quiet(&mut events, INTERVAL * 6).await;
    assert!(
        more.is_empty(),
        "announced again: {:?}",
        more.iter().map(summary).collect::<Vec<_>>()
    );
    assert_eq!(
        every_lead(&copy.base, None).await,
        every_lead(&vendor.base(), Some(KEY)).await
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_search_of_the_copy_lists_what_the_vendors_own_search_lists() {
    let vendor = Vendor::start(400);
    vendor
        .change(
            "lead_007",
            json!({"name": "José Fernández", "tags": ["VIP"]}),
        )
        .await;
    vendor
        .change("lead_300", json!({"tags": ["vip", "callback"]}))
        .await;
    let (copy, _dir) = mirror(&vendor, &[]).await;
    complete(&copy.base).await;
    for query in [
        "q=smith",
        "q=jose",
        "q=fern%C3%A1ndez&sort=name",
        "q=555",
        "q=son&status=new&sort=-score",
        "tag=vip",
        "tag=vip&q=e&sort=updated_at",
        "source=call&sort=status&page=2",
        "sort=-score&limit=100&page=3",
    ] {
        let uri = format!("/v1/leads?{query}");
        let (_, vendors) = vendor.send(Method::GET, &uri, None).await;
        let (status, headers, ours) = get(&copy.base, &uri).await;
        assert_eq!(status, 200, "{query}");
        assert!(
            headers.contains_key("x-leads-synced-at"),
            "{query}: served from the copy"
        );
        assert_eq!(ours, vendors, "{query}");
    }
    let (_, config) = {
        let (status, _, body) = get(&copy.base, "/config.json").await;
        (status, body)
    };
    assert_eq!(
        config["search"], true,
        "consoles offer search over the copy"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_vendor_down_the_copy_answers_stale_and_writes_say_why() {
    let mut vendor = Vendor::start(30);
    let (copy, _dir) = mirror(&vendor, &[]).await;
    complete(&copy.base).await;
    let (_, headers, before) = get(&copy.base, "/v1/leads?q=a").await;
    let synced_at = headers["x-leads-synced-at"].to_str().unwrap().to_owned();
    let (_, _, lead) = get(&copy.base, "/v1/leads/lead_003").await;

    vendor.kill();
    let stale = until(&copy.base, "/v1/leads?q=a", "marked stale", |headers, _| {
        headers.get("x-leads-stale").is_some_and(|v| v == "true")
    })
    .await;
    assert_eq!(stale, before, "the copy still answers, search included");
    let (_, headers, _) = get(&copy.base, "/v1/leads/lead_003").await;
    assert_eq!(headers["x-leads-stale"], "true");
    assert!(headers["x-leads-synced-at"].to_str().unwrap() >= synced_at.as_str());
    let (status, _, ready) = get(&copy.base, "/readyz").await;
    assert_eq!(
        (status, &ready["status"]),
        (StatusCode::OK, &json!("ready")),
        "a blip within --max-staleness"
    );
    let state = ready["sync"]["state"].as_str().unwrap_or_default();
    assert!(state.starts_with("vendor unreachable since"), "{ready}");
    assert!(
        ready["sync"]["problem"]
            .as_str()
            .unwrap_or_default()
            .contains("the vendor's API"),
        "{ready}"
    );
    let save = reqwest::Client::new()
        .patch(format!("{}/v1/leads/lead_003", copy.base))
        .header("content-type", "application/json")
        .body(json!({"status": "contacted"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(save.status(), 502);
    let error: Value = serde_json::from_slice(&save.bytes().await.unwrap()).unwrap();
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.contains("could not be reached"), "{error}");
    let (_, _, unchanged) = get(&copy.base, "/v1/leads/lead_003").await;
    assert_eq!(
        unchanged, lead,
        "a write the vendor did not take is not in the copy"
    );

    vendor.restart();
    vendor
        .change("lead_003", json!({"status": "qualified"}))
        .await;
    let caught_up = until(
        &copy.base,
        "/v1/leads/lead_003",
        "caught up",
        |headers, lead| !headers.contains_key("x-leads-stale") && lead["status"] == "qualified",
    )
    .await;
    assert_eq!(caught_up["status"], "qualified");
    let (_, _, ready) = get(&copy.base, "/readyz").await;
    assert_eq!(ready["sync"]["state"], "following", "{ready}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_copy_ends_equal_through_shifting_pages_same_second_changes_clock_steps_and_429s() {
    let vendor = Vendor::start(250);
    // The walk's second page waits until leads were made mid-walk: one at
    // the end of the creation order, and one (by webhook, with its own
    // old time) in the middle, which moves every later lead a place on.
    vendor
        .inject(json!({"matches": "sort=created_at&limit=100&page=2", "hold": "walk", "times": 1}))
        .await;
    let (copy, _dir) = mirror(&vendor, &["--full-sync-every", "2s"]).await;
    let deadline = Instant::now() + SOON;
    while !vendor
        .requests()
        .await
        .iter()
        .any(|r| r["uri"].as_str().unwrap().contains("page=2"))
    {
        assert!(Instant::now() < deadline, "the walk reaches page 2");
        tokio::time::sleep(INTERVAL / 3).await;
    }
    let (status, late) = vendor
        .send(
            Method::POST,
            "/v1/leads",
            Some(json!({"name": "Made Mid-Walk"})),
        )
        .await;
    assert_eq!(status, 201);
    let early = json!({"id": "ld-early", "name": "Captured Early",
                       "created_at": "2020-01-01T00:00:00Z"});
    assert_eq!(vendor.capture("evt_early", early).await, 202);
    vendor.release("walk").await;
    complete(&copy.base).await;
    // The early lead came before the page the walk had read: the walk
    // after it (every 2 s here) finds it.
    for search in ["made%20mid", "captured%20early"] {
        until(
            &copy.base,
            &format!("/v1/leads?q={search}"),
            search,
            |_, page| page["meta"]["total"] == 1,
        )
        .await;
    }
    let mut events = stream(&copy.base).await;

    let (status, _) = vendor.other_status("lead_010").await;
    let first = vendor.change("lead_010", json!({ "status": status })).await;
    let announced = events.next_event(SOON).await.expect("the change");
    assert_eq!(summary(&announced).2, json!(["status"]));
    let newest = first["updated_at"].as_str().unwrap();
    // An hour back: only the next full walk (every 2 s here) finds it.
    let hour_back = shifted(newest, -3600);
    let (_, rank) = vendor.other_status("lead_030").await;
    vendor.write_directly(&format!(
        "UPDATE leads SET status = {rank}, updated_at = '{hour_back}' WHERE id = 'lead_030'"
    ));
    let walked = events
        .next_event(SOON)
        .await
        .expect("the change stamped an hour back");
    assert_eq!(
        summary(&walked),
        ("lead.updated".into(), "lead_030".into(), json!(["status"]))
    );

    // A storm of 429s: the sync waits each Retry-After out.
    vendor
        .inject(
            json!({"matches": "GET /v1/leads?sort=", "status": 429, "retry_after": 1, "times": 3}),
        )
        .await;
    let storm = Instant::now();
    vendor
        .change("lead_040", json!({"name": "After The Storm"}))
        .await;
    let after = events
        .next_event(SOON)
        .await
        .expect("the change after the storm");
    assert_eq!(
        summary(&after),
        ("lead.updated".into(), "lead_040".into(), json!(["name"]))
    );
    assert!(
        storm.elapsed() >= Duration::from_secs(3),
        "three Retry-After: 1 were waited out"
    );

    let ours = every_lead(&copy.base, None).await;
    let theirs = every_lead(&vendor.base(), Some(KEY)).await;
    assert_eq!(ours.len(), 252);
    assert_eq!(ours, theirs, "each lead once, as the vendor has it");
    assert!(ours.iter().any(|lead| lead["id"] == late["id"]));
    let more = events_until_quiet(&mut events, INTERVAL * 8).await;
    assert!(
        more.is_empty(),
        "announced again: {:?}",
        more.iter().map(summary).collect::<Vec<_>>()
    );
}

/// `at` (RFC 3339, UTC, whole seconds) moved by `seconds`.
fn shifted(at: &str, seconds: i64) -> String {
    let at =
        time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).unwrap();
    let moved = at + time::Duration::seconds(seconds);
    moved
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_go_to_the_vendor_first_and_its_short_answers_never_blank_a_field() {
    let vendor = Vendor::start(20);
    let (copy, _dir) = mirror(&vendor, &[]).await;
    complete(&copy.base).await;
    let http = reqwest::Client::new();
    let (_, _, known) = get(&copy.base, "/v1/leads/lead_005").await;

    // The vendor's reference answers an update with five fields only.
    vendor
        .inject(json!({"matches": "PATCH /v1/leads/lead_005", "times": 1,
                       "reply": {"id": "lead_005", "name": known["name"], "status": "qualified",
                                 "tags": ["short"], "updated_at": "2099-01-01T00:00:00Z"}}))
        .await;
    let patched = http
        .patch(format!("{}/v1/leads/lead_005", copy.base))
        .header("content-type", "application/json")
        .body(json!({"status": "qualified", "tags": ["short"]}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    let patched: Value = serde_json::from_slice(&patched.bytes().await.unwrap()).unwrap();
    for field in ["phone", "email", "source", "score", "created_at"] {
        assert_eq!(patched[field], known[field], "{field} kept from the copy");
    }
    assert_eq!(
        (&patched["status"], &patched["tags"]),
        (&json!("qualified"), &json!(["short"]))
    );
    let (_, _, stored) = get(&copy.base, "/v1/leads/lead_005").await;
    assert_eq!(stored, patched);

    // And a create with four.
    vendor
        .inject(
            json!({"matches": "POST /v1/leads", "times": 1, "status": 201,
                       "reply": {"id": "lead_900", "name": "Short Answer", "status": "new",
                                 "created_at": "2026-03-20T11:30:00Z"}}),
        )
        .await;
    let created = http
        .post(format!("{}/v1/leads", copy.base))
        .header("content-type", "application/json")
        .body(json!({"name": "Short Answer", "phone": "+15550001111", "tags": ["new-here"], "source": "referral"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["location"], "/v1/leads/lead_900");
    let created: Value = serde_json::from_slice(&created.bytes().await.unwrap()).unwrap();
    assert_eq!(
        created,
        json!({"id": "lead_900", "name": "Short Answer", "phone": "+15550001111", "email": null,
               "status": "new", "source": "referral", "score": null, "tags": ["new-here"],
               "created_at": "2026-03-20T11:30:00Z", "updated_at": "2026-03-20T11:30:00Z"})
    );
    let (_, _, found) = get(&copy.base, "/v1/leads?q=short%20answer").await;
    assert_eq!(found["meta"]["total"], 1, "in the copy at once");

    // A create the vendor answers whole: the copy holds what it holds.
    let (status, _, _) = get(&copy.base, "/v1/leads?limit=1").await;
    assert_eq!(status, 200);
    let whole = http
        .post(format!("{}/v1/leads", copy.base))
        .header("content-type", "application/json")
        .body(json!({"name": "Whole Answer", "email": "whole@example.com"}).to_string())
        .send()
        .await
        .unwrap();
    let whole: Value = serde_json::from_slice(&whole.bytes().await.unwrap()).unwrap();
    let (_, vendors) = vendor
        .send(
            Method::GET,
            &format!("/v1/leads/{}", whole["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(whole, vendors);

    // Refused by the vendor: its answer, and nothing in the copy.
    let refused = http
        .patch(format!("{}/v1/leads/lead_006", copy.base))
        .header("content-type", "application/json")
        .body(json!({"phone": "555"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_lead_joins_the_copy_at_once_and_is_announced_once() {
    let vendor = Vendor::start(5);
    let (copy, _dir) = mirror(&vendor, &[]).await;
    complete(&copy.base).await;
    let mut events = stream(&copy.base).await;
    // The vendor captures a call (its webhook lead is its own lead too).
    let (status, lead) = vendor
        .send(
            Method::POST,
            "/v1/leads",
            Some(json!({"name": "Caller", "phone": "+15553334444"})),
        )
        .await;
    assert_eq!(status, 201);
    let delivered = deliver(
        &copy.base,
        "evt_mirror_1",
        json!({"id": lead["id"], "name": "Caller", "phone": "+15553334444"}),
    )
    .await;
    assert!(matches!(delivered, 200 | 202), "{delivered}");
    let (_, _, found) = get(&copy.base, "/v1/leads?q=caller").await;
    assert_eq!(found["meta"]["total"], 1);
    let all = events_until_quiet(&mut events, INTERVAL * 6).await;
    let created: Vec<_> = all
        .iter()
        .map(summary)
        .filter(|(name, _, _)| name == "lead.created")
        .collect();
    assert_eq!(
        created.len(),
        1,
        "one announcement, whichever came first: {all:?}"
    );
    let ours: HashMap<String, Value> = every_lead(&copy.base, None)
        .await
        .into_iter()
        .map(|lead| (lead["id"].as_str().unwrap().to_owned(), lead))
        .collect();
    assert_eq!(
        ours[lead["id"].as_str().unwrap()],
        lead,
        "the vendor's times, once the sync read it"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_holds_one_kind_of_leads_and_sync_once_fills_a_copy() {
    let vendor = Vendor::start(120);
    let dir = tempfile::tempdir().unwrap();
    let url = if support::postgres::chosen() {
        Some(support::postgres::new_database().await)
    } else {
        None
    };
    let database = url
        .clone()
        .unwrap_or_else(|| dir.path().join("copy.db").display().to_string());
    let upstream = format!("{}/v1", vendor.base());
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_leads-server"))
            .args(args)
            .env("LEADS_DATABASE_URL", &database)
            .env("LEADS_UPSTREAM_KEY", KEY)
            .env("LEADS_SYNC_MAX_RPS", "50")
            .env_remove("LEADS_DB")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), text)
    };
    let (ok, said) = run(&["sync", "--once", "--upstream", &upstream]);
    assert!(
        ok && said.contains("120 new to the copy, 0 changed"),
        "{said}"
    );
    let (ok, said) = run(&["sync", "--once", "--upstream", &upstream]);
    assert!(
        ok && said.contains("0 new to the copy, 0 changed"),
        "a second pass changes nothing: {said}"
    );
    let (ok, said) = run(&["sync", "--upstream", &upstream]);
    assert!(!ok && said.contains("--once"), "{said}");
    let (ok, said) = run(&["sync", "--once", "--upstream", "http://127.0.0.1:9/v1"]);
    assert!(
        !ok && said.contains("holds a copy of the leads at"),
        "{said}"
    );
    let (ok, said) = run(&["migrate"]);
    assert!(ok, "{said}");

    // The copy's database refuses to serve as a store of its own.
    let mut store = std::process::Command::new(env!("CARGO_BIN_EXE_leads-server"))
        .env("LEADS_DATABASE_URL", &database)
        .env("LEADS_ADDR", "127.0.0.1:0")
        .output()
        .unwrap();
    assert!(!store.status.success());
    store.stderr.extend_from_slice(&store.stdout);
    let said = String::from_utf8_lossy(&store.stderr);
    assert!(said.contains("start with --upstream"), "{said}");
}
