//! The command line: logging, flags, the `hash-key` helper, then the server.
//! Both binaries (`leads-server` and the tests' `leads-test-server`) are
//! just this.

use std::io::Read;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::config::{Command, Config};

/// Runs the command line and says how it ended.
pub async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = Config::parse();
    if let Some(Command::HashKey { name }) = &config.command {
        return hash_key(name);
    }
    match crate::run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err}");
            eprintln!("leads-server: {err}");
            ExitCode::FAILURE
        }
    }
}

/// `leads-server hash-key NAME`: the key comes on standard input, so it is
/// in no shell history or process list.
fn hash_key(name: &str) -> ExitCode {
    let mut key = String::new();
    if std::io::stdin().read_to_string(&mut key).is_err() || key.trim().is_empty() {
        eprintln!(
            "leads-server: give the key on standard input, e.g. `leads-server hash-key {name} < key.txt`"
        );
        return ExitCode::FAILURE;
    }
    println!("{}", crate::auth::key_line(name, key.trim()));
    ExitCode::SUCCESS
}
