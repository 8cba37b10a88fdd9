//! Leads in PostgreSQL, which several server instances share. The same
//! contract as SQLite's store: the same columns, the same total order
//! (text compared by code point, null scores last), the same search rule
//! (`pg_trgm` indexes the folded name and email and the phone's digits, so
//! a `LIKE '%text%'` finds any substring without reading the table).
//!
//! Names, emails, sources and tags may hold any character, NUL included,
//! which PostgreSQL's `text` cannot: they are kept as UTF-8 in `bytea`,
//! which also compares byte by byte, as SQLite does (`convert_from(name,
//! 'UTF8')` reads one in `psql`).

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use leads_core::field::LeadField;
use leads_core::search::{self, Search};
use leads_core::{Lead, LeadPatch, LeadStatus, ListQuery, NewLead, Sort, SortField};
use tokio::sync::Notify;
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::types::ToSql;
use tokio_postgres::{IsolationLevel, NoTls, Row};

use super::copy::{self, Absorbed, Decision, Incoming, Refusal, SyncRecord};
use super::error::{describe, StoreError};
use super::{id_from_seq, tags_json, Adopted, Totals};
use crate::error::AppError;
use crate::event::{LeadEvent, Numbered};
use crate::seed;
use crate::time;

/// A PostgreSQL connection string, shown without its password.
#[derive(Clone)]
pub struct PgUrl {
    config: Box<tokio_postgres::Config>,
}

impl PgUrl {
    /// Reads `postgres://user:password@host:port/database?…`; a Unix
    /// socket's folder goes in `host`, e.g. `postgres:///leads?host=/run/postgresql`.
    pub fn parse(text: &str) -> Result<PgUrl, String> {
        let config: tokio_postgres::Config = text.parse().map_err(|err| {
            format!(
                "--database {} is not a PostgreSQL URL: {err}",
                super::redact(text)
            )
        })?;
        if config.get_ssl_mode() == SslMode::Require {
            return Err(
                "--database asks for sslmode=require, but this server speaks to PostgreSQL \
                 without TLS: reach it over a Unix socket or a private network, and leave \
                 sslmode out"
                    .to_owned(),
            );
        }
        Ok(PgUrl {
            config: Box::new(config),
        })
    }
}

impl fmt::Display for PgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let user = self.config.get_user().unwrap_or_default();
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(name)) => name.clone(),
            Some(Host::Unix(path)) => path.display().to_string(),
            None => String::new(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        let database = self.config.get_dbname().unwrap_or(user);
        write!(f, "postgres://{user}@{host}:{port}/{database}")
    }
}

impl fmt::Debug for PgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PgUrl({self})")
    }
}

/// Connections kept open per instance: each request holds one only while
/// its statements run.
const POOL_SIZE: usize = 16;

/// How long a request waits for a connection, or for one to be made.
const POOL_WAIT: Duration = Duration::from_secs(5);

/// The pool for `url`; it connects on first use.
pub fn pool(url: &PgUrl) -> Pool {
    let manager = Manager::from_config(
        (*url.config).clone(),
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(POOL_SIZE)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(POOL_WAIT))
        .create_timeout(Some(POOL_WAIT))
        .recycle_timeout(Some(POOL_WAIT))
        .build()
        .unwrap_or_else(|_| unreachable!("the timeouts come with their runtime"))
}

/// Held (per session) while migrations run, so instances starting together
/// take turns: the second finds the schema already migrated.
const MIGRATION_LOCK: i64 = 0x1EAD_0001;

/// Held (per transaction) while demo leads are seeded, so two instances
/// starting on an empty database seed it once.
const SEED_LOCK: i64 = 0x1EAD_0002;

/// Held (per transaction) from the moment an event takes its number until
/// its transaction commits, so events commit in the order of their
/// numbers: a reader that has seen number `n` has seen every event before
/// it, whichever instance wrote it.
const EVENTS_LOCK: i64 = 0x1EAD_0003;

/// The channel on which a commit with events wakes every instance.
const EVENTS_CHANNEL: &str = "leads_events";

/// This release's schema steps: step `n` takes a database to version `n + 1`.
fn migrations() -> Vec<String> {
    vec![version_1(), COPY_SCHEMA.to_owned()]
}

/// Version 2: the synced copy's record ([`SyncRecord`]; one row, made when
/// a server first mirrors into the database) and the leads whose times are
/// guesses.
const COPY_SCHEMA: &str = "
CREATE TABLE mirror_state (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    upstream          TEXT NOT NULL,
    walked_at         TEXT,
    synced_at         TEXT,
    cursor            TEXT COLLATE \"C\",
    unreachable_since TEXT,
    problem           TEXT,
    state             TEXT
);
CREATE TABLE mirror_guesses (id TEXT PRIMARY KEY);";

/// Held (per transaction) while a lead from the vendor joins the copy, so
/// the sync, a webhook and a write's answer at two instances take turns.
const COPY_LOCK: i64 = 0x1EAD_0004;

/// Held (per session) by the one instance that syncs the copy; freed when
/// its connection ends, the process with it.
const SYNC_LOCK: i64 = 0x1EAD_0005;

