//! Fifty clients mixing lists, creates and updates for thirty seconds
//! against the real server on SQLite: no 5xx, nothing acknowledged is lost,
//! and the database file is sound afterwards. The throughput is printed
//! (`cargo test --test load -- --nocapture`); it is a report, not a
//! pass mark.

mod support;

use std::time::{Duration, Instant};

use support::integrity_check;
use support::process::ServerProcess;
use support::workload::{lost_writes, stored_leads, Load};

const CLIENTS: usize = 50;
const DURATION: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_clients_for_thirty_seconds_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(
        env!("CARGO_BIN_EXE_leads-server"),
        dir.path(),
        &[("LEADS_DEMO_LEADS", "500")],
        &[],
    );
    let started = Instant::now();
    let load = Load::start(&server.base, CLIENTS, 0);
    tokio::time::sleep(DURATION).await;
    let ledger = load.stop().await;
    let seconds = started.elapsed().as_secs_f64();

    assert!(
        ledger.failures.is_empty(),
        "{} answers were not the expected ones, e.g. {:?}",
        ledger.failures.len(),
        &ledger.failures[..ledger.failures.len().min(5)]
    );
    let stored = stored_leads(&server.base).await;
    let lost = lost_writes(&ledger, &stored);
    assert!(lost.is_empty(), "lost writes: {lost:?}");
    assert!(ledger.creates > 0 && ledger.updates > 0 && ledger.lists > 0);
    if let Err(why) = server.terminate() {
        panic!("no clean stop after the load: {why}");
    }
    assert_eq!(integrity_check(dir.path()), "ok");

    let total = ledger.lists + ledger.creates + ledger.updates;
    println!(
        "load: {CLIENTS} clients, {seconds:.1} s, {total} requests ({:.0}/s): \
         {} lists, {} creates, {} updates; 0 failures, {} leads checked",
        total as f64 / seconds,
        ledger.lists,
        ledger.creates,
        ledger.updates,
        ledger.leads.len()
    );
}
