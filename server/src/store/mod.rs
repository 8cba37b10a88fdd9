//! Where the server keeps what it must not lose (the leads, their events,
//! the webhook's deliveries, idempotency keys, shared request counts): a
//! SQLite file, the embedded default for one server process, or
//! PostgreSQL, which several instances share. Both engines keep the same contract (the contract, search and
//! property tests run against each); each has its own versioned migrations,
//! run on start or by `leads-server migrate`.

pub mod copy;
pub mod error;
mod postgres;
mod sqlite;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use leads_core::event::{changed_fields, LeadUpdated};
use leads_core::{Channel, Lead, LeadPatch, LeadStatus, ListQuery, NewLead, PartialLead};
use tokio::sync::Notify;

use crate::error::AppError;
use crate::event::{LeadEvent, Numbered};
use copy::{Absorbed, Incoming, Refusal, SyncRecord};
use error::StoreError;

pub use postgres::{PgUrl, RequestCounts};
pub use sqlite::{blocking, connect, IMMEDIATE};

/// Where the database is, as the command line names it.
#[derive(Debug, Clone)]
pub enum Location {
    /// A SQLite file, created when missing.
    Sqlite(PathBuf),
    /// A PostgreSQL database (`postgres://…` or `postgresql://…`).
    Postgres(PgUrl),
}

impl Location {
    /// `--database`'s value: a PostgreSQL URL, else a SQLite file's path.
    pub fn parse(text: &str) -> Result<Location, String> {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return PgUrl::parse(text).map(Location::Postgres);
        }
        if text.contains("://") {
            return Err(format!(
                "--database {:?} is neither a postgres:// URL nor a file path",
                redact(text)
            ));
        }
        Ok(Location::Sqlite(PathBuf::from(text)))
    }

    /// The location for logs and messages: never a password.
    pub fn describe(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres(url) => url.to_string(),
        }
    }
}

/// A URL with whatever stands between `://` and `@` cut out.
fn redact(text: &str) -> String {
    match (text.find("://"), text.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &text[..scheme], &text[at + 1..])
        }
        _ => text.to_owned(),
    }
}

/// An open, migrated database: what the store, the event log and the
/// idempotency keys are built on. Cheap to clone.
#[derive(Clone)]
pub struct Database {
    pub(crate) engine: Engine,
    /// Rung after this process commits an event, so its own streams hear
    /// of it without waiting for the database to say so.
    wake: Arc<Notify>,
}

#[derive(Clone)]
pub(crate) enum Engine {
    /// SQLite's file: each part opens its own connection to it.
    Sqlite(PathBuf),
    /// PostgreSQL's connection pool, shared by every part, and its URL for
    /// the connection that listens for other instances' events.
    Postgres(deadpool_postgres::Pool, PgUrl),
}

impl Database {
    /// Connects and brings the schema to this release's, logging each
    /// version it passes; a schema newer than this release is refused.
    pub async fn open(location: &Location) -> Result<Database, StoreError> {
        let (engine, (from, to)) = match location {
            Location::Sqlite(path) => {
                let opened = path.clone();
                let versions = tokio::task::spawn_blocking(move || sqlite::migrate(&opened))
                    .await
                    .unwrap_or_else(|err| std::panic::resume_unwind(err.into_panic()))?;
                (Engine::Sqlite(path.clone()), versions)
            }
            Location::Postgres(url) => {
                let pool = postgres::pool(url);
                let versions = postgres::migrate(&pool).await?;
                (Engine::Postgres(pool, url.clone()), versions)
            }
        };
        if from < to {
            tracing::info!(from, to, "migrated the database's schema");
        }
        Ok(Database {
            engine,
            wake: Arc::default(),
        })
    }

