//! Two hundred consoles listening while the vendor delivers fifty leads a
//! second for twenty seconds, against the real server process: every
//! stream gets every event, in order, and the server's memory stays
//! bounded. The figures are printed (`cargo test --test live_load --
//! --nocapture`); times are a report, not a pass mark.

mod support;

use std::time::{Duration, Instant};

use support::live::{new_lead, signature, Reader};
use support::process::ServerProcess;

const STREAMS: usize = 200;
const PER_SECOND: u64 = 50;
const SECONDS: u64 = 20;
const SECRET: &str = "load-whsec";
/// Past this much growth the server would be holding events per stream.
const MAX_GROWTH_KIB: u64 = 64 * 1024;

/// The server's resident memory, from `/proc`.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_streams_get_every_webhook_lead_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir.path().join("secret");
    std::fs::write(&secret_file, SECRET).unwrap();
    let server = ServerProcess::start(
        env!("CARGO_BIN_EXE_leads-server"),
        dir.path(),
        &[
            ("LEADS_DEMO_LEADS", "0"),
            ("LEADS_MAX_EVENT_STREAMS", "250"),
            ("LEADS_WEBHOOK_SECRET_FILE", secret_file.to_str().unwrap()),
        ],
        &[],
    );
    let http = reqwest::Client::new();
    let total = usize::try_from(PER_SECOND * SECONDS).unwrap();

    let mut listeners = Vec::new();
    for _ in 0..STREAMS {
        let response = http
            .get(format!("{}/v1/events", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let mut stream = Reader::new(response);
        stream
            .next(Duration::from_secs(5))
            .await
            .expect("a position");
        listeners.push(tokio::spawn(async move {
            let mut got = Vec::with_capacity(total);
            while got.len() < total {
                let Some(event) = stream.next_event(Duration::from_secs(30)).await else {
                    break;
                };
                let id: u64 = event.id.as_deref().unwrap().parse().unwrap();
                got.push((
                    id,
                    event.json()["id"].as_str().unwrap().to_owned(),
                    Instant::now(),
                ));
            }
            got
        }));
    }
    let settled = rss_kib(server.child.id());

    let started = Instant::now();
    let mut sent_at = Vec::with_capacity(total);
    let mut ticks = tokio::time::interval(Duration::from_millis(1000 / PER_SECOND));
    let mut refused = 0;
    for n in 0..total {
        ticks.tick().await;
        let body = new_lead(
            &format!("evt_{n}"),
            serde_json::json!({"id": format!("load_{n:05}")}),
        );
        let (timestamp, signature) = signature(SECRET, &body, 0);
        sent_at.push(Instant::now());
        let reply = http
            .post(format!("{}/webhooks/new_lead", server.base))
            .header("content-type", "application/json")
            .header("x-leads-timestamp", timestamp)
            .header("x-leads-signature", signature)
            .body(body)
            .send()
            .await
            .unwrap();
        if reply.status() != 202 {
            refused += 1;
        }
    }
    let sending = started.elapsed();
    let peak = rss_kib(server.child.id());

    let mut latencies = Vec::with_capacity(total * STREAMS);
    for listener in listeners {
        let got = listener.await.unwrap();
        let leads: Vec<&str> = got.iter().map(|(_, lead, _)| lead.as_str()).collect();
        let expected: Vec<String> = (0..total).map(|n| format!("load_{n:05}")).collect();
        assert_eq!(leads, expected, "every event, in order");
        assert!(got.windows(2).all(|pair| pair[0].0 < pair[1].0), "ids rise");
        latencies.extend(
            got.iter()
                .zip(&sent_at)
                .map(|((_, _, at), sent)| *at - *sent),
        );
    }
    assert_eq!(refused, 0, "every delivery accepted");
    assert!(
        peak.saturating_sub(settled) < MAX_GROWTH_KIB,
        "memory grew from {settled} KiB to {peak} KiB"
    );
    latencies.sort();
    let pick = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    println!(
        "live load: {STREAMS} streams, {total} webhooks in {:.1} s ({:.0}/s); \
         {} events delivered; webhook to stream p50 {:?}, p99 {:?}, max {:?}; \
         server memory {settled} KiB with the streams open, {peak} KiB after",
        sending.as_secs_f64(),
        total as f64 / sending.as_secs_f64(),
        latencies.len(),
        pick(0.5),
        pick(0.99),
        pick(1.0),
    );
}