/// Brings the database to this release's schema, one transaction per
/// version; returns the versions before and after. A schema newer than
/// this release is refused.
pub async fn migrate(pool: &Pool) -> Result<(i64, i64), StoreError> {
    let mut client = pool.get().await?;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let migrated = run_migrations(&mut client).await;
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await?;
    migrated
}

async fn run_migrations(client: &mut deadpool_postgres::Client) -> Result<(i64, i64), StoreError> {
    let steps = migrations();
    let known = i64::try_from(steps.len()).unwrap_or(i64::MAX);
    // Looked up first: where migrations are run separately, the server's
    // own role may not be allowed to create tables.
    let kept: bool = client
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
        .await?
        .get(0);
    if !kept {
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                     version    INTEGER PRIMARY KEY,
                     applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                 )",
            )
            .await?;
    }
    let found: i64 = client
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations",
            &[],
        )
        .await?
        .get(0);
    if found > known {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    for (version, sql) in (found + 1..).zip(&steps[usize::try_from(found).unwrap_or(0)..]) {
        let tx = client.transaction().await?;
        tx.batch_execute(sql).await?;
        let version = i32::try_from(version).unwrap_or(i32::MAX);
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[&version],
        )
        .await?;
        tx.commit().await?;
    }
    Ok((found, known))
}