    /// Asks the database a trivial question, for readiness checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        match &self.engine {
            Engine::Sqlite(path) => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || {
                    connect(&path)?.query_row("SELECT 1", [], |_| Ok(()))
                })
                .await
                .unwrap_or_else(|err| std::panic::resume_unwind(err.into_panic()))?;
            }
            Engine::Postgres(pool, _) => {
                pool.get().await?.execute("SELECT 1", &[]).await?;
            }
        }
        Ok(())
    }

    /// Request counts every instance shares: PostgreSQL's (SQLite has one
    /// instance, which counts in memory).
    pub fn request_counts(&self) -> Option<RequestCounts> {
        match &self.engine {
            Engine::Sqlite(_) => None,
            Engine::Postgres(pool, _) => Some(RequestCounts::new(pool.clone())),
        }
    }

    /// Checks that this database may serve as asked: the copy of the
    /// vendor's API at `mirror` (made one if it is new), or, with `None`,
    /// a store of its own leads.
    pub async fn claim(&self, mirror: Option<&str>) -> Result<Result<(), Refusal>, StoreError> {
        match &self.engine {
            Engine::Sqlite(path) => {
                let (path, mirror) = (path.clone(), mirror.map(str::to_owned));
                tokio::task::spawn_blocking(move || sqlite::claim(&path, mirror.as_deref()))
                    .await
                    .unwrap_or_else(|err| std::panic::resume_unwind(err.into_panic()))
            }
            Engine::Postgres(pool, _) => postgres::claim(pool, mirror).await,
        }
    }

    /// Where the sync of the copy stands; `None` when this is no copy.
    pub async fn sync_record(&self) -> Result<Option<SyncRecord>, StoreError> {
        match &self.engine {
            Engine::Sqlite(path) => {
                let path = path.clone();
                Ok(
                    tokio::task::spawn_blocking(move || sqlite::load_sync(&path))
                        .await
                        .unwrap_or_else(|err| std::panic::resume_unwind(err.into_panic()))?,
                )
            }
            Engine::Postgres(pool, _) => postgres::load_sync(pool).await,
        }
    }

    /// Keeps where the sync stands.
    pub async fn save_sync_record(&self, record: &SyncRecord) -> Result<(), StoreError> {
        match &self.engine {
            Engine::Sqlite(path) => {
                let (path, record) = (path.clone(), record.clone());
                Ok(
                    tokio::task::spawn_blocking(move || sqlite::save_sync(&path, &record))
                        .await
                        .unwrap_or_else(|err| std::panic::resume_unwind(err.into_panic()))?,
                )
            }
            Engine::Postgres(pool, _) => postgres::save_sync(pool, record).await,
        }
    }

    /// The right to sync the copy, when no other instance has it. SQLite
    /// has one server process, which always has it.
    pub async fn sync_lease(&self) -> Result<Option<SyncLease>, StoreError> {
        match &self.engine {
            Engine::Sqlite(_) => Ok(Some(SyncLease::Only)),
            Engine::Postgres(_, url) => Ok(postgres::SyncLease::take(url)
                .await?
                .map(SyncLease::Postgres)),
        }
    }

    /// The lead events kept in this database.
    pub fn events(&self) -> Result<EventLog, StoreError> {
        Ok(match &self.engine {
            Engine::Sqlite(path) => {
                EventLog::Sqlite(sqlite::Events::open(path, self.wake.clone())?)
            }
            Engine::Postgres(pool, url) => EventLog::Postgres(postgres::Events::new(
                pool.clone(),
                url.clone(),
                self.wake.clone(),
            )),
        })
    }
}

/// The right to sync the copy: one instance at a time has it.
pub enum SyncLease {
    /// The only process on a SQLite file.
    Only,
    /// A PostgreSQL lock, held while its connection lives.
    Postgres(postgres::SyncLease),
}

impl SyncLease {
    /// Whether this instance still has it.
    pub async fn held(&self) -> bool {
        match self {
            SyncLease::Only => true,
            SyncLease::Postgres(lease) => lease.held().await,
        }
    }
}

/// The lead events a database keeps: each numbered in the order its
/// transaction committed, the number being the event's SSE id. Writes to
/// the store record theirs in their own transaction; the rest (proxy mode's)
/// are appended here.
pub enum EventLog {
    Sqlite(sqlite::Events),
    Postgres(postgres::Events),
}

impl EventLog {
    /// Appends `event`.
    pub async fn append(&self, event: &LeadEvent) -> Result<(), AppError> {
        match self {
            EventLog::Sqlite(log) => log.append(None, event).await.map(drop),
            EventLog::Postgres(log) => log.append(None, event).await.map(drop),
        }
    }

    /// Appends `event` for the webhook delivery `delivery`, unless that
    /// delivery was taken before (by any instance): `false` then.
    pub async fn deliver(&self, delivery: &str, event: &LeadEvent) -> Result<bool, AppError> {
        match self {
            EventLog::Sqlite(log) => log.append(Some(delivery), event).await,
            EventLog::Postgres(log) => log.append(Some(delivery), event).await,
        }
    }

    /// The newest `count` events, oldest first.
    pub async fn tail(&self, count: usize) -> Result<Vec<Numbered>, AppError> {
        match self {
            EventLog::Sqlite(log) => log.tail(count).await,
            EventLog::Postgres(log) => log.tail(count).await,
        }
    }

