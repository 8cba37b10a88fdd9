//! Command-line flags; each can also come from an environment variable.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::store::Location;

/// How to run the server. `Default` is for tests that build one in code.
#[derive(Debug, Clone, Default, Parser)]
#[command(
    name = "leads-server",
    version,
    about = "The Leads API on SQLite (or a proxy to the vendor's), serving the Leads Console"
)]
pub struct Config {
    /// Instead of serving, a helper such as `hash-key`.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Address to listen on.
    #[arg(long, env = "LEADS_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// SQLite database file; created and seeded when missing or empty.
    #[arg(long, env = "LEADS_DB", default_value = "leads.db", global = true)]
    pub db: PathBuf,
    /// The database instead of --db: `postgres://USER:PASSWORD@HOST:PORT/NAME`
    /// (several instances may share it) or a SQLite file's path. Its schema
    /// is migrated on start; one newer than this release is refused.
    #[arg(
        long,
        env = "LEADS_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true,
        conflicts_with = "db",
        global = true
    )]
    pub database: Option<String>,
    /// Folder holding the built console (`make build`'s dist/).
    #[arg(long, env = "LEADS_DIST", default_value = "dist")]
    pub dist: PathBuf,
    /// When set, every /v1 request needs `Authorization: Bearer KEY`.
    #[arg(long, env = "LEADS_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// One named key per person: lines of `NAME sha256:HEX`, as printed by
    /// `leads-server hash-key NAME`. The name is who did what in the audit log.
    #[arg(long, env = "LEADS_API_KEYS_FILE", value_name = "PATH")]
    pub api_keys_file: Option<PathBuf>,
    /// Trust tokens a portal signs for its staff with this RS256 or ES256
    /// public key (PEM); the token's `sub` is who.
    #[arg(long, env = "LEADS_JWT_PUBLIC_KEY", value_name = "PATH")]
    pub jwt_public_key: Option<PathBuf>,
    /// Trust HS256 tokens signed with the secret in this file.
    #[arg(long, env = "LEADS_JWT_SECRET_FILE", value_name = "PATH")]
    pub jwt_secret_file: Option<PathBuf>,
    /// When set, a token's `aud` must be this.
    #[arg(long, env = "LEADS_JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,
    /// How many demo leads to seed into a new, empty database (0 for none).
    #[arg(long, env = "LEADS_DEMO_LEADS", default_value_t = 250)]
    pub demo_leads: u32,
    /// Proxy mode: answer `/v1/leads…` by forwarding to this API (its base
    /// URL, including `/v1`) instead of using SQLite.
    #[arg(long, env = "LEADS_UPSTREAM", value_name = "URL", global = true)]
    pub upstream: Option<String>,
    /// With --upstream: keep a copy of the vendor's leads in the database
    /// and answer lists (search and tags included) from it; writes still go
    /// to the vendor first. The recommended production set-up.
    #[arg(long, env = "LEADS_MIRROR", requires = "upstream")]
    pub mirror: bool,
    /// How often the copy asks the vendor for the leads changed since the
    /// last pass: `10s`, `500ms`.
    #[arg(long, env = "LEADS_SYNC_INTERVAL", default_value = "10s", value_parser = parse_duration, global = true)]
    pub sync_interval: Duration,
    /// At most this many requests per second from the sync to the vendor,
    /// so it leaves the rest of the vendor's rate limit to people's writes.
    #[arg(long, env = "LEADS_SYNC_MAX_RPS", default_value_t = 2.0, value_parser = parse_rate, global = true)]
    pub sync_max_rps: f64,
    /// How often the copy walks every lead again, to catch what following
    /// the changes cannot see (a vendor clock stepped back, say): `1h`.
    #[arg(long, env = "LEADS_FULL_SYNC_EVERY", default_value = "1h", value_parser = parse_duration, global = true)]
    pub full_sync_every: Duration,
    /// /readyz stays ready while the copy's last pass that reached the
    /// vendor is at most this old, even if the vendor blips: `5m`.
    #[arg(long, env = "LEADS_MAX_STALENESS", default_value = "5m", value_parser = parse_duration)]
    pub max_staleness: Duration,
    /// File holding the upstream API's key (trailing whitespace ignored).
    #[arg(
        long,
        env = "LEADS_UPSTREAM_KEY_FILE",
        value_name = "PATH",
        global = true
    )]
    pub upstream_key_file: Option<PathBuf>,
    /// The upstream key itself, from the environment only: a flag's value
    /// would show in the process list.
    #[arg(skip = std::env::var("LEADS_UPSTREAM_KEY").ok())]
    pub upstream_key: Option<String>,
    /// How long to wait for the upstream before answering 504: `10`, `10s`
    /// or `500ms`.
    #[arg(long, env = "LEADS_UPSTREAM_TIMEOUT", default_value = "10s", value_parser = parse_duration, global = true)]
    pub upstream_timeout: Duration,
    /// At most this many `/v1` requests per minute per client (who signed
    /// in, else the address); off when not set.
    #[arg(long, env = "LEADS_RATE_LIMIT", value_name = "N")]
    pub rate_limit: Option<u32>,
    /// How long a client may take to send a request's line and headers,
    /// and then its body: `30`, `30s` or `500ms`. Slower ones are cut off
    /// so they cannot hold connections open.
    #[arg(long, env = "LEADS_CLIENT_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub client_timeout: Duration,
    /// A portal origin allowed to embed the console from another origin,
    /// e.g. `https://portal.example.com` (repeat for more; the variable
    /// takes a comma-separated list). CORS is answered for exactly these,
    /// on `/v1` and the console's files; none by default, and `*` never.
    #[arg(
        long = "allow-origin",
        env = "LEADS_ALLOW_ORIGINS",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    pub allow_origins: Vec<String>,
    /// Who may frame the console (CSP `frame-ancestors`), e.g.
    /// `https://portal.example.com`; the default allows only this server.
    #[arg(long, env = "LEADS_FRAME_ANCESTORS", default_value = "'self'")]
    pub frame_ancestors: String,
    /// Takes the vendor's `new_lead` webhook at `/webhooks/new_lead`,
    /// checking each delivery's signature with the secret in this file
    /// (trailing whitespace ignored); without it that path answers `404`.
    #[arg(long, env = "LEADS_WEBHOOK_SECRET_FILE", value_name = "PATH")]
    pub webhook_secret_file: Option<PathBuf>,
    /// For demos: post a signed, made-up new lead to this server's own
    /// webhook every SECONDS, so the console can be watched going live.
    /// Without --webhook-secret-file a secret only this process knows is
    /// used. Not with --upstream: the vendor's leads are real.
    #[arg(long, env = "LEADS_SIMULATE_CALLS", value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub simulate_calls: Option<u64>,
    /// A comment on every open `/v1/events` stream at least this often, so
    /// proxies keep idle ones open: `15`, `15s` or `500ms`, from 1 to 60
    /// seconds. Each stream tells the console this, which reconnects after
    /// three silent intervals.
    #[arg(long, env = "LEADS_EVENTS_KEEP_ALIVE", default_value = "15s", value_parser = parse_keep_alive)]
    pub events_keep_alive: Duration,
    /// How many `/v1/events` streams one client (who signed in, else the
    /// address) may hold open; each console tab holds one.
    #[arg(
        long,
        env = "LEADS_MAX_EVENT_STREAMS",
        default_value_t = 10,
        value_name = "N"
    )]
    pub max_event_streams: usize,
    /// How log lines look: `text` for people (coloured only on a terminal)
    /// or `json`, one object per line with the same fields, for collectors.
    #[arg(long, env = "LEADS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Mounts `/_test/faults` so browser tests can make `/v1` fail or stall.
    /// Only in builds with the `test-faults` feature.
    #[cfg(feature = "test-faults")]
    /// Never for production.
    #[arg(long, hide = true)]
    pub test_faults: bool,
}

