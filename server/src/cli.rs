//! The command line: logging, flags, the `hash-key`, `migrate` and `sync`
//! helpers,
//! then the server.
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
    let ran = match &config.command {
        Some(Command::HashKey { name }) => return hash_key(name),
        Some(Command::Migrate) => crate::migrate(&config).await,
        Some(Command::Sync { once: true }) => crate::sync_once(&config).await,
        Some(Command::Sync { once: false }) => {
            eprintln!(
                "leads-server: servers started with --mirror sync on their own; \
                 `leads-server sync --once` makes one full pass by hand"
            );
            return ExitCode::FAILURE;
        }
        None => crate::run(config).await,
    };
    match ran {
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
    let directives = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_owned());
    let logs = tracing_subscriber::fmt().with_env_filter(log_filter(&directives));
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

/// The log's filter from `directives` (`RUST_LOG`'s syntax), never letting
/// the PostgreSQL driver's debug lines through, whatever they ask: those
/// hold every statement's values, phones and emails among them.
pub fn log_filter(directives: &str) -> EnvFilter {
    let filter = EnvFilter::new(directives);
    match "tokio_postgres=info".parse() {
        Ok(quiet) => filter.add_directive(quiet),
        Err(_) => filter,
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
