//! `kill -9` in the middle of writes, five times over, on one database:
//! every create and update the server acknowledged survives each restart,
//! and SQLite's integrity check passes every time.

mod support;

use std::time::Duration;

use support::integrity_check;
use support::process::ServerProcess;
use support::workload::{lost_writes, stored_leads, Ledger, Load};

const ROUNDS: usize = 5;
/// Writes acknowledged in a round before the kill: the clients are still
/// sending when it comes.
const WRITES_BEFORE_KILL: u64 = 150;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9_five_times() {
    let dir = tempfile::tempdir().unwrap();
    let binary = env!("CARGO_BIN_EXE_leads-server");
    let env = [("LEADS_DEMO_LEADS", "100")];
    let mut all = Ledger::default();
    for round in 0..ROUNDS {
        let mut server = ServerProcess::start(binary, dir.path(), &env, &[]);
        let stored = stored_leads(&server.base).await;
        let lost = lost_writes(&all, &stored);
        assert!(lost.is_empty(), "after kill {round}: {lost:?}");

        let load = Load::start(&server.base, 16, round);
        while load.acknowledged_writes() < WRITES_BEFORE_KILL {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.kill_hard();
        let ledger = load.stop().await;
        assert!(ledger.failures.is_empty(), "{:?}", ledger.failures);
        assert_eq!(
            integrity_check(dir.path()),
            "ok",
            "after kill {}",
            round + 1
        );
        all.leads.extend(ledger.leads);
    }
    let server = ServerProcess::start(binary, dir.path(), &env, &[]);
    let lost = lost_writes(&all, &stored_leads(&server.base).await);
    assert!(lost.is_empty(), "after the last kill: {lost:?}");
    println!(
        "crash: {ROUNDS} kills, {} leads created and checked",
        all.leads.len()
    );
}