impl Config {
    /// The database the flags name: `--database`, else `--db`.
    pub fn location(&self) -> Result<Location, String> {
        match &self.database {
            Some(text) => Location::parse(text),
            None => Ok(Location::Sqlite(self.db.clone())),
        }
    }
}

/// The log's format (`--log-format`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Helpers run instead of the server.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Brings the database's schema (--database or --db) to this release's
    /// and exits, for operators who migrate before starting the servers.
    Migrate,
    /// With --upstream: one full pass of the copy over every lead at the
    /// vendor (--once), then exit; the servers sync on their own.
    Sync {
        /// Required: one pass, then exit.
        #[arg(long)]
        once: bool,
    },
    /// Reads a key on standard input and prints the line for
    /// `--api-keys-file` that lets NAME sign in with it.
    HashKey {
        /// Who the key belongs to, as the audit log will name them.
        name: String,
    },
}

/// `10`, `10s`, `500ms`, `5m` or `1h`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = if let Some(number) = text.strip_suffix("ms") {
        (number, 1)
    } else if let Some(number) = text.strip_suffix('m') {
        (number, 60_000)
    } else if let Some(number) = text.strip_suffix('h') {
        (number, 3_600_000)
    } else {
        (text.strip_suffix('s').unwrap_or(text), 1000)
    };
    number
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .map(Duration::from_millis)
        .ok_or_else(|| format!("{text:?} is not a duration; write 10, 10s, 500ms, 5m or 1h"))
}

/// A positive number of requests per second, such as `2` or `0.5`.
fn parse_rate(text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|rate| rate.is_finite() && *rate > 0.0)
        .ok_or_else(|| format!("{text:?} is not a rate; write a number of requests per second above 0, such as 2 or 0.5"))
}

/// The keep-alive's bounds: under a second is chatter, and proxies commonly
/// drop a connection idle for 60 s.
const KEEP_ALIVE_RANGE: std::ops::RangeInclusive<Duration> =
    Duration::from_secs(1)..=Duration::from_secs(60);

/// A keep-alive interval within [`KEEP_ALIVE_RANGE`].
fn parse_keep_alive(text: &str) -> Result<Duration, String> {
    let every = parse_duration(text)?;
    if KEEP_ALIVE_RANGE.contains(&every) {
        return Ok(every);
    }
    Err(format!(
        "{text:?} is outside 1s to 60s: keep-alives must come at least once a minute, \
         or proxies close idle streams, and at most once a second"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_seconds_or_milliseconds() {
        assert_eq!(parse_duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("3s"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_rate("0").is_err() && parse_rate("NaN").is_err());
        assert_eq!(parse_rate("0.5"), Ok(0.5));
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn the_keep_alive_is_between_a_second_and_a_minute() {
        assert_eq!(parse_keep_alive("60s"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_keep_alive("1000ms"), Ok(Duration::from_secs(1)));
        for outside in ["61s", "999ms", "0", "3600"] {
            let err = parse_keep_alive(outside).unwrap_err();
            assert!(err.contains("outside 1s to 60s"), "{outside}: {err}");
        }
    }
}
