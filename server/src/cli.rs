//! The command line: logging, flags, the `hash-key` helper, then the server.
//! Both binaries (`leads-server` and the tests' `leads-test-server`) are
//! just this.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::config::{Command, Config, LogFormat};

/// Runs the command line and says how it ended.
pub async fn main() -> ExitCode {
    let config = Config::parse();
    init_logs(config.log_format);
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

/// One line per event on standard output: for people, coloured only on a
/// terminal (a file or a service manager gets plain text) and never with
/// `NO_COLOR`; or one JSON object per line for log collectors.
fn init_logs(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Text => {
            let colour = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
            logs.with_ansi(colour).init();
        }
        LogFormat::Json => logs
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_ansi(false)
            .init(),
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
