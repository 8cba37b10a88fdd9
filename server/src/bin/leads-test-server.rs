//! `leads-test-server`: `leads-server` with the test fault injector built
//! in (`--test-faults`), for the browser tests. Never deployed.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    leads_server::cli::main().await
}
