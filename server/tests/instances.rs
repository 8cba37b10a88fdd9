//! Several `leads-server` processes on one PostgreSQL database (the tests'
//! own cluster): a stream on one hears what was written through another, a
//! webhook delivered to two at once stores and announces its lead once,
//! and when one dies under writes no acknowledged write is lost and its
//! client resumes on another without missing an event.

mod support;

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use support::live::{deliver_to, Block, Reader};
use support::process::ServerProcess;

const SECRET: &str = "instances-whsec";
const SOON: Duration = Duration::from_secs(5);

/// A database and a folder (with the webhook secret) for the instances.
async fn database() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret"), SECRET).unwrap();
    (dir, support::postgres::new_database().await)
}

/// One more instance on the database at `url`.
fn instance(dir: &Path, url: &str) -> ServerProcess {
    instance_with(dir, url, &[])
}

/// One more instance, with more settings.
fn instance_with(dir: &Path, url: &str, more: &[(&str, &str)]) -> ServerProcess {
    let secret = dir.join("secret");
    let mut env = vec![
        ("LEADS_DATABASE_URL", url),
        ("LEADS_DEMO_LEADS", "0"),
        ("LEADS_WEBHOOK_SECRET_FILE", secret.to_str().unwrap()),
    ];
    env.extend_from_slice(more);
    ServerProcess::start(env!("CARGO_BIN_EXE_leads-server"), dir, &env, &[])
}

/// `/v1/events` on `base`, after its first block (the position, or a
/// reset), which is returned beside it.
async fn stream(base: &str, last_id: Option<&str>) -> (Reader<reqwest::Response>, Block) {
    let mut request = reqwest::Client::new().get(format!("{base}/v1/events"));
    if let Some(id) = last_id {
        request = request.header("last-event-id", id);
    }
    let mut reader = Reader::new(request.send().await.unwrap());
    let first = reader.next(SOON).await.expect("the stream's position");
    (reader, first)
}

/// Creates a lead named `name` through `base`; its id once acknowledged.
async fn create(http: &reqwest::Client, base: &str, name: &str) -> Option<String> {
    let reply = http
        .post(format!("{base}/v1/leads"))
        .header("content-type", "application/json")
        .body(json!({ "name": name }).to_string())
        .send()
        .await
        .ok()?;
    if reply.status() != 201 {
        return None;
    }
    let lead: Value = serde_json::from_slice(&reply.bytes().await.ok()?).ok()?;
    lead["id"].as_str().map(str::to_owned)
}

/// Delivers the vendor's `new_lead` event `event_id` to `base`; its status.
async fn deliver(base: &str, event_id: &str, lead: Value) -> u16 {
    deliver_to(base, SECRET, event_id, lead).await
}