/// Version 1: the leads, an index for every filter and sort, the search
/// indexes, the tags, the idempotency keys, the events, the webhook
/// deliveries and the request counts.
fn version_1() -> String {
    let mut sql = String::from(
        r#"
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE SEQUENCE leads_seq;
CREATE TABLE leads (
    seq          BIGINT PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    name         BYTEA NOT NULL,
    name_key     BYTEA NOT NULL,
    phone        TEXT,
    email        BYTEA,
    status       SMALLINT NOT NULL,
    source       BYTEA NOT NULL,
    score        SMALLINT,
    tags         TEXT NOT NULL,
    created_at   TEXT COLLATE "C" NOT NULL,
    updated_at   TEXT COLLATE "C" NOT NULL,
    search_name  TEXT NOT NULL,
    search_email TEXT,
    search_phone TEXT
);
CREATE INDEX leads_search_name ON leads USING gin (search_name gin_trgm_ops);
CREATE INDEX leads_search_email ON leads USING gin (search_email gin_trgm_ops);
CREATE INDEX leads_search_phone ON leads USING gin (search_phone gin_trgm_ops);
CREATE TABLE lead_tags (
    tag BYTEA NOT NULL,
    seq BIGINT NOT NULL REFERENCES leads (seq),
    PRIMARY KEY (tag, seq)
);
CREATE INDEX lead_tags_by_seq ON lead_tags (seq);
CREATE TABLE idempotency_keys (
    who         BYTEA NOT NULL,
    key         TEXT NOT NULL,
    fingerprint BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    status      SMALLINT,
    location    TEXT,
    body        BYTEA,
    PRIMARY KEY (who, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
CREATE TABLE events (
    id   BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE webhook_deliveries (
    id          TEXT PRIMARY KEY,
    received_at BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_by_age ON webhook_deliveries (received_at);
CREATE TABLE request_counts (
    client BYTEA NOT NULL,
    minute BIGINT NOT NULL,
    count  INTEGER NOT NULL,
    PRIMARY KEY (client, minute)
);
CREATE INDEX request_counts_by_minute ON request_counts (minute);
"#,
    );
    let filters = [
        ("all", ""),
        ("status", "status, "),
        ("source", "source, "),
        ("both", "status, source, "),
    ];
    let sorts = SortField::ALL
        .into_iter()
        .flat_map(|f| [Sort::asc(f), Sort::desc(f)]);
    for sort in sorts {
        let Some((name, columns)) = index_key(sort) else {
            continue;
        };
        for (filter, prefix) in filters {
            if prefix.contains(sort_column(sort)) {
                continue;
            }
            sql.push_str(&format!(
                "CREATE INDEX leads_{filter}_by_{name} ON leads ({prefix}{columns});\n"
            ));
        }
    }
    sql
}

/// The column a sort orders by.
fn sort_column(sort: Sort) -> &'static str {
    match sort.field {
        SortField::CreatedAt => "created_at",
        SortField::UpdatedAt => "updated_at",
        SortField::Name => "name_key",
        SortField::Status => "status",
        SortField::Score => "score",
    }
}

/// The index a sort is read from: its name and columns. One index serves
/// both directions (read backwards), except the score's, whose nulls come
/// last either way; `None` for the direction another's index serves.
fn index_key(sort: Sort) -> Option<(&'static str, &'static str)> {
    match (sort.field, sort.descending) {
        (SortField::Score, false) => Some(("score", "score ASC NULLS LAST, seq ASC")),
        (SortField::Score, true) => Some(("score_desc", "score DESC NULLS LAST, seq DESC")),
        (_, true) => None,
        (SortField::CreatedAt, false) => Some(("created_at", "created_at, seq")),
        (SortField::UpdatedAt, false) => Some(("updated_at", "updated_at, seq")),
        (SortField::Name, false) => Some(("name", "name_key, seq")),
        (SortField::Status, false) => Some(("status", "status, seq")),
    }
}

/// The total order of the contract: the field, then creation order, both
/// reversed by a descending sort, with null scores last either way.
fn order_by(sort: Sort) -> String {
    let dir = if sort.descending { "DESC" } else { "ASC" };
    let nulls = if sort.field == SortField::Score {
        " NULLS LAST"
    } else {
        ""
    };
    format!("{} {dir}{nulls}, seq {dir}", sort_column(sort))
}

/// Every column a lead is read from.
const COLUMNS: &str = "id, name, phone, email, status, source, score, tags, created_at, updated_at";

/// A statement's values, of whatever types.
type Args = Vec<Box<dyn ToSql + Sync + Send>>;

/// The leads in PostgreSQL; cheap to clone.
#[derive(Clone)]
pub struct Postgres {
    pool: Pool,
    /// Rung after a write commits its event.
    wake: Arc<Notify>,
    /// Totals as counted at a moment of the data ([`Moment`]).
    totals: Arc<Mutex<(Moment, Totals)>>,
}

/// The newest event and the newest lead: any instance's write moves one
/// (every create, update and webhook lead records an event; seeding adds
/// leads), so totals counted at an earlier moment are stale. Read in the
/// list's own snapshot, so the total it keeps is the one it counted.
type Moment = (i64, i64);

impl Postgres {
    pub fn new(pool: Pool, wake: Arc<Notify>) -> Postgres {
        Postgres {
            pool,
            wake,
            totals: Arc::default(),
        }
    }

    pub async fn seed_if_empty(&self, count: u32) -> Result<u32, AppError> {
        let now = ::time::OffsetDateTime::now_utc();
        let mut client = self.pool.get().await.map_err(StoreError::from)?;
        let tx = client.transaction().await.map_err(StoreError::from)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SEED_LOCK])
            .await
            .map_err(StoreError::from)?;
        let existing: bool = tx
            .query_one("SELECT EXISTS (SELECT 1 FROM leads)", &[])
            .await
            .map_err(StoreError::from)?
            .get(0);
        if existing || count == 0 {
            return Ok(0);
        }
        for mut lead in seed::demo_leads(count, now) {
            mint(&tx, &mut lead).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        // Statistics for the planner and a visibility map for index-only
        // scans now, rather than whenever autovacuum comes by.
        client
            .batch_execute("VACUUM ANALYZE leads, lead_tags")
            .await
            .map_err(StoreError::from)?;
        Ok(count)
    }

    pub async fn list(&self, query: &ListQuery) -> Result<(Vec<Lead>, u64), AppError> {
        let (where_sql, args) = filter(query);
        let params = params(&args);
        let mut client = self.pool.get().await.map_err(StoreError::from)?;
        // One snapshot for the total and the page, so they agree.
        let tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(StoreError::from)?;
        if query.q.is_some() || query.tag.is_some() {
            // A plan for this text or tag: a generic plan cannot know
            // whether it is rare or common, and the one PostgreSQL settles
            // on after five asks walked every lead for a rare text (30 to
            // 90 ms at 100,000 against 1 to 2).
            tx.batch_execute("SET LOCAL plan_cache_mode = force_custom_plan")
                .await
                .map_err(StoreError::from)?;
        }
        let moment = tx
            .prepare_cached(
                "SELECT (SELECT COALESCE(MAX(id), 0) FROM events), \
                        (SELECT COALESCE(MAX(seq), 0) FROM leads)",
            )
            .await
            .map_err(StoreError::from)?;
        let moment: Moment = {
            let row = tx.query_one(&moment, &[]).await.map_err(StoreError::from)?;
            (row.get(0), row.get(1))
        };
        let key = Totals::key(query);
        let kept = {
            let mut totals = self.totals();
            if totals.0 != moment {
                *totals = (moment, Totals::default());
            }
            totals.1.get(&key)
        };
        let total = match kept {
            Some(total) => total,
            None => {
                let count = tx
                    .prepare_cached(&format!("SELECT COUNT(*) FROM leads{where_sql}"))
                    .await
                    .map_err(StoreError::from)?;
                let counted: i64 = tx
                    .query_one(&count, &params)
                    .await
                    .map_err(StoreError::from)?
                    .get(0);
                let counted = u64::try_from(counted).unwrap_or(0);
                let mut totals = self.totals();
                if totals.0 == moment {
                    totals.1.remember(key, counted);
                }
                counted
            }
        };
        // The page's rows are found in the sort's index alone (an index-only
        // scan passes over the offset without reading a row: 11 ms against
        // 2.7 at page 500 of 100,000), then read.
        let order = order_by(query.sort);
        let page = tx
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM leads WHERE seq IN (\
                   SELECT seq FROM leads{where_sql} ORDER BY {order} LIMIT {} OFFSET {}\
                 ) ORDER BY {order}",
                query.limit,
                query.offset()
            ))
            .await
            .map_err(StoreError::from)?;
        let rows = tx.query(&page, &params).await.map_err(StoreError::from)?;
        tx.commit().await.map_err(StoreError::from)?;
        let leads = rows.iter().map(lead_from_row).collect::<Result<_, _>>()?;
        Ok((leads, total))
    }

    fn totals(&self) -> std::sync::MutexGuard<'_, (Moment, Totals)> {
        // Only plain values are kept under the lock: a panic cannot leave
        // them half-changed.
        self.totals
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub async fn get(&self, id: &str) -> Result<Option<Lead>, AppError> {
        let client = self.pool.get().await.map_err(StoreError::from)?;
        Ok(select_one(&client, id, "").await?)
    }

    pub async fn create(&self, new: NewLead) -> Result<Lead, AppError> {
        let mut lead = new.into_lead(String::new(), &time::now());
        let mut client = self.pool.get().await.map_err(StoreError::from)?;
        let tx = client.transaction().await.map_err(StoreError::from)?;
        mint(&tx, &mut lead).await?;
        record(&tx, &super::created(&lead)).await?;
        tx.commit().await.map_err(StoreError::from)?;
        self.wake.notify_one();
        Ok(lead)
    }

    pub async fn adopt(&self, lead: Lead, delivery: &str) -> Result<Adopted, AppError> {
        let mut client = self.pool.get().await.map_err(StoreError::from)?;
        let tx = client.transaction().await.map_err(StoreError::from)?;
        // The same delivery at two instances at once: the second's insert
        // waits for the first's commit, then changes nothing.
        if !take_delivery(&tx, delivery).await? {
            return Ok(Adopted::Duplicate);
        }
        // Looked up first, so a lead delivered again does not use up a
        // number the next minted id would have had.
        let adopted = if select_one(&tx, &lead.id, "").await?.is_some() {
            Adopted::LeadExists
        } else {
            match insert(&tx, &lead).await? {
                Some(seq) => {
                    index_tags(&tx, seq, &lead).await?;
                    record(&tx, &super::created(&lead)).await?;
                    Adopted::Stored
                }
                None => Adopted::LeadExists,
            }
        };
        tx.commit().await.map_err(StoreError::from)?;
        self.wake.notify_one();
        Ok(adopted)
    }

    pub async fn update(&self, id: &str, patch: LeadPatch) -> Result<Option<Lead>, AppError> {
        let mut client = self.pool.get().await.map_err(StoreError::from)?;
        let tx = client.transaction().await.map_err(StoreError::from)?;
        // Locked until the commit: two instances' patches of one lead apply
        // one after the other, each to the lead as the other left it.
        let Some(before) = select_one(&tx, id, " FOR UPDATE").await? else {
            return Ok(None);
        };
        let mut lead = before.clone();
        lead.apply(&patch, &time::now());
        rewrite(&tx, &lead).await?;
        if let Some(event) = super::updated(&before, &lead) {
            record(&tx, &event).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        self.wake.notify_one();
        Ok(Some(lead))
    }
}

impl Postgres {
    /// Takes leads the vendor told of into the copy, each with its event,
    /// in one transaction ([`copy::decide`]).
    pub async fn absorb(&self, incoming: Vec<Incoming>) -> Result<Vec<Absorbed>, AppError> {
        let mut client = self.pool.get().await.map_err(StoreError::from)?;
        let tx = client.transaction().await.map_err(StoreError::from)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&COPY_LOCK])
            .await
            .map_err(StoreError::from)?;
        let mut absorbed = Vec::with_capacity(incoming.len());
        for incoming in &incoming {
            absorbed.push(absorb_one(&tx, incoming).await?);
        }
        tx.commit().await.map_err(StoreError::from)?;
        if absorbed
            .iter()
            .any(|absorbed| matches!(absorbed, Absorbed::Created(_) | Absorbed::Changed(_)))
        {
            self.wake.notify_one();
        }
        Ok(absorbed)
    }
}

