//! `leads-server`: flags and start-up only; everything else lives in the library.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    leads_server::cli::main().await
}