/// The lead id an event is about.
fn lead_id(event: &Block) -> String {
    let data = event.json();
    let id = data["id"].as_str().expect("an event names its lead");
    id.to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_on_one_instance_hears_what_was_written_through_another() {
    let (dir, url) = database().await;
    let a = instance(dir.path(), &url);
    let b = instance(dir.path(), &url);
    let http = reqwest::Client::new();
    let (mut on_a, first) = stream(&a.base, None).await;
    assert_eq!(first.event, None, "a position, not a reset");
    let total = |base: String, query: &'static str| {
        let http = http.clone();
        async move {
            let reply = http
                .get(format!("{base}/v1/leads?{query}"))
                .send()
                .await
                .unwrap();
            let body: Value = serde_json::from_slice(&reply.bytes().await.unwrap()).unwrap();
            body["meta"]["total"].as_u64().unwrap()
        }
    };
    // A counts its views (and keeps the counts) before B writes.
    assert_eq!(total(a.base.clone(), "status=new").await, 0);
    assert_eq!(total(a.base.clone(), "q=made").await, 0);

    let id = create(&http, &b.base, "Made On B").await.unwrap();
    let created = on_a.next_event(SOON).await.expect("B's create, on A");
    assert_eq!(
        (created.event.as_deref(), lead_id(&created)),
        (Some("lead.created"), id.clone())
    );
    let patched = http
        .patch(format!("{}/v1/leads/{id}", b.base))
        .header("content-type", "application/json")
        .body(json!({"status": "contacted"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    let updated = on_a.next_event(SOON).await.expect("B's update, on A");
    assert_eq!(updated.event.as_deref(), Some("lead.updated"));
    assert_eq!(updated.json()["fields"], json!(["status"]));
    assert_eq!(
        total(a.base.clone(), "status=new").await,
        0,
        "B's update, on A"
    );
    assert_eq!(total(a.base.clone(), "status=contacted").await, 1);
    assert_eq!(total(a.base.clone(), "q=made").await, 1, "B's create, on A");

    let delivered = deliver(&b.base, "evt_b_1", json!({"id": "vendor_b_1"})).await;
    assert_eq!(delivered, 202);
    let webhook = on_a.next_event(SOON).await.expect("B's webhook lead, on A");
    assert_eq!(lead_id(&webhook), "vendor_b_1");

    // The numbers are the database's: A and B give the same event the
    // same id, so a client may resume on either.
    let (mut on_b, _) = stream(&b.base, created.id.as_deref()).await;
    assert_eq!(on_b.next_event(SOON).await.as_ref(), Some(&updated));
    assert_eq!(on_b.next_event(SOON).await.as_ref(), Some(&webhook));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_delivery_to_two_instances_at_once_is_stored_and_announced_once() {
    let (dir, url) = database().await;
    let a = instance(dir.path(), &url);
    let b = instance(dir.path(), &url);
    let http = reqwest::Client::new();
    let (mut on_a, _) = stream(&a.base, None).await;
    const ROUNDS: usize = 10;
    for round in 0..ROUNDS {
        let event = format!("evt_both_{round}");
        let lead = json!({"id": format!("both_{round}"), "name": "Twice Sent"});
        let (to_a, to_b) = tokio::join!(
            deliver(&a.base, &event, lead.clone()),
            deliver(&b.base, &event, lead),
        );
        let mut statuses = [to_a, to_b];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 202], "round {round}: one takes it");
    }
    // A create after them all: every event before it is one of theirs.
    let marker = create(&http, &b.base, "Marker").await.unwrap();
    let mut announced = Vec::new();
    loop {
        let event = on_a
            .next_event(SOON)
            .await
            .expect("the events, then the marker's");
        let id = lead_id(&event);
        if id == marker {
            break;
        }
        announced.push(id);
    }
    let expected: Vec<String> = (0..ROUNDS).map(|round| format!("both_{round}")).collect();
    assert_eq!(announced, expected, "each lead announced once, in order");
    let list = http
        .get(format!("{}/v1/leads?limit=100", a.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let list: Value = serde_json::from_slice(&list).unwrap();
    assert_eq!(list["meta"]["total"], json!(ROUNDS + 1), "each stored once");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_instance_killed_under_writes_loses_nothing_acknowledged_and_its_client_resumes_on_another(
) {
    let (dir, url) = database().await;
    let mut a = instance(dir.path(), &url);
    let b = instance(dir.path(), &url);
    let http = reqwest::Client::new();
    let (mut on_a, _) = stream(&a.base, None).await;

    // The client reads A's stream until it ends, keeping every event.
    let heard: Arc<Mutex<Vec<Block>>> = Arc::default();
    let listening = {
        let heard = Arc::clone(&heard);
        tokio::spawn(async move {
            while let Some(block) = on_a.next(Duration::from_secs(30)).await {
                if block.event.is_some() {
                    heard.lock().unwrap().push(block);
                }
            }
        })
    };
    // Four writers create through A until it stops answering.
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let (http, base, acknowledged) =
                (http.clone(), a.base.clone(), Arc::clone(&acknowledged));
            tokio::spawn(async move {
                for n in 0.. {
                    match create(&http, &base, &format!("Writer {writer} #{n}")).await {
                        Some(id) => acknowledged.lock().unwrap().push(id),
                        None => return,
                    }
                }
            })
        })
        .collect();
    // Held until a good many writes are acknowledged, then A dies.
    while acknowledged.lock().unwrap().len() < 200 {
        tokio::task::yield_now().await;
    }
    a.kill_hard();
    for writer in writers {
        writer.await.unwrap();
    }
    listening.await.unwrap();

    let acknowledged = acknowledged.lock().unwrap().clone();
    let heard = heard.lock().unwrap().clone();
    let last_seen = heard.last().and_then(|event| event.id.clone());
    // The client reconnects to B with the last id it saw.
    let (mut on_b, first) = stream(&b.base, last_seen.as_deref()).await;
    assert_eq!(first.event, None, "resumed, not reset");
    let position: u64 = first.id.unwrap().parse().unwrap();
    let mut ids: Vec<u64> = heard
        .iter()
        .map(|e| e.id.as_ref().unwrap().parse().unwrap())
        .collect();
    let mut leads: HashSet<String> = heard.iter().map(lead_id).collect();
    while ids.last().is_none_or(|&last| last < position) {
        let missed = on_b
            .next_event(SOON)
            .await
            .expect("what A did not send, from B");
        ids.push(missed.id.as_ref().unwrap().parse().unwrap());
        leads.insert(lead_id(&missed));
    }
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "each event once, in order"
    );
    for id in &acknowledged {
        assert!(
            leads.contains(id),
            "{id} was acknowledged but never announced"
        );
        let stored = http
            .get(format!("{}/v1/leads/{id}", b.base))
            .send()
            .await
            .unwrap();
        assert_eq!(stored.status(), 200, "{id} was acknowledged, so it is kept");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_rate_limit_counts_a_clients_requests_to_every_instance() {
    let (dir, url) = database().await;
    let limited = [("LEADS_RATE_LIMIT", "5")];
    let a = instance_with(dir.path(), &url, &limited);
    let b = instance_with(dir.path(), &url, &limited);
    let http = reqwest::Client::new();
    // Counts are per minute of the clock: started with time to spare in
    // this one (six requests take milliseconds), so all fall in it.
    let into_minute = || {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        now.as_secs() % 60
    };
    if into_minute() > 55 {
        tokio::time::sleep(Duration::from_secs(61 - into_minute())).await;
    }
    for (n, base) in [&a.base, &b.base, &a.base, &b.base, &a.base]
        .into_iter()
        .enumerate()
    {
        let reply = http.get(format!("{base}/v1/leads")).send().await.unwrap();
        assert_eq!(reply.status(), 200, "request {n}");
    }
    let refused = http
        .get(format!("{}/v1/leads", b.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        429,
        "the sixth, though B saw only its third"
    );
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "until the minute ends: {wait}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_instance_is_ready_only_while_its_database_answers() {
    let (dir, url) = database().await;
    let a = instance(dir.path(), &url);
    let http = reqwest::Client::new();
    let ready = http.get(format!("{}/readyz", a.base)).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    support::postgres::drop_database(&url).await;
    let gone = http.get(format!("{}/readyz", a.base)).send().await.unwrap();
    assert_eq!(gone.status(), 503);
    let body: Value = serde_json::from_slice(&gone.bytes().await.unwrap()).unwrap();
    assert_eq!(body["reason"], "the database does not answer");
    let alive = http
        .get(format!("{}/healthz", a.base))
        .send()
        .await
        .unwrap();
    assert_eq!(alive.status(), 200, "the process itself is up");
}

/// `leads-server` with `args`, on the database at `url`, to its end.
fn run_binary(url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_leads-server"))
        .args(args)
        .env_remove("LEADS_DB")
        .env("LEADS_DATABASE_URL", url)
        .env("LEADS_ADDR", "127.0.0.1:0")
        .env("LEADS_DEMO_LEADS", "0")
        .output()
        .expect("run leads-server")
}

#[tokio::test(flavor = "multi_thread")]
async fn migrate_brings_the_schema_up_and_the_server_refuses_what_it_cannot_use() {
    // Nothing listens in that folder; the password must not be repeated.
    let nowhere = "postgresql://leads:hunter2@%2Fnonexistent-folder:5432/leads";
    let refused = run_binary(nowhere, &[]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        said.contains("cannot open the database postgres://leads@/nonexistent-folder:5432/leads")
            && said.contains("is PostgreSQL running"),
        "{said}"
    );
    assert!(!said.contains("hunter2"), "{said}");

    let url = support::postgres::new_database().await;
    let migrated = run_binary(&url, &["migrate"]);
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    assert!(String::from_utf8_lossy(&migrated.stdout).contains("has this release's schema"));
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let versions: Vec<i32> = client
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(versions, [1, 2]);
    assert!(
        run_binary(&url, &["migrate"]).status.success(),
        "again: nothing to do"
    );

    // A later release migrated it further: this one must not touch it.
    client
        .execute("INSERT INTO schema_migrations (version) VALUES (99)", &[])
        .await
        .unwrap();
    let newer = run_binary(&url, &[]);
    let said = String::from_utf8_lossy(&newer.stderr);
    assert!(!newer.status.success());
    assert!(
        said.contains("schema is version 99, newer than this leads-server knows (2)"),
        "{said}"
    );
}

/// One instance of a copy of the vendor at `upstream` (`--mirror`).
fn copy_instance(dir: &Path, url: &str, upstream: &str) -> ServerProcess {
    instance_with(
        dir,
        url,
        &[
            ("LEADS_UPSTREAM", upstream),
            ("LEADS_UPSTREAM_KEY", "vendor-key"),
            ("LEADS_MIRROR", "true"),
            ("LEADS_SYNC_INTERVAL", "300ms"),
            ("LEADS_SYNC_MAX_RPS", "50"),
        ],
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn one_instance_syncs_the_copy_and_another_takes_over_when_it_dies() {
    const SYNCS: &str = "this instance syncs the copy";
    let vendor_dir = tempfile::tempdir().unwrap();
    let vendor = ServerProcess::start(
        env!("CARGO_BIN_EXE_leads-server"),
        vendor_dir.path(),
        &[("LEADS_API_KEY", "vendor-key"), ("LEADS_DEMO_LEADS", "20")],
        &[],
    );
    let upstream = format!("{}/v1", vendor.base);
    let (dir, url) = database().await;
    let mut a = copy_instance(dir.path(), &url, &upstream);
    let mut b = copy_instance(dir.path(), &url, &upstream);
    a.wait_for_line(|line| line.contains(SYNCS) || line.contains("walked every lead"));
    let deadline = std::time::Instant::now() + SOON;
    while !(a.said(SYNCS) || b.said(SYNCS)) {
        assert!(std::time::Instant::now() < deadline, "one instance syncs");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Several passes later, still only one does.
    let http = reqwest::Client::new();
    let status_of = |base: String| {
        let http = http.clone();
        async move {
            let reply = http
                .get(format!("{base}/v1/leads/lead_007"))
                .send()
                .await
                .unwrap();
            // Only an answer from the copy counts: until the copy is
            // complete, leads are the vendor's own.
            let copied = reply.headers().contains_key("x-leads-synced-at");
            let lead: Value = serde_json::from_slice(&reply.bytes().await.unwrap()).unwrap();
            let status = lead["status"].as_str().unwrap_or_default();
            if copied {
                status.to_owned()
            } else {
                String::new()
            }
        }
    };
    let change = |status: &'static str| {
        let http = http.clone();
        let base = vendor.base.clone();
        async move {
            let reply = http
                .patch(format!("{base}/v1/leads/lead_007"))
                .bearer_auth("vendor-key")
                .header("content-type", "application/json")
                .body(json!({ "status": status }).to_string())
                .send()
                .await
                .unwrap();
            assert_eq!(reply.status(), 200);
        }
    };
    change("qualified").await;
    let seen_by = |base: String, status: &'static str| async move {
        let deadline = std::time::Instant::now() + SOON;
        while status_of(base.clone()).await != status {
            assert!(
                std::time::Instant::now() < deadline,
                "{status} reached {base}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    seen_by(a.base.clone(), "qualified").await;
    seen_by(b.base.clone(), "qualified").await;
    assert!(a.said(SYNCS) != b.said(SYNCS), "exactly one instance syncs");

    let (syncing, other) = if a.said(SYNCS) {
        (&mut a, &mut b)
    } else {
        (&mut b, &mut a)
    };
    syncing.kill_hard();
    change("converted").await;
    seen_by(other.base.clone(), "converted").await;
    assert!(
        other.said(SYNCS),
        "the other took the sync over:\n{}",
        other.wait_for_line(|_| true).join("\n")
    );
}