    /// The events after `id`, oldest first, at most `limit`.
    pub async fn after(&self, id: u64, limit: usize) -> Result<Vec<Numbered>, AppError> {
        match self {
            EventLog::Sqlite(log) => log.after(id, limit).await,
            EventLog::Postgres(log) => log.after(id, limit).await,
        }
    }

    /// Forgets the events up to `id`, and webhook deliveries past their
    /// week.
    pub async fn forget(&self, id: u64) -> Result<(), AppError> {
        match self {
            EventLog::Sqlite(log) => log.forget(id).await,
            EventLog::Postgres(log) => log.forget(id).await,
        }
    }

    /// Resolves when there may be new events: this process committed one,
    /// or (PostgreSQL) another instance said so. Waking for nothing is
    /// harmless; the caller also reads on a timer, so a wake-up lost with
    /// a dropped connection costs a delay, never an event.
    pub async fn woken(&mut self) {
        match self {
            EventLog::Sqlite(log) => log.woken().await,
            EventLog::Postgres(log) => log.woken().await,
        }
    }
}

/// How long webhook deliveries are remembered: vendors retry for hours,
/// not weeks.
const DELIVERIES_KEPT_SECONDS: i64 = 7 * 24 * 60 * 60;

/// What happened to a lead the webhook delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adopted {
    /// Stored, and announced.
    Stored,
    /// This delivery came before: nothing changed.
    Duplicate,
    /// Another delivery brought a lead with this id: nothing changed.
    LeadExists,
}

/// The leads, in whichever engine; cheap to clone.
#[derive(Clone)]
pub enum Store {
    Sqlite(sqlite::Sqlite),
    Postgres(postgres::Postgres),
}

impl Store {
    /// The lead store on an open database.
    pub fn new(database: &Database) -> Result<Store, StoreError> {
        let wake = database.wake.clone();
        Ok(match &database.engine {
            Engine::Sqlite(path) => Store::Sqlite(sqlite::Sqlite::open(path, wake)?),
            Engine::Postgres(pool, _) => {
                Store::Postgres(postgres::Postgres::new(pool.clone(), wake))
            }
        })
    }

    /// Seeds `count` demo leads when there are none; returns how many.
    pub async fn seed_if_empty(&self, count: u32) -> Result<u32, AppError> {
        match self {
            Store::Sqlite(db) => db.seed_if_empty(count).await,
            Store::Postgres(db) => db.seed_if_empty(count).await,
        }
    }

    /// One page of leads in the query's order, and the total that match.
    pub async fn list(&self, query: &ListQuery) -> Result<(Vec<Lead>, u64), AppError> {
        match self {
            Store::Sqlite(db) => db.list(query).await,
            Store::Postgres(db) => db.list(query).await,
        }
    }

    /// The lead with `id`, if there is one.
    pub async fn get(&self, id: &str) -> Result<Option<Lead>, AppError> {
        match self {
            Store::Sqlite(db) => db.get(id).await,
            Store::Postgres(db) => db.get(id).await,
        }
    }

    /// Stores a validated new lead under the next minted id, and its
    /// `lead.created`, and returns it.
    pub async fn create(&self, new: NewLead) -> Result<Lead, AppError> {
        match self {
            Store::Sqlite(db) => db.create(new).await,
            Store::Postgres(db) => db.create(new).await,
        }
    }

    /// Stores a lead that arrived with its own id in the webhook delivery
    /// `delivery`, and its `lead.created`, unless that delivery came before
    /// or a lead already has that id: one transaction, so two instances
    /// given the same delivery store and announce it once.
    pub async fn adopt(&self, lead: Lead, delivery: &str) -> Result<Adopted, AppError> {
        match self {
            Store::Sqlite(db) => db.adopt(lead, delivery.to_owned()).await,
            Store::Postgres(db) => db.adopt(lead, delivery).await,
        }
    }

    /// Takes a lead the vendor told of into the synced copy, with its
    /// `lead.created` or `lead.updated` when it is new or changed.
    pub async fn absorb(&self, incoming: Incoming) -> Result<Absorbed, AppError> {
        let mut absorbed = self.absorb_all(vec![incoming]).await?;
        Ok(absorbed.pop().unwrap_or(Absorbed::Duplicate))
    }

    /// [`Store::absorb`] for a page of leads, in one transaction: a walk
    /// over many thousands writes (and syncs to disk) once a page.
    pub async fn absorb_all(&self, incoming: Vec<Incoming>) -> Result<Vec<Absorbed>, AppError> {
        match self {
            Store::Sqlite(db) => db.absorb(incoming).await,
            Store::Postgres(db) => db.absorb(incoming).await,
        }
    }

