//! `leads-server`: flags and start-up only; everything else lives in the library.

use std::io::Read;

use clap::Parser;
use leads_server::config::Command;
use leads_server::Config;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = Config::parse();
    if let Some(Command::HashKey { name }) = &config.command {
        return hash_key(name);
    }
    match leads_server::run(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err}");
            eprintln!("leads-server: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `leads-server hash-key NAME`: the key comes on standard input, so it is
/// in no shell history or process list.
fn hash_key(name: &str) -> std::process::ExitCode {
    let mut key = String::new();
    if std::io::stdin().read_to_string(&mut key).is_err() || key.trim().is_empty() {
        eprintln!("leads-server: give the key on standard input, e.g. `leads-server hash-key {name} < key.txt`");
        return std::process::ExitCode::FAILURE;
    }
    println!("{}", leads_server::auth::key_line(name, key.trim()));
    std::process::ExitCode::SUCCESS
}
