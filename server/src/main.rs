//! `leads-server`: flags and start-up only; everything else lives in the library.

use clap::Parser;
use leads_server::Config;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    match leads_server::run(Config::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err}");
            eprintln!("leads-server: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