    /// Applies a validated patch, with its `lead.updated` when it changed
    /// anything; `None` when no lead has `id`, else the lead after.
    pub async fn update(&self, id: &str, patch: LeadPatch) -> Result<Option<Lead>, AppError> {
        match self {
            Store::Sqlite(db) => db.update(id, patch).await,
            Store::Postgres(db) => db.update(id, patch).await,
        }
    }
}

/// The id the server mints for a row: `lead_001` … `lead_999`, then
/// `lead_1000`.
pub fn id_from_seq(seq: i64) -> String {
    format!("lead_{seq:03}")
}

/// What a total depends on: every filter of a view, not its order or page.
type Filters = (
    Option<LeadStatus>,
    Option<Channel>,
    Option<String>,
    Option<String>,
);

/// Most totals kept at once: searches are many and each is cheap to count
/// again, so the cache only has to serve the pages of a view.
const MAX_TOTALS: usize = 1000;

/// Each view's total as last counted, kept until the leads change: counting
/// the leads with one status costs far more than reading a page of them
/// (it walks every match).
#[derive(Default)]
struct Totals {
    counts: HashMap<Filters, u64>,
}

impl Totals {
    /// The filters `query`'s total depends on.
    fn key(query: &ListQuery) -> Filters {
        (
            query.status,
            query.source,
            query.q.clone(),
            query.tag.clone(),
        )
    }

    fn get(&self, filters: &Filters) -> Option<u64> {
        self.counts.get(filters).copied()
    }

    /// Keeps `total` for the view `filters` until [`Totals::forget`].
    fn remember(&mut self, filters: Filters, total: u64) {
        if self.counts.len() >= MAX_TOTALS {
            self.counts.clear();
        }
        self.counts.insert(filters, total);
    }

    /// Forgets every total: the leads changed.
    fn forget(&mut self) {
        self.counts.clear();
    }
}

/// The event a write that took `before` to `after` announces, when it
/// changed anything.
fn updated(before: &Lead, after: &Lead) -> Option<LeadEvent> {
    let fields = changed_fields(before, after);
    (!fields.is_empty()).then(|| {
        LeadEvent::Updated(LeadUpdated {
            id: after.id.clone(),
            fields: fields.into_iter().map(str::to_owned).collect(),
            lead: PartialLead::from(after.clone()),
        })
    })
}

/// The event a stored new lead announces.
fn created(lead: &Lead) -> LeadEvent {
    LeadEvent::Created(PartialLead::from(lead.clone()))
}

/// `INSERT INTO leads (seq, a, b, …) VALUES (…)` for `columns`, with the
/// row's `seq` bound last; `mark` is the engine's placeholder sign (`?` or
/// `$`). Both engines build their statements from their one column list.
fn insert_sql(columns: &[&str], mark: char) -> String {
    let values: Vec<String> = (1..=columns.len()).map(|i| format!("{mark}{i}")).collect();
    format!(
        "INSERT INTO leads (seq, {}) VALUES ({mark}{}, {})",
        columns.join(", "),
        columns.len() + 1,
        values.join(", ")
    )
}

/// `UPDATE leads SET a = …, b = … WHERE id = …` for `columns`, with the
/// lead's id bound last.
fn update_sql(columns: &[&str], mark: char) -> String {
    let assignments: Vec<String> = (1..)
        .zip(columns)
        .map(|(i, column)| format!("{column} = {mark}{i}"))
        .collect();
    format!(
        "UPDATE leads SET {} WHERE id = {mark}{}",
        assignments.join(", "),
        columns.len() + 1
    )
}

/// A lead's tags as stored: a JSON array.
fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_ids_count_up_in_three_digits_then_more() {
        assert_eq!(id_from_seq(1), "lead_001");
        assert_eq!(id_from_seq(1000), "lead_1000");
    }

    #[test]
    fn a_url_selects_postgres_and_anything_else_is_a_file() {
        assert!(matches!(
            Location::parse("postgres://leads@db/leads"),
            Ok(Location::Postgres(_))
        ));
        assert!(matches!(
            Location::parse("postgresql:///leads?host=/run/pg"),
            Ok(Location::Postgres(_))
        ));
        assert!(matches!(
            Location::parse("data/leads.db"),
            Ok(Location::Sqlite(_))
        ));
        let err = Location::parse("mysql://root:hunter2@db/leads").unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
    }
}
