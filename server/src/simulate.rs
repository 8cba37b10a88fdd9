//! `--simulate-calls SECONDS`: a made-up caller every SECONDS, delivered
//! the way the vendor delivers a real one (a signed `new_lead` webhook to
//! this server), so a newcomer can watch consoles go live.

use std::net::SocketAddr;
use std::time::Duration;

use leads_core::PartialLead;
use tokio::sync::watch;

use crate::seed;
use crate::webhook::Secret;

/// Posts a new lead to `addr`'s webhook every `every` until `stopping`.
pub async fn calls(
    addr: SocketAddr,
    secret: Secret,
    every: Duration,
    mut stopping: watch::Receiver<bool>,
) {
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/webhooks/new_lead");
    let mut rng = fastrand::Rng::new();
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tokio::select! {
            _ = stopping.wait_for(|stopping| *stopping) => return,
            _ = ticks.tick() => {}
        }
        let body = delivery(&mut rng);
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp().to_string();
        let sent = client
            .post(&url)
            .header("content-type", "application/json")
            .header("x-leads-timestamp", &timestamp)
            .header(
                "x-leads-signature",
                secret.sign(&timestamp, body.as_bytes()),
            )
            .body(body)
            .send()
            .await;
        match sent {
            Ok(reply) if reply.status().is_success() => {}
            Ok(reply) => tracing::warn!(status = %reply.status(), "a simulated call was refused"),
            Err(err) => tracing::warn!("a simulated call was not delivered: {err}"),
        }
    }
}

/// One webhook body in the vendor's shape, with ids like the vendor's.
fn delivery(rng: &mut fastrand::Rng) -> String {
    let mut lead = PartialLead::from(seed::arriving_lead(rng, time::OffsetDateTime::now_utc()));
    lead.id = format!("sim_{:012x}", rng.u64(..1 << 48));
    let event = serde_json::json!({
        "type": "new_lead",
        "id": format!("evt_{:016x}", rng.u64(..)),
        "data": lead,
    });
    event.to_string()
}