/// One lead into the copy, in the caller's transaction.
async fn absorb_one(
    tx: &deadpool_postgres::Transaction<'_>,
    incoming: &Incoming,
) -> Result<Absorbed, AppError> {
    if let Some(delivery) = &incoming.delivery {
        if !take_delivery(tx, delivery).await? {
            return Ok(Absorbed::Duplicate);
        }
    }
    let id = incoming.lead.id.clone();
    let existing = match select_one(tx, &id, "").await? {
        Some(lead) => {
            let guessed: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM mirror_guesses WHERE id = $1)",
                    &[&id],
                )
                .await
                .map_err(StoreError::from)?
                .get(0);
            Some((lead, guessed))
        }
        None => None,
    };
    let absorbed = match copy::decide(existing, incoming) {
        Decision::Insert(lead, event) => {
            let free = match copy::row_hint(&id) {
                Some(seq) => {
                    let taken: bool = tx
                        .query_one(
                            "SELECT EXISTS (SELECT 1 FROM leads WHERE seq = $1)",
                            &[&seq],
                        )
                        .await
                        .map_err(StoreError::from)?
                        .get(0);
                    (!taken).then_some(seq)
                }
                None => None,
            };
            // Past every row (the hints leave the sequence behind);
            // the lock keeps two absorbs from taking the same.
            let seq = match free {
                Some(seq) => seq,
                None => tx
                    .query_one("SELECT COALESCE(MAX(seq), 0) + 1 FROM leads", &[])
                    .await
                    .map_err(StoreError::from)?
                    .get(0),
            };
            let seq = insert_at(tx, seq, &lead).await?;
            if let Some(seq) = seq {
                index_tags(tx, seq, &lead).await?;
            }
            record(tx, &event).await?;
            Absorbed::Created(lead)
        }
        Decision::Update(lead, event) => {
            rewrite(tx, &lead).await?;
            if let Some(event) = event {
                record(tx, &event).await?;
            }
            Absorbed::Changed(lead)
        }
        Decision::Leave(absorbed) => absorbed,
    };
    let guesses = if copy::keeps_guesses(incoming, &absorbed) {
        "INSERT INTO mirror_guesses (id) VALUES ($1) ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM mirror_guesses WHERE id = $1"
    };
    tx.execute(guesses, &[&id])
        .await
        .map_err(StoreError::from)?;
    Ok(absorbed)
}

