//! `--mirror`: a synced copy of the vendor's leads in this server's own
//! database. Lists and single leads (search and tags included) are read
//! from it; creates and updates go to the vendor first and join the copy
//! once accepted (`api/mirror.rs`). [`sync`] keeps it following the vendor;
//! this module holds the handle every request reaches and what the copy's
//! answers say about its freshness.

pub mod sync;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use leads_core::lead::{STALE_HEADER, SYNCED_AT_HEADER};
use tokio::sync::watch;

use crate::store::copy::SyncRecord;
use crate::store::{Database, Store};
use crate::upstream::Upstream;

/// How the copy follows the vendor (`--sync-interval` and friends).
#[derive(Debug, Clone, Copy)]
pub struct SyncSettings {
    /// Between passes over what changed.
    pub interval: Duration,
    /// Most requests per second to the vendor.
    pub max_rps: f64,
    /// Between full walks over every lead.
    pub full_every: Duration,
    /// How old the last pass may be before `/readyz` says not ready.
    pub max_staleness: Duration,
}

impl Default for SyncSettings {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(10),
            max_rps: 2.0,
            full_every: Duration::from_secs(3600),
            max_staleness: Duration::from_secs(300),
        }
    }
}

impl SyncSettings {
    /// The settings from the flags; zero (as in a `Config::default()`)
    /// means the default.
    pub fn from_config(config: &crate::Config) -> SyncSettings {
        let defaults = SyncSettings::default();
        let or = |value: Duration, default| if value.is_zero() { default } else { value };
        SyncSettings {
            interval: or(config.sync_interval, defaults.interval),
            max_rps: if config.sync_max_rps > 0.0 {
                config.sync_max_rps
            } else {
                defaults.max_rps
            },
            full_every: or(config.full_sync_every, defaults.full_every),
            max_staleness: or(config.max_staleness, defaults.max_staleness),
        }
    }
}

/// How long an instance that does not sync trusts the record it read.
const RECORD_KEPT: Duration = Duration::from_secs(1);

/// The copy: where it is kept, the vendor it follows, and where its sync
/// stands. Cheap to clone.
#[derive(Clone)]
pub struct Mirror {
    pub store: Store,
    pub upstream: Upstream,
    database: Database,
    pub settings: SyncSettings,
    /// The sync's record as last read or written, and when.
    record: Arc<Mutex<(SyncRecord, Option<Instant>)>>,
    stopping: watch::Sender<bool>,
}

impl Mirror {
    /// The copy kept in `database`, following `upstream`; its sync runs
    /// from [`Mirror::start`].
    pub fn new(
        store: Store,
        upstream: Upstream,
        database: &Database,
        settings: SyncSettings,
    ) -> Mirror {
        let record = SyncRecord {
            upstream: upstream.base().to_owned(),
            ..SyncRecord::default()
        };
        Mirror {
            store,
            upstream,
            database: database.clone(),
            settings,
            record: Arc::new(Mutex::new((record, None))),
            stopping: watch::channel(false).0,
        }
    }

    /// Starts following the vendor in a task of its own: this instance
    /// syncs whenever no other does.
    pub fn start(&self) {
        tokio::spawn(sync::run(self.clone(), self.stopping.subscribe()));
    }

    /// Ends the sync (the server is stopping).
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }

    /// Where the sync stands: as this instance last wrote it, or read from
    /// the database at most [`RECORD_KEPT`] ago (another instance syncs).
    pub async fn record(&self) -> SyncRecord {
        {
            let kept = self.kept();
            if kept.1.is_some_and(|at| at.elapsed() < RECORD_KEPT) {
                return kept.0.clone();
            }
        }
        match self.database.sync_record().await {
            Ok(Some(record)) => {
                *self.kept() = (record.clone(), Some(Instant::now()));
                record
            }
            Ok(None) => self.kept().0.clone(),
            Err(err) => {
                tracing::warn!("cannot read where the sync stands: {err}");
                self.kept().0.clone()
            }
        }
    }

    /// Keeps `record` in the database and as this instance's view.
    async fn save(&self, record: &SyncRecord) {
        *self.kept() = (record.clone(), Some(Instant::now()));
        if let Err(err) = self.database.save_sync_record(record).await {
            tracing::warn!("cannot keep where the sync stands: {err}");
        }
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, (SyncRecord, Option<Instant>)> {
        self.record.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What `/readyz` should say is wrong with `record`, if anything: a
    /// copy older than `--max-staleness`, or, before the copy is complete
    /// (its first full walk ended), a vendor that does not answer.
    pub async fn problem(&self, record: &SyncRecord) -> Option<String> {
        if record.walked_at.is_none() {
            return (!self.upstream.reachable().await).then(|| {
                "the upstream API could not be reached recently, and the copy of its leads is \
                 not complete yet"
                    .to_owned()
            });
        }
        (!self.fresh(record)).then(|| {
            format!(
                "the copy of the vendor's leads was last synced at {}, longer ago than \
                 --max-staleness ({} s){}",
                record.synced_at.as_deref().unwrap_or("(never)"),
                self.settings.max_staleness.as_secs(),
                record
                    .problem
                    .as_deref()
                    .map(|problem| format!(": {problem}"))
                    .unwrap_or_default()
            )
        })
    }

    /// Where the sync stands, for `/readyz`: `walking`, `following`, or
    /// `vendor unreachable since …`, with its times and why it fails.
    pub fn describe(record: &SyncRecord) -> serde_json::Value {
        let state = match (&record.unreachable_since, &record.state) {
            (Some(since), _) => format!("vendor unreachable since {since}"),
            (None, Some(state)) => state.clone(),
            (None, None) => "starting".to_owned(),
        };
        serde_json::json!({
            "state": state,
            "synced_at": record.synced_at,
            "walked_at": record.walked_at,
            "problem": record.problem,
        })
    }

    /// The headers of an answer served from the copy: when it last reached
    /// the vendor, and whether it is stale (the vendor does not answer, or
    /// no pass reached it for longer than `--max-staleness`).
    pub fn answer_headers(&self, record: &SyncRecord) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(value) = record
            .synced_at
            .as_deref()
            .and_then(|at| HeaderValue::from_str(at).ok())
        {
            headers.insert(header(SYNCED_AT_HEADER), value);
        }
        if record.unreachable_since.is_some() || !self.fresh(record) {
            headers.insert(header(STALE_HEADER), HeaderValue::from_static("true"));
        }
        headers
    }

    /// Whether the last pass that reached the vendor is at most
    /// `--max-staleness` old.
    fn fresh(&self, record: &SyncRecord) -> bool {
        record
            .synced_at
            .as_deref()
            .and_then(age)
            .is_some_and(|age| age <= self.settings.max_staleness)
    }
}

/// The header named `name` (the contract's spelling; HTTP's names are
/// case-insensitive, and this one is lowercased).
pub fn header(name: &'static str) -> HeaderName {
    HeaderName::from_bytes(name.as_bytes())
        .unwrap_or_else(|_| unreachable!("the contract's header names are valid"))
}

/// How long ago `at` (RFC 3339) was on this server's clock; `None` when it
/// is no time.
fn age(at: &str) -> Option<Duration> {
    let at =
        time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).ok()?;
    let ago = time::OffsetDateTime::now_utc() - at;
    Some(Duration::try_from(ago).unwrap_or(Duration::ZERO))
}
