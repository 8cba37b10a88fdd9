//! Command-line flags; each can also come from an environment variable.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// How to run the server. `Default` is for tests that build one in code.
#[derive(Debug, Clone, Default, Parser)]
#[command(
    name = "leads-server",
    version,
    about = "The Leads API on SQLite, serving the Leads Console"
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "LEADS_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// SQLite database file; created and seeded when missing or empty.
    #[arg(long, env = "LEADS_DB", default_value = "leads.db")]
    pub db: PathBuf,
    /// Folder holding the built console (trunk's output).
    #[arg(long, env = "LEADS_DIST", default_value = "dist")]
    pub dist: PathBuf,
    /// When set, every /v1 request needs `Authorization: Bearer KEY`.
    #[arg(long, env = "LEADS_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// How many demo leads to seed into a new, empty database (0 for none).
    #[arg(long, env = "LEADS_DEMO_LEADS", default_value_t = 250)]
    pub demo_leads: u32,
    /// Proxy mode: answer `/v1/leads…` by forwarding to this API (its base
    /// URL, including `/v1`) instead of using SQLite.
    #[arg(long, env = "LEADS_UPSTREAM", value_name = "URL")]
    pub upstream: Option<String>,
    /// File holding the upstream API's key (trailing whitespace ignored).
    #[arg(long, env = "LEADS_UPSTREAM_KEY_FILE", value_name = "PATH")]
    pub upstream_key_file: Option<PathBuf>,
    /// The upstream key itself, from the environment only: a flag's value
    /// would show in the process list.
    #[arg(skip = std::env::var("LEADS_UPSTREAM_KEY").ok())]
    pub upstream_key: Option<String>,
    /// How long to wait for the upstream before answering 504: `10`, `10s`
    /// or `500ms`.
    #[arg(long, env = "LEADS_UPSTREAM_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub upstream_timeout: Duration,
    /// Who may frame the console (CSP `frame-ancestors`), e.g.
    /// `https://portal.example.com`; the default allows only this server.
    #[arg(long, env = "LEADS_FRAME_ANCESTORS", default_value = "'self'")]
    pub frame_ancestors: String,
    /// Mounts `/_test/faults` so browser tests can make `/v1` fail or stall.
    /// Never for production.
    #[arg(long, hide = true)]
    pub test_faults: bool,
}

/// `10`, `10s` or `500ms`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.strip_suffix("ms") {
        Some(number) => (number, 1),
        None => (text.strip_suffix('s').unwrap_or(text), 1000),
    };
    number
        .trim()
        .parse::<u64>()
        .map(|n| Duration::from_millis(n * unit))
        .map_err(|_| format!("{text:?} is not a duration; write 10, 10s or 500ms"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_seconds_or_milliseconds() {
        assert_eq!(parse_duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("3s"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("soon").is_err());
    }
}