/// The sync's record, if the database holds a copy.
pub async fn load_sync(pool: &Pool) -> Result<Option<SyncRecord>, StoreError> {
    let client = pool.get().await?;
    let row = client
        .query_opt(
            "SELECT upstream, walked_at, synced_at, cursor, unreachable_since, problem, state \
             FROM mirror_state WHERE id = 1",
            &[],
        )
        .await?;
    Ok(row.map(|r| SyncRecord {
        upstream: r.get(0),
        walked_at: r.get(1),
        synced_at: r.get(2),
        cursor: r.get(3),
        unreachable_since: r.get(4),
        problem: r.get(5),
        state: r.get(6),
    }))
}

/// Keeps the sync's progress.
pub async fn save_sync(pool: &Pool, record: &SyncRecord) -> Result<(), StoreError> {
    pool.get()
        .await?
        .execute(
            "UPDATE mirror_state SET walked_at = $1, synced_at = $2, cursor = $3, \
             unreachable_since = $4, problem = $5, state = $6 WHERE id = 1 AND upstream = $7",
            &[
                &record.walked_at,
                &record.synced_at,
                &record.cursor,
                &record.unreachable_since,
                &record.problem,
                &record.state,
                &record.upstream,
            ],
        )
        .await?;
    Ok(())
}

/// Checks that the database may serve as it is asked to: the copy of
/// `mirror` (made here if it is new), or, with `None`, a store of its own.
pub async fn claim(pool: &Pool, mirror: Option<&str>) -> Result<Result<(), Refusal>, StoreError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&COPY_LOCK])
        .await?;
    let copy_of: Option<String> = tx
        .query_opt("SELECT upstream FROM mirror_state WHERE id = 1", &[])
        .await?
        .map(|r| r.get(0));
    let refusal = match (mirror, copy_of) {
        (None, None) => None,
        (None, Some(upstream)) => Some(Refusal::IsACopy(upstream)),
        (Some(wanted), Some(upstream)) => (wanted != upstream).then_some(Refusal::CopyOf(upstream)),
        (Some(wanted), None) => {
            let any: bool = tx
                .query_one("SELECT EXISTS (SELECT 1 FROM leads)", &[])
                .await?
                .get(0);
            if any {
                Some(Refusal::HasOwnLeads)
            } else {
                tx.execute(
                    "INSERT INTO mirror_state (id, upstream) VALUES (1, $1)",
                    &[&wanted],
                )
                .await?;
                None
            }
        }
    };
    tx.commit().await?;
    Ok(refusal.map_or(Ok(()), Err))
}

/// The right to sync the copy: a connection of its own holding
/// [`SYNC_LOCK`]. Dropping it ends the connection, which frees the lock.
pub struct SyncLease {
    client: tokio_postgres::Client,
    connection: tokio::task::JoinHandle<()>,
}

impl Drop for SyncLease {
    fn drop(&mut self) {
        self.connection.abort();
    }
}

impl SyncLease {
    /// The lease, when no other instance holds it.
    pub async fn take(url: &PgUrl) -> Result<Option<SyncLease>, StoreError> {
        let (client, connection) = url.config.connect(NoTls).await?;
        let connection = tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::warn!("the sync's lock connection ended: {}", describe(&err));
            }
        });
        let lease = SyncLease { client, connection };
        let held: bool = lease
            .client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&SYNC_LOCK])
            .await?
            .get(0);
        Ok(held.then_some(lease))
    }

    /// Whether the lease still holds: its connection answers.
    pub async fn held(&self) -> bool {
        !self.client.is_closed() && self.client.simple_query("SELECT 1").await.is_ok()
    }
}

/// Writes every column of `lead`'s row, and its tags anew.
async fn rewrite(tx: &deadpool_postgres::Transaction<'_>, lead: &Lead) -> Result<(), AppError> {
    let values = values(lead);
    let columns: Vec<&str> = values.iter().map(|(column, _)| *column).collect();
    let sql = format!("{} RETURNING seq", super::update_sql(&columns, '$'));
    let mut args: Args = values.into_iter().map(|(_, value)| value).collect();
    args.push(Box::new(lead.id.clone()));
    let seq: i64 = tx
        .query_one(&sql, &params(&args))
        .await
        .map_err(StoreError::from)?
        .get(0);
    tx.execute("DELETE FROM lead_tags WHERE seq = $1", &[&seq])
        .await
        .map_err(StoreError::from)?;
    index_tags(tx, seq, lead).await?;
    Ok(())
}

/// Keeps `event` in the transaction of the write it tells of, numbered
/// under [`EVENTS_LOCK`], and wakes every instance when it commits.
async fn record(
    tx: &deadpool_postgres::Transaction<'_>,
    event: &LeadEvent,
) -> Result<(), StoreError> {
    let lock = tx
        .prepare_cached("SELECT pg_advisory_xact_lock($1)")
        .await?;
    tx.execute(&lock, &[&EVENTS_LOCK]).await?;
    let insert = tx
        .prepare_cached("INSERT INTO events (name, data) VALUES ($1, $2)")
        .await?;
    tx.execute(&insert, &[&event.name(), &event.data()]).await?;
    let notify = tx.prepare_cached("SELECT pg_notify($1, '')").await?;
    tx.execute(&notify, &[&EVENTS_CHANNEL]).await?;
    Ok(())
}

/// Notes the webhook delivery `id`; `false` when it was noted before.
async fn take_delivery(
    tx: &deadpool_postgres::Transaction<'_>,
    id: &str,
) -> Result<bool, StoreError> {
    let taken = tx
        .execute(
            "INSERT INTO webhook_deliveries (id, received_at) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
            &[&id, &time::unix_now()],
        )
        .await?;
    Ok(taken == 1)
}

/// The event log, and a connection of its own that listens for other
/// instances' commits.
pub struct Events {
    pool: Pool,
    url: PgUrl,
    wake: Arc<Notify>,
    /// What the listening connection hears, while it is up.
    heard: Option<tokio::sync::mpsc::Receiver<()>>,
}

/// How long a lost listening connection waits before it is made again.
const LISTEN_RETRY: Duration = Duration::from_secs(1);

impl Events {
    pub fn new(pool: Pool, url: PgUrl, wake: Arc<Notify>) -> Events {
        Events {
            pool,
            url,
            wake,
            heard: None,
        }
    }

    pub async fn append(
        &self,
        delivery: Option<&str>,
        event: &LeadEvent,
    ) -> Result<bool, AppError> {
        let mut client = self.pool.get().await.map_err(StoreError::from)?;
        let tx = client.transaction().await.map_err(StoreError::from)?;
        if let Some(delivery) = delivery {
            if !take_delivery(&tx, delivery).await? {
                return Ok(false);
            }
        }
        record(&tx, event).await?;
        tx.commit().await.map_err(StoreError::from)?;
        self.wake.notify_one();
        Ok(true)
    }

    pub async fn tail(&self, count: usize) -> Result<Vec<Numbered>, AppError> {
        let client = self.pool.get().await.map_err(StoreError::from)?;
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        let rows = client
            .query(
                "SELECT id, name, data FROM events ORDER BY id DESC LIMIT $1",
                &[&count],
            )
            .await
            .map_err(StoreError::from)?;
        let mut newest = numbered(&rows);
        newest.reverse();
        Ok(newest)
    }

    pub async fn after(&self, id: u64, limit: usize) -> Result<Vec<Numbered>, AppError> {
        let client = self.pool.get().await.map_err(StoreError::from)?;
        let rows = client
            .query(
                "SELECT id, name, data FROM events WHERE id > $1 ORDER BY id LIMIT $2",
                &[
                    &i64::try_from(id).unwrap_or(i64::MAX),
                    &i64::try_from(limit).unwrap_or(i64::MAX),
                ],
            )
            .await
            .map_err(StoreError::from)?;
        Ok(numbered(&rows))
    }

    pub async fn forget(&self, id: u64) -> Result<(), AppError> {
        let client = self.pool.get().await.map_err(StoreError::from)?;
        client
            .execute(
                "DELETE FROM events WHERE id <= $1",
                &[&i64::try_from(id).unwrap_or(0)],
            )
            .await
            .map_err(StoreError::from)?;
        client
            .execute(
                "DELETE FROM webhook_deliveries WHERE received_at < $1",
                &[&(time::unix_now() - super::DELIVERIES_KEPT_SECONDS)],
            )
            .await
            .map_err(StoreError::from)?;
        Ok(())
    }

    /// Resolves on this process's own wake-up or another instance's
    /// notification; (re)connects the listener first when it is down,
    /// returning at once so the caller reads what it may have missed.
    pub async fn woken(&mut self) {
        let Some(heard) = &mut self.heard else {
            match listen(&self.url).await {
                Ok(heard) => self.heard = Some(heard),
                Err(err) => {
                    tracing::warn!(
                        "cannot listen for other instances' events (reading every few seconds \
                         instead): {}",
                        describe(&err)
                    );
                    tokio::time::sleep(LISTEN_RETRY).await;
                }
            }
            return;
        };
        tokio::select! {
            () = self.wake.notified() => {}
            got = heard.recv() => if got.is_none() {
                tracing::warn!("the connection listening for other instances' events closed");
                self.heard = None;
            },
        }
    }
}

/// A connection listening on [`EVENTS_CHANNEL`]; each notification comes
/// out of the channel, which closes with the connection.
async fn listen(url: &PgUrl) -> Result<tokio::sync::mpsc::Receiver<()>, tokio_postgres::Error> {
    let (client, mut connection) = url.config.connect(NoTls).await?;
    let (tell, heard) = tokio::sync::mpsc::channel(1);
    let listening = tell.clone();
    tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(Ok(message)) = futures_util::StreamExt::next(&mut messages).await {
            if let tokio_postgres::AsyncMessage::Notification(_) = message {
                // A wake-up already waiting covers this one too.
                let _ = tell.try_send(());
            }
        }
    });
    client
        .batch_execute(&format!("LISTEN {EVENTS_CHANNEL}"))
        .await?;
    // The client keeps the connection open until nobody hears it.
    tokio::spawn(async move {
        listening.closed().await;
        drop(client);
    });
    Ok(heard)
}

/// The events among `rows` of `id, name, data`.
fn numbered(rows: &[Row]) -> Vec<Numbered> {
    rows.iter()
        .filter_map(|row| Numbered::read(row.get(0), row.get(1), row.get(2)))
        .collect()
}

/// `--rate-limit`'s counts, per client and minute of the clock, in the
/// database: every instance adds to the same count. Cheap to clone.
#[derive(Clone)]
pub struct RequestCounts {
    pool: Pool,
}

impl RequestCounts {
    pub fn new(pool: Pool) -> RequestCounts {
        RequestCounts { pool }
    }

    /// Counts one request of `client` in `minute` (Unix seconds at its
    /// start); returns the count so far. The first request of a minute
    /// forgets every count from before the last.
    pub async fn count(&self, client: &str, minute: i64) -> Result<i64, StoreError> {
        let client_bytes = client.as_bytes().to_vec();
        let conn = self.pool.get().await?;
        let counted = conn
            .prepare_cached(
                "INSERT INTO request_counts (client, minute, count) VALUES ($1, $2, 1) \
                 ON CONFLICT (client, minute) DO UPDATE SET count = request_counts.count + 1 \
                 RETURNING count",
            )
            .await?;
        let count: i32 = conn
            .query_one(&counted, &[&client_bytes, &minute])
            .await?
            .get(0);
        if count == 1 {
            conn.execute(
                "DELETE FROM request_counts WHERE minute < $1",
                &[&(minute - 60)],
            )
            .await?;
        }
        Ok(i64::from(count))
    }
}

/// The values as the driver takes them.
fn params(args: &Args) -> Vec<&(dyn ToSql + Sync)> {
    args.iter()
        .map(|arg| &**arg as &(dyn ToSql + Sync))
        .collect()
}

/// Stores a new lead under the next minted id, passing over any id a
/// webhook lead already took, and sets `lead.id` to it.
async fn mint(tx: &deadpool_postgres::Transaction<'_>, lead: &mut Lead) -> Result<(), StoreError> {
    let next = tx.prepare_cached("SELECT nextval('leads_seq')").await?;
    loop {
        let seq: i64 = tx.query_one(&next, &[]).await?.get(0);
        lead.id = id_from_seq(seq);
        if let Some(seq) = insert_at(tx, seq, lead).await? {
            return index_tags(tx, seq, lead).await;
        }
    }
}

/// Inserts `lead` as the next row; `None` when its id is taken.
async fn insert(
    tx: &deadpool_postgres::Transaction<'_>,
    lead: &Lead,
) -> Result<Option<i64>, StoreError> {
    let seq: i64 = tx
        .query_one("SELECT nextval('leads_seq')", &[])
        .await?
        .get(0);
    insert_at(tx, seq, lead).await
}

/// Inserts `lead` as row `seq`; `None` when its id is taken.
async fn insert_at(
    tx: &deadpool_postgres::Transaction<'_>,
    seq: i64,
    lead: &Lead,
) -> Result<Option<i64>, StoreError> {
    let values = values(lead);
    let columns: Vec<&str> = values.iter().map(|(column, _)| *column).collect();
    let sql = format!(
        "{} ON CONFLICT (id) DO NOTHING",
        super::insert_sql(&columns, '$')
    );
    let mut args: Args = values.into_iter().map(|(_, value)| value).collect();
    args.push(Box::new(seq));
    let inserted = tx.execute(&sql, &params(&args)).await?;
    Ok((inserted == 1).then_some(seq))
}

/// Writes the lead's tags, lowercased, for the tag filter.
async fn index_tags(
    tx: &deadpool_postgres::Transaction<'_>,
    seq: i64,
    lead: &Lead,
) -> Result<(), StoreError> {
    let add = tx
        .prepare_cached("INSERT INTO lead_tags (tag, seq) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .await?;
    for tag in &lead.tags {
        tx.execute(&add, &[&tag.to_lowercase().into_bytes(), &seq])
            .await?;
    }
    Ok(())
}

/// Every stored column but `seq`, with its value for `lead`: the one list
/// both the INSERT and the UPDATE are built from.
fn values(lead: &Lead) -> Vec<(&'static str, Box<dyn ToSql + Sync + Send>)> {
    let bytes = |s: &str| s.as_bytes().to_vec();
    vec![
        (LeadField::Id.as_str(), Box::new(lead.id.clone())),
        (LeadField::Name.as_str(), Box::new(bytes(&lead.name))),
        ("name_key", Box::new(bytes(&lead.name.to_lowercase()))),
        (LeadField::Phone.as_str(), Box::new(lead.phone.clone())),
        (
            LeadField::Email.as_str(),
            Box::new(lead.email.as_deref().map(bytes)),
        ),
        (
            LeadField::Status.as_str(),
            Box::new(i16::from(lead.status.rank())),
        ),
        (LeadField::Source.as_str(), Box::new(bytes(&lead.source))),
        ("score", Box::new(lead.score.map(i16::from))),
        (LeadField::Tags.as_str(), Box::new(tags_json(&lead.tags))),
        (
            LeadField::CreatedAt.as_str(),
            Box::new(lead.created_at.clone()),
        ),
        (
            LeadField::UpdatedAt.as_str(),
            Box::new(lead.updated_at.clone()),
        ),
        ("search_name", Box::new(search::fold(&lead.name))),
        (
            "search_email",
            Box::new(lead.email.as_deref().map(search::fold)),
        ),
        (
            "search_phone",
            Box::new(lead.phone.as_deref().map(search::digits)),
        ),
    ]
}

/// The lead with `id` (`lock` is `""` or `" FOR UPDATE"`).
async fn select_one(
    client: &impl GenericClient,
    id: &str,
    lock: &str,
) -> Result<Option<Lead>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM leads WHERE id = $1{lock}");
    let statement = client.prepare_cached(&sql).await?;
    client
        .query_opt(&statement, &[&id])
        .await?
        .map(|row| lead_from_row(&row))
        .transpose()
}

/// Reads a row of [`COLUMNS`] by name.
fn lead_from_row(row: &Row) -> Result<Lead, StoreError> {
    let text = |column: &str| -> Result<String, StoreError> {
        let bytes: Vec<u8> = row.try_get(column)?;
        String::from_utf8(bytes)
            .map_err(|_| StoreError::Unreadable(format!("{column} is not UTF-8")))
    };
    let email: Option<Vec<u8>> = row.try_get(LeadField::Email.as_str())?;
    let rank: i16 = row.try_get(LeadField::Status.as_str())?;
    let score: Option<i16> = row.try_get(LeadField::Score.as_str())?;
    let tags: String = row.try_get(LeadField::Tags.as_str())?;
    Ok(Lead {
        id: row.try_get(LeadField::Id.as_str())?,
        name: text(LeadField::Name.as_str())?,
        phone: row.try_get(LeadField::Phone.as_str())?,
        email: email
            .map(String::from_utf8)
            .transpose()
            .map_err(|_| StoreError::Unreadable("email is not UTF-8".to_owned()))?,
        status: u8::try_from(rank)
            .ok()
            .and_then(LeadStatus::from_rank)
            .ok_or_else(|| StoreError::Unreadable(format!("no status has rank {rank}")))?,
        source: text(LeadField::Source.as_str())?,
        score: score
            .map(|score| {
                u8::try_from(score)
                    .map_err(|_| StoreError::Unreadable(format!("score {score} is out of range")))
            })
            .transpose()?,
        tags: serde_json::from_str(&tags)
            .map_err(|err| StoreError::Unreadable(format!("tags: {err}")))?,
        created_at: row.try_get(LeadField::CreatedAt.as_str())?,
        updated_at: row.try_get(LeadField::UpdatedAt.as_str())?,
    })
}

/// The `WHERE` of a view's queries (after `leads`), and its values.
fn filter(query: &ListQuery) -> (String, Args) {
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Args = Vec::new();
    let arg = |args: &mut Args, value: Box<dyn ToSql + Sync + Send>| {
        args.push(value);
        format!("${}", args.len())
    };
    if let Some(status) = query.status {
        let n = arg(&mut args, Box::new(i16::from(status.rank())));
        clauses.push(format!("status = {n}"));
    }
    if let Some(source) = query.source {
        let n = arg(&mut args, Box::new(source.as_str().as_bytes().to_vec()));
        clauses.push(format!("source = {n}"));
    }
    if let Some(q) = &query.q {
        let search = Search::new(q);
        let text = arg(&mut args, Box::new(like_pattern(&search.text)));
        let mut fields = format!("search_name LIKE {text} OR search_email LIKE {text}");
        if let Some(digits) = &search.digits {
            let digits = arg(&mut args, Box::new(like_pattern(digits)));
            fields.push_str(&format!(" OR search_phone LIKE {digits}"));
        }
        clauses.push(format!("({fields})"));
    }
    if let Some(tag) = &query.tag {
        let n = arg(&mut args, Box::new(tag.to_lowercase().into_bytes()));
        clauses.push(format!(
            "seq IN (SELECT seq FROM lead_tags WHERE tag = {n})"
        ));
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    (sql, args)
}

/// `LIKE`'s pattern for "contains `text`": its own `\`, `%` and `_`
/// escaped, so each matches only itself.
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_like_pattern_matches_its_text_literally() {
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn the_url_is_shown_without_its_password() {
        let url = PgUrl::parse("postgres://leads:hunter2@db.internal:6432/crm").unwrap();
        assert_eq!(url.to_string(), "postgres://leads@db.internal:6432/crm");
        let socket = PgUrl::parse("postgresql://leads@%2Frun%2Fpg/crm?password=hunter2").unwrap();
        assert_eq!(socket.to_string(), "postgres://leads@/run/pg:5432/crm");
        let err = PgUrl::parse("postgres://leads:hunter2@db/crm?sslmode=require").unwrap_err();
        assert!(
            err.contains("sslmode=require") && !err.contains("hunter2"),
            "{err}"
        );
    }

    #[test]
    fn every_sort_has_an_index_in_its_order() {
        let schema = version_1();
        for field in SortField::ALL {
            for sort in [Sort::asc(field), Sort::desc(field)] {
                let served = index_key(sort)
                    .or_else(|| index_key(Sort::asc(field)))
                    .unwrap();
                assert!(
                    schema.contains(&format!("leads_all_by_{} ", served.0)),
                    "{sort:?}"
                );
            }
        }
    }
}
