//! Leads in SQLite, the embedded default: one server process, one file.
//! Every statement is parameterised; each write is committed before its
//! caller hears of it. Blocking calls run off the async runtime.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use leads_core::field::LeadField;
use leads_core::search::{self, Search};
use leads_core::{Lead, LeadPatch, LeadStatus, ListQuery, NewLead, Sort, SortField};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, Connection, OptionalExtension, Row};
use tokio::sync::Notify;

use super::copy::{self, Absorbed, Decision, Incoming, Refusal, SyncRecord};
use super::{id_from_seq, tags_json, Adopted, StoreError, Totals};
use crate::error::AppError;
use crate::event::{LeadEvent, Numbered};
use crate::seed;
use crate::time;

/// This release's schema; `PRAGMA user_version` holds each database's.
/// Each step of [`MIGRATIONS`] takes a database one version further.
const VERSION: i64 = 2;

/// The steps from version 0 (a new file, or one from before versions were
/// kept) up, each run in its own transaction with the version it reaches.
const MIGRATIONS: [fn(&Connection) -> rusqlite::Result<()>; VERSION as usize] =
    [to_version_1, to_version_2];

/// Version 2: the synced copy's record ([`SyncRecord`]; one row, made when
/// a server first mirrors into the database) and the leads whose times are
/// guesses.
const COPY_SCHEMA: &str = "
CREATE TABLE mirror_state (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    upstream          TEXT NOT NULL,
    walked_at         TEXT,
    synced_at         TEXT,
    cursor            TEXT,
    unreachable_since TEXT,
    problem           TEXT,
    state             TEXT
);
CREATE TABLE mirror_guesses (id TEXT PRIMARY KEY) WITHOUT ROWID;";

/// The idempotency keys' table ([`crate::idempotency`]); pending rows are
/// those whose `status` is still NULL, a create running.
const KEYS_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS idempotency_keys (
    who         TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    status      INTEGER,
    location    TEXT,
    body        BLOB,
    PRIMARY KEY (who, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_keys_by_age ON idempotency_keys (created_at);";

/// Lead events, numbered in commit order (SQLite has one writer at a time),
/// never reusing a number; and the webhook deliveries already taken.
const EVENTS_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id          TEXT PRIMARY KEY,
    received_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_age ON webhook_deliveries (received_at);";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS leads (
    seq        INTEGER PRIMARY KEY,
    id         TEXT,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    phone      TEXT,
    email      TEXT,
    status     INTEGER NOT NULL,
    source     TEXT NOT NULL,
    score      INTEGER,
    tags       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);";

/// Databases made before leads could arrive by webhook have no `id` column:
/// every id then was `lead_` and the row's `seq`, which is what they get.
const ADD_IDS: &str = "
ALTER TABLE leads ADD COLUMN id TEXT;
UPDATE leads SET id = printf('lead_%03d', seq);";

/// The search index (rowid = the lead's `seq`): each lead's name and email
/// folded and its phone's digits, as `leads_core::search` defines them, in
/// trigrams so any substring of three or more characters is found without
/// reading the table; and each lead's tags, lowercased. Both are written in
/// the same transaction as the lead ([`index`]).
const SEARCH_SCHEMA: &str = "
CREATE VIRTUAL TABLE lead_search USING fts5(
    name, email, phone, tokenize = 'trigram case_sensitive 1'
);
CREATE TABLE lead_tags (
    tag TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (tag, seq)
) WITHOUT ROWID;
CREATE INDEX lead_tags_by_seq ON lead_tags (seq);";

/// Every lead's id is its own: minted ones and the vendor's alike.
const ID_INDEX: &str = "CREATE UNIQUE INDEX IF NOT EXISTS leads_by_id ON leads (id);";

/// Filter prefixes, so each filter-and-sort combination has an index.
const FILTER_KEYS: [(&str, &str); 4] = [
    ("all", ""),
    ("status", "status, "),
    ("source", "source, "),
    ("both", "status, source, "),
];

/// How a sort orders rows: the name of the index that serves it, the SQL
/// before its column, and the column the direction applies to. Both the
/// indexes and `ORDER BY` are built from this, so they always match (a test
/// asks SQLite's query plan). Null scores come last either way: SQLite puts
/// NULL first in ascending order, so only the ascending score sort needs
/// `score IS NULL` in front.
fn sort_key(sort: Sort) -> (&'static str, &'static str, &'static str) {
    match sort.field {
        SortField::CreatedAt => ("created_at", "", "created_at"),
        SortField::UpdatedAt => ("updated_at", "", "updated_at"),
        SortField::Name => ("name", "", "name_key"),
        SortField::Status => ("status", "", "status"),
        SortField::Score if sort.descending => ("score_desc", "", "score"),
        SortField::Score => ("score", "score IS NULL, ", "score"),
    }
}

/// The lead table behind a lock; cheap to clone.
#[derive(Clone)]
pub struct Sqlite {
    db: Arc<Mutex<Db>>,
    /// Rung after a write commits its event.
    wake: Arc<Notify>,
}

/// The connection, and each filter's total as last counted. Counting the
/// leads with one status costs far more than reading a page of them (it
/// walks every match), and totals change only when this process writes
/// (it is the database's only writer), so a write forgets them all.
struct Db {
    conn: Connection,
    totals: Totals,
}

impl Db {
    /// Begins a write: every cached total is forgotten first, so no write
    /// can leave a count behind that it changed.
    fn write(&mut self) -> rusqlite::Result<rusqlite::Transaction<'_>> {
        self.totals.forget();
        self.conn.transaction_with_behavior(IMMEDIATE)
    }

    /// How many leads the search text `q` matches, from its index alone
    /// (`None` for a text the index cannot look up): kept as the total of
    /// the search without other filters, so each page of a search, and
    /// that view's total, asks the index once until the next write.
    fn matches(&mut self, q: &str) -> rusqlite::Result<Option<u64>> {
        let filters = (None, None, Some(q.to_owned()), None);
        if let Some(total) = self.totals.get(&filters) {
            return Ok(Some(total));
        }
        let matches = count_matches(&self.conn, &Search::new(q))?;
        if let Some(n) = matches {
            self.totals.remember(filters, n);
        }
        Ok(matches)
    }
}

/// How every write begins: with the file's write lock, waiting for it as
/// long as the busy timeout allows. A deferred transaction that reads first
/// could not wait for it: SQLite refuses at once to let it write after
/// another connection did (the store, the keys and the event log each
/// have one).
pub const IMMEDIATE: rusqlite::TransactionBehavior = rusqlite::TransactionBehavior::Immediate;

/// A connection to the database at `path` (created if missing), as every
/// part of the server that keeps something in it wants one: WAL, so reads
/// go on during a write; FULL, so a write is on disk before the API
/// acknowledges it, even if the machine loses power right after; and a
/// wait of up to 5 s for another connection's write.
pub fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(conn)
}

/// Brings the database at `path` (created if missing) to this release's
/// schema; one newer than it is refused.
pub fn migrate(path: &Path) -> Result<(i64, i64), StoreError> {
    let mut conn = connect(path)?;
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            known: VERSION,
        });
    }
    for (version, step) in (found + 1..).zip(&MIGRATIONS[usize::try_from(found).unwrap_or(0)..]) {
        let tx = conn.transaction_with_behavior(IMMEDIATE)?;
        step(&tx)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok((found, VERSION))
}

/// Version 1, from whatever came before versions were kept: the leads and
/// their sort indexes; ids for a database from before webhooks; the search
/// index, built again from every lead (so a database from before search,
/// or from before controls were searched as spaces, matches as the rule
/// now says); the idempotency keys; the events and webhook deliveries.
fn to_version_1(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)?;
    let has_ids: bool = conn.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('leads') WHERE name = 'id'",
        [],
        |r| r.get(0),
    )?;
    if !has_ids {
        conn.execute_batch(ADD_IDS)?;
    }
    conn.execute_batch(ID_INDEX)?;
    build_search_index(conn)?;
    let sorts = SortField::ALL
        .into_iter()
        .flat_map(|f| [Sort::asc(f), Sort::desc(f)]);
    for sort in sorts {
        let (name, before, column) = sort_key(sort);
        for (filter_name, filter_sql) in FILTER_KEYS {
            if filter_sql.contains(column) {
                continue;
            }
            conn.execute_batch(&format!(
                "CREATE INDEX IF NOT EXISTS leads_{filter_name}_by_{name} \
                 ON leads ({filter_sql}{before}{column}, seq);"
            ))?;
        }
    }
    conn.execute_batch(KEYS_SCHEMA)?;
    conn.execute_batch(EVENTS_SCHEMA)
}

fn to_version_2(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(COPY_SCHEMA)
}

impl Sqlite {
    /// The store on a migrated database at `path`, in WAL mode.
    pub fn open(path: &Path, wake: Arc<Notify>) -> rusqlite::Result<Sqlite> {
        Ok(Sqlite {
            db: Arc::new(Mutex::new(Db {
                conn: connect(path)?,
                totals: Totals::default(),
            })),
            wake,
        })
    }

    /// Seeds `count` demo leads when the table is empty; returns how many.
    pub async fn seed_if_empty(&self, count: u32) -> Result<u32, AppError> {
        let now = ::time::OffsetDateTime::now_utc();
        blocking(&self.db, move |db| {
            let tx = db.write()?;
            let existing: i64 = tx.query_row("SELECT COUNT(*) FROM leads", [], |r| r.get(0))?;
            if existing > 0 || count == 0 {
                return Ok(0);
            }
            for mut lead in seed::demo_leads(count, now) {
                mint(&tx, &mut lead)?;
            }
            tx.commit()?;
            Ok(count)
        })
        .await
    }

    /// One page of leads in the query's order, and the total that match.
    pub async fn list(&self, query: &ListQuery) -> Result<(Vec<Lead>, u64), AppError> {
        let query = query.clone();
        blocking(&self.db, move |db| {
            let matches = match query.q.as_deref() {
                Some(q) => db.matches(q)?,
                None => None,
            };
            let along = match matches {
                Some(n) => walk_the_sort_index(&db.conn, &query, n)?,
                None => false,
            };
            let (where_sql, args) = filter(&query, along);
            let key = Totals::key(&query);
            let total = match db.totals.get(&key) {
                Some(total) => total,
                None => {
                    let (where_sql, args) = filter(&query, false);
                    let counted: i64 = db.conn.query_row(
                        &format!("SELECT COUNT(*) FROM leads{where_sql}"),
                        params_from_iter(args.iter()),
                        |r| r.get(0),
                    )?;
                    let counted = u64::try_from(counted).unwrap_or(0);
                    db.totals.remember(key, counted);
                    counted
                }
            };
            let sql = format!(
                "SELECT * FROM leads{where_sql} ORDER BY {} LIMIT {} OFFSET {}",
                order_by(&query),
                query.limit,
                query.offset()
            );
            let mut stmt = db.conn.prepare_cached(&sql)?;
            let leads = stmt
                .query_map(params_from_iter(args.iter()), lead_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((leads, total))
        })
        .await
    }

    /// The lead with `id`, if there is one.
    pub async fn get(&self, id: &str) -> Result<Option<Lead>, AppError> {
        let id = id.to_owned();
        blocking(&self.db, move |db| select_one(&db.conn, &id)).await
    }

    /// Stores a validated new lead and its event; returns it as stored.
    pub async fn create(&self, new: NewLead) -> Result<Lead, AppError> {
        let lead = blocking(&self.db, move |db| {
            let mut lead = new.into_lead(String::new(), &time::now());
            let tx = db.write()?;
            mint(&tx, &mut lead)?;
            record(&tx, &super::created(&lead))?;
            tx.commit()?;
            Ok(lead)
        })
        .await?;
        self.wake.notify_one();
        Ok(lead)
    }

    /// Stores a webhook's lead under its own id, with its event and the
    /// delivery, unless either came before.
    pub async fn adopt(&self, lead: Lead, delivery: String) -> Result<Adopted, AppError> {
        let adopted = blocking(&self.db, move |db| {
            let tx = db.write()?;
            if !take_delivery(&tx, &delivery)? {
                return Ok(Adopted::Duplicate);
            }
            let adopted = if select_one(&tx, &lead.id)?.is_some() {
                Adopted::LeadExists
            } else {
                insert(&tx, next_seq(&tx)?, &lead)?;
                record(&tx, &super::created(&lead))?;
                Adopted::Stored
            };
            tx.commit()?;
            Ok(adopted)
        })
        .await?;
        self.wake.notify_one();
        Ok(adopted)
    }

    /// Applies a validated patch, with its event when it changed anything;
    /// `None` when no lead has `id`, else the lead after.
    pub async fn update(&self, id: &str, patch: LeadPatch) -> Result<Option<Lead>, AppError> {
        let id = id.to_owned();
        let updated = blocking(&self.db, move |db| {
            let tx = db.write()?;
            let Some(before) = select_one(&tx, &id)? else {
                return Ok(None);
            };
            let mut lead = before.clone();
            lead.apply(&patch, &time::now());
            update(&tx, &lead)?;
            let seq: i64 =
                tx.query_row("SELECT seq FROM leads WHERE id = ?1", [&id], |r| r.get(0))?;
            index(&tx, seq, &lead)?;
            if let Some(event) = super::updated(&before, &lead) {
                record(&tx, &event)?;
            }
            tx.commit()?;
            Ok(Some(lead))
        })
        .await?;
        self.wake.notify_one();
        Ok(updated)
    }
}

impl Sqlite {
    /// Takes leads the vendor told of into the copy, each with its event,
    /// in one transaction ([`copy::decide`]).
    pub async fn absorb(&self, incoming: Vec<Incoming>) -> Result<Vec<Absorbed>, AppError> {
        let absorbed = blocking(&self.db, move |db| {
            let tx = db.write()?;
            let absorbed = incoming
                .iter()
                .map(|incoming| absorb_one(&tx, incoming))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            tx.commit()?;
            Ok(absorbed)
        })
        .await?;
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
fn absorb_one(tx: &Connection, incoming: &Incoming) -> rusqlite::Result<Absorbed> {
    if let Some(delivery) = &incoming.delivery {
        if !take_delivery(tx, delivery)? {
            return Ok(Absorbed::Duplicate);
        }
    }
    let id = incoming.lead.id.clone();
    let existing = match select_one(tx, &id)? {
        Some(lead) => Some((lead, guessed(tx, &id)?)),
        None => None,
    };
    let absorbed = match copy::decide(existing, incoming) {
        Decision::Insert(lead, event) => {
            let hint = copy::row_hint(&id).filter(|&seq| !seq_taken(tx, seq).unwrap_or(true));
            let seq = match hint {
                Some(seq) => seq,
                None => next_seq(tx)?,
            };
            insert(tx, seq, &lead)?;
            record(tx, &event)?;
            Absorbed::Created(lead)
        }
        Decision::Update(lead, event) => {
            update(tx, &lead)?;
            let seq: i64 =
                tx.query_row("SELECT seq FROM leads WHERE id = ?1", [&id], |r| r.get(0))?;
            index(tx, seq, &lead)?;
            if let Some(event) = event {
                record(tx, &event)?;
            }
            Absorbed::Changed(lead)
        }
        Decision::Leave(absorbed) => absorbed,
    };
    let guesses = if copy::keeps_guesses(incoming, &absorbed) {
        "INSERT OR IGNORE INTO mirror_guesses (id) VALUES (?1)"
    } else {
        "DELETE FROM mirror_guesses WHERE id = ?1"
    };
    tx.prepare_cached(guesses)?.execute([&id])?;
    Ok(absorbed)
}

/// Whether the copy's row for `id` holds guessed times.
fn guessed(conn: &Connection, id: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT COUNT(*) > 0 FROM mirror_guesses WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
}

fn seq_taken(conn: &Connection, seq: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT COUNT(*) > 0 FROM leads WHERE seq = ?1")?
        .query_row([seq], |r| r.get(0))
}

/// The sync's record in the file at `path`, if it holds a copy.
pub fn load_sync(path: &Path) -> rusqlite::Result<Option<SyncRecord>> {
    connect(path)?
        .query_row(
            "SELECT upstream, walked_at, synced_at, cursor, unreachable_since, problem, state \
             FROM mirror_state WHERE id = 1",
            [],
            |r| {
                Ok(SyncRecord {
                    upstream: r.get(0)?,
                    walked_at: r.get(1)?,
                    synced_at: r.get(2)?,
                    cursor: r.get(3)?,
                    unreachable_since: r.get(4)?,
                    problem: r.get(5)?,
                    state: r.get(6)?,
                })
            },
        )
        .optional()
}

/// Keeps the sync's progress.
pub fn save_sync(path: &Path, record: &SyncRecord) -> rusqlite::Result<()> {
    connect(path)?.execute(
        "UPDATE mirror_state SET walked_at = ?1, synced_at = ?2, cursor = ?3, \
         unreachable_since = ?4, problem = ?5, state = ?6 WHERE id = 1 AND upstream = ?7",
        rusqlite::params![
            record.walked_at,
            record.synced_at,
            record.cursor,
            record.unreachable_since,
            record.problem,
            record.state,
            record.upstream
        ],
    )?;
    Ok(())
}

/// Checks that the file at `path` may serve as it is asked to: the copy of
/// `mirror` (made here if it is new), or, with `None`, a store of its own.
pub fn claim(path: &Path, mirror: Option<&str>) -> Result<Result<(), Refusal>, StoreError> {
    let mut conn = connect(path)?;
    let tx = conn.transaction_with_behavior(IMMEDIATE)?;
    let copy_of: Option<String> = tx
        .query_row("SELECT upstream FROM mirror_state WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    let refusal = match (mirror, copy_of) {
        (None, None) => None,
        (None, Some(upstream)) => Some(Refusal::IsACopy(upstream)),
        (Some(wanted), Some(upstream)) => (wanted != upstream).then_some(Refusal::CopyOf(upstream)),
        (Some(wanted), None) => {
            let leads: i64 = tx.query_row("SELECT COUNT(*) FROM leads", [], |r| r.get(0))?;
            if leads > 0 {
                Some(Refusal::HasOwnLeads)
            } else {
                tx.execute(
                    "INSERT INTO mirror_state (id, upstream) VALUES (1, ?1)",
                    [wanted],
                )?;
                None
            }
        }
    };
    tx.commit()?;
    Ok(refusal.map_or(Ok(()), Err))
}

/// Keeps `event` in the transaction of the write it tells of.
fn record(conn: &Connection, event: &LeadEvent) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO events (name, data) VALUES (?1, ?2)")?
        .execute(rusqlite::params![event.name(), event.data()])
        .map(drop)
}

/// Notes the webhook delivery `id`; `false` when it was noted before.
fn take_delivery(conn: &Connection, id: &str) -> rusqlite::Result<bool> {
    let taken = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO webhook_deliveries (id, received_at) VALUES (?1, ?2)",
        )?
        .execute(rusqlite::params![id, time::unix_now()])?;
    Ok(taken == 1)
}

/// The event log on its own connection to the file.
pub struct Events {
    conn: Arc<Mutex<Connection>>,
    wake: Arc<Notify>,
}

impl Events {
    pub fn open(path: &Path, wake: Arc<Notify>) -> rusqlite::Result<Events> {
        Ok(Events {
            conn: Arc::new(Mutex::new(connect(path)?)),
            wake,
        })
    }

    /// Appends `event`, for the webhook delivery `delivery` when there is
    /// one; `false`, and nothing kept, when that delivery came before.
    pub async fn append(
        &self,
        delivery: Option<&str>,
        event: &LeadEvent,
    ) -> Result<bool, AppError> {
        let delivery = delivery.map(str::to_owned);
        let (name, data) = (event.name(), event.data());
        let appended = blocking(&self.conn, move |conn| {
            let tx = conn.transaction_with_behavior(IMMEDIATE)?;
            if let Some(delivery) = &delivery {
                if !take_delivery(&tx, delivery)? {
                    return Ok(false);
                }
            }
            tx.execute(
                "INSERT INTO events (name, data) VALUES (?1, ?2)",
                rusqlite::params![name, data],
            )?;
            tx.commit()?;
            Ok(true)
        })
        .await?;
        self.wake.notify_one();
        Ok(appended)
    }

    pub async fn tail(&self, count: usize) -> Result<Vec<Numbered>, AppError> {
        let mut newest = blocking(&self.conn, move |conn| {
            read_events(
                conn,
                "SELECT id, name, data FROM events ORDER BY id DESC LIMIT ?1",
                i64::try_from(count).unwrap_or(i64::MAX),
                None,
            )
        })
        .await?;
        newest.reverse();
        Ok(newest)
    }

    pub async fn after(&self, id: u64, limit: usize) -> Result<Vec<Numbered>, AppError> {
        blocking(&self.conn, move |conn| {
            read_events(
                conn,
                "SELECT id, name, data FROM events WHERE id > ?2 ORDER BY id LIMIT ?1",
                i64::try_from(limit).unwrap_or(i64::MAX),
                Some(i64::try_from(id).unwrap_or(i64::MAX)),
            )
        })
        .await
    }

    pub async fn forget(&self, id: u64) -> Result<(), AppError> {
        let before = time::unix_now() - super::DELIVERIES_KEPT_SECONDS;
        blocking(&self.conn, move |conn| {
            conn.execute(
                "DELETE FROM events WHERE id <= ?1",
                [i64::try_from(id).unwrap_or(0)],
            )?;
            conn.execute(
                "DELETE FROM webhook_deliveries WHERE received_at < ?1",
                [before],
            )
            .map(drop)
        })
        .await
    }

    pub async fn woken(&mut self) {
        self.wake.notified().await;
    }
}

/// The events a query of `id, name, data` finds (`?1` a limit, `?2` an id).
fn read_events(
    conn: &Connection,
    sql: &str,
    limit: i64,
    after: Option<i64>,
) -> rusqlite::Result<Vec<Numbered>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let read = |row: &Row<'_>| -> rusqlite::Result<(i64, String, String)> {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
    };
    let rows = match after {
        Some(id) => stmt
            .query_map(rusqlite::params![limit, id], read)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
        None => stmt
            .query_map([limit], read)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
    };
    Ok(rows
        .into_iter()
        .filter_map(|(id, name, data)| Numbered::read(id, &name, data))
        .collect())
}

/// `shared`'s lock. A panic while holding it cannot leave SQLite
/// half-written (each write is one transaction, and cached totals are
/// forgotten before a write), so a poisoned lock is safe to reuse.
fn lock<C>(shared: &Mutex<C>) -> MutexGuard<'_, C> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `work` on the connection (or whatever holds one) that `shared`
/// guards, in a blocking task off the async runtime.
pub async fn blocking<C, T, F>(shared: &Arc<Mutex<C>>, work: F) -> Result<T, AppError>
where
    C: Send + 'static,
    T: Send + 'static,
    F: FnOnce(&mut C) -> rusqlite::Result<T> + Send + 'static,
{
    let shared = Arc::clone(shared);
    let result = tokio::task::spawn_blocking(move || work(&mut lock(&shared))).await?;
    Ok(result?)
}

/// The next row number, which is also creation order.
fn next_seq(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM leads", [], |r| {
        r.get(0)
    })
}

/// Stores a new lead under the next minted id, passing over any id a
/// webhook lead already took, and sets `lead.id` to it.
fn mint(conn: &Connection, lead: &mut Lead) -> rusqlite::Result<()> {
    let mut seq = next_seq(conn)?;
    lead.id = id_from_seq(seq);
    while select_one(conn, &lead.id)?.is_some() {
        seq += 1;
        lead.id = id_from_seq(seq);
    }
    insert(conn, seq, lead)
}

fn insert(conn: &Connection, seq: i64, lead: &Lead) -> rusqlite::Result<()> {
    let values = stored_values(lead);
    let columns: Vec<&str> = values.iter().map(|(column, _)| *column).collect();
    let sql = super::insert_sql(&columns, '?');
    let seq_value = SqlValue::Integer(seq);
    conn.execute(
        &sql,
        params_from_iter(values.iter().map(|(_, v)| v).chain([&seq_value])),
    )?;
    index(conn, seq, lead)
}

/// Makes the search index anew and fills it from every lead.
fn build_search_index(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("DROP TABLE IF EXISTS lead_search; DROP TABLE IF EXISTS lead_tags;")?;
    conn.execute_batch(SEARCH_SCHEMA)?;
    let mut stmt = conn.prepare("SELECT * FROM leads")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        index(conn, row.get("seq")?, &lead_from_row(row)?)?;
    }
    Ok(())
}

/// Writes what the search index holds for `lead` (row `seq`), replacing
/// what it held before.
fn index(conn: &Connection, seq: i64, lead: &Lead) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM lead_search WHERE rowid = ?1")?
        .execute([seq])?;
    conn.prepare_cached(
        "INSERT INTO lead_search (rowid, name, email, phone) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(rusqlite::params![
        seq,
        search::fold(&lead.name),
        lead.email.as_deref().map(search::fold),
        lead.phone.as_deref().map(search::digits),
    ])?;
    conn.prepare_cached("DELETE FROM lead_tags WHERE seq = ?1")?
        .execute([seq])?;
    let mut add =
        conn.prepare_cached("INSERT OR IGNORE INTO lead_tags (tag, seq) VALUES (?1, ?2)")?;
    for tag in &lead.tags {
        add.execute(rusqlite::params![tag.to_lowercase(), seq])?;
    }
    Ok(())
}

fn update(conn: &Connection, lead: &Lead) -> rusqlite::Result<()> {
    let values = stored_values(lead);
    let columns: Vec<&str> = values.iter().map(|(column, _)| *column).collect();
    let sql = super::update_sql(&columns, '?');
    let id = SqlValue::Text(lead.id.clone());
    conn.execute(
        &sql,
        params_from_iter(values.iter().map(|(_, v)| v).chain([&id])),
    )?;
    Ok(())
}

/// Every stored column but `seq`, with its value for `lead`: the one list
/// both the INSERT and the UPDATE are built from.
fn stored_values(lead: &Lead) -> [(&'static str, SqlValue); 11] {
    let text = |s: &str| SqlValue::Text(s.to_owned());
    let optional = |s: &Option<String>| s.as_deref().map_or(SqlValue::Null, text);
    [
        (LeadField::Id.as_str(), text(&lead.id)),
        (LeadField::Name.as_str(), text(&lead.name)),
        ("name_key", text(&lead.name.to_lowercase())),
        (LeadField::Phone.as_str(), optional(&lead.phone)),
        (LeadField::Email.as_str(), optional(&lead.email)),
        (
            LeadField::Status.as_str(),
            SqlValue::Integer(i64::from(lead.status.rank())),
        ),
        (LeadField::Source.as_str(), text(&lead.source)),
        (
            "score",
            lead.score
                .map_or(SqlValue::Null, |s| SqlValue::Integer(i64::from(s))),
        ),
        (LeadField::Tags.as_str(), text(&tags_json(&lead.tags))),
        (LeadField::CreatedAt.as_str(), text(&lead.created_at)),
        (LeadField::UpdatedAt.as_str(), text(&lead.updated_at)),
    ]
}

fn select_one(conn: &Connection, id: &str) -> rusqlite::Result<Option<Lead>> {
    conn.query_row("SELECT * FROM leads WHERE id = ?1", [id], lead_from_row)
        .optional()
}

/// Reads a `SELECT *` row by column name, so the column order of the table
/// never matters.
fn lead_from_row(row: &Row<'_>) -> rusqlite::Result<Lead> {
    let rank: u8 = row.get(LeadField::Status.as_str())?;
    let tags: String = row.get(LeadField::Tags.as_str())?;
    Ok(Lead {
        id: row.get(LeadField::Id.as_str())?,
        name: row.get(LeadField::Name.as_str())?,
        phone: row.get(LeadField::Phone.as_str())?,
        email: row.get(LeadField::Email.as_str())?,
        status: LeadStatus::from_rank(rank)
            .ok_or_else(|| rusqlite::Error::IntegralValueOutOfRange(0, i64::from(rank)))?,
        source: row.get(LeadField::Source.as_str())?,
        score: row.get(LeadField::Score.as_str())?,
        tags: serde_json::from_str(&tags).map_err(|err| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(err))
        })?,
        created_at: row.get(LeadField::CreatedAt.as_str())?,
        updated_at: row.get(LeadField::UpdatedAt.as_str())?,
    })
}

/// The `FROM`/`WHERE` of a view's queries (after `leads`), and its values.
/// `along` walks the sort's index, asking the search or tag of each row
/// (see [`walk_the_sort_index`]); otherwise a search or tag view is read
/// from what it matched: the unary `+` keeps SQLite from walking a status
/// or source index instead, which for a rare match reads every such row
/// (tens of milliseconds at 100,000).
fn filter(query: &ListQuery, along: bool) -> (String, Vec<SqlValue>) {
    let mut clauses = Vec::new();
    let mut args = Vec::new();
    let searched = (query.q.is_some() || query.tag.is_some()) && !along;
    if let Some(status) = query.status {
        clauses.push(if searched {
            "+status = ?"
        } else {
            "status = ?"
        });
        args.push(SqlValue::Integer(i64::from(status.rank())));
    }
    if let Some(source) = query.source {
        clauses.push(if searched {
            "+source = ?"
        } else {
            "source = ?"
        });
        args.push(SqlValue::Text(source.as_str().to_owned()));
    }
    if let Some(q) = &query.q {
        let (clause, q_args) = search_clause(&Search::new(q));
        clauses.push(clause);
        args.extend(q_args);
    }
    if let Some(tag) = &query.tag {
        clauses.push("seq IN (SELECT seq FROM lead_tags WHERE tag = ?)");
        args.push(SqlValue::Text(tag.to_lowercase()));
    }
    let indexed = if along {
        format!(" INDEXED BY {}", index_for(query))
    } else {
        String::new()
    };
    let sql = if clauses.is_empty() {
        indexed
    } else {
        format!("{indexed} WHERE {}", clauses.join(" AND "))
    };
    (sql, args)
}

/// The index that serves `query`'s filters and sort ([`to_version_1`] makes
/// one for each): a filter on the sort's own column leaves it out.
fn index_for(query: &ListQuery) -> String {
    let (name, _, column) = sort_key(query.sort);
    let status = query.status.is_some() && column != "status";
    let source = query.source.is_some();
    let filter = match (status, source) {
        (false, false) => "all",
        (true, false) => "status",
        (false, true) => "source",
        (true, true) => "both",
    };
    format!("leads_{filter}_by_{name}")
}

/// How many leads a search of three or more characters matches, from its
/// index alone (`None` for shorter ones, which it cannot look up).
fn count_matches(conn: &Connection, search: &Search) -> rusqlite::Result<Option<u64>> {
    let Some(expr) = match_expression(search) else {
        return Ok(None);
    };
    let n: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM lead_search WHERE lead_search MATCH ?1")?
        .query_row([expr], |r| r.get(0))?;
    Ok(Some(u64::try_from(n).unwrap_or(0)))
}

/// Whether a page of a search that matched `matches` leads is found sooner
/// by walking the sort's index and keeping the matching rows than by
/// reading every match and sorting them. Matches spread evenly, so the
/// walk reads about `(offset + limit) × leads / matches` index entries,
/// where the other way reads every match from the table: the walk wins for
/// common texts on early pages, the matches for rare ones.
fn walk_the_sort_index(
    conn: &Connection,
    query: &ListQuery,
    matches: u64,
) -> rusqlite::Result<bool> {
    let leads: i64 = conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM leads", [], |r| r.get(0))?;
    let leads = u64::try_from(leads).unwrap_or(0);
    let wanted = query.offset() + u64::from(query.limit);
    Ok(matches > 0 && wanted.saturating_mul(leads) < matches.saturating_mul(matches))
}

/// The leads a search matches, as the ids the index finds: a subquery, so
/// SQLite starts from the matches rather than walking a filter's index and
/// asking the search of every row. Three or more characters are looked up
/// by trigram; fewer are read from the index's own columns, as a trigram
/// index cannot find them.
fn search_clause(search: &Search) -> (&'static str, Vec<SqlValue>) {
    let text = || SqlValue::Text(search.text.clone());
    match (match_expression(search), &search.digits) {
        (Some(expr), _) => (
            "seq IN (SELECT rowid FROM lead_search WHERE lead_search MATCH ?)",
            vec![SqlValue::Text(expr)],
        ),
        (None, None) => (
            "seq IN (SELECT rowid FROM lead_search WHERE instr(name, ?) OR instr(email, ?))",
            vec![text(), text()],
        ),
        (None, Some(digits)) => (
            "seq IN (SELECT rowid FROM lead_search \
             WHERE instr(name, ?) OR instr(email, ?) OR instr(phone, ?))",
            vec![text(), text(), SqlValue::Text(digits.clone())],
        ),
    }
}

/// The FTS5 query for a search of three or more characters: the text as
/// one quoted phrase in the name or email, or the digits in the phone.
fn match_expression(search: &Search) -> Option<String> {
    // No NUL can reach FTS5's query parser, which would end a string at
    // one: the folded text holds none.
    if search.text.chars().count() < 3 {
        return None;
    }
    let phrase =
        |columns: &str, text: &str| format!("{{{columns}}} : \"{}\"", text.replace('"', "\"\""));
    let mut expr = phrase("name email", &search.text);
    if let Some(digits) = &search.digits {
        expr = format!("{expr} OR {}", phrase("phone", digits));
    }
    Some(expr)
}

/// The total order of the contract: the field, then creation order, both
/// reversed by a descending sort, with null scores last either way.
fn order_by(query: &ListQuery) -> String {
    let dir = if query.sort.descending { "DESC" } else { "ASC" };
    let (_, before, column) = sort_key(query.sort);
    format!("{before}{column} {dir}, seq {dir}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The store on the database at `path`, migrated first as on start.
    fn open_new(path: &Path) -> Sqlite {
        migrate(path).unwrap();
        Sqlite::open(path, Arc::default()).unwrap()
    }

    #[test]
    fn a_database_from_before_webhooks_gets_its_ids() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let old = Connection::open(&path).unwrap();
        old.execute_batch(&SCHEMA.replace("    id         TEXT,\n", ""))
            .unwrap();
        old.execute(
            "INSERT INTO leads (seq, name, name_key, status, source, tags, created_at, updated_at) \
             VALUES (7, 'Old', 'old', 0, 'call', '[]', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
        drop(old);
        let store = open_new(&path);
        let lead = select_one(&lock(&store.db).conn, "lead_007").unwrap();
        assert_eq!(lead.map(|l| l.name).as_deref(), Some("Old"));
    }

    /// The names a view lists, in order, and its total.
    async fn names(store: &Sqlite, query: &str) -> (Vec<String>, u64) {
        let query = ListQuery::from_query_string(query).unwrap();
        let (leads, total) = store.list(&query).await.unwrap();
        (leads.into_iter().map(|l| l.name).collect(), total)
    }

    #[tokio::test]
    async fn a_database_from_before_search_gets_its_index_on_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let old = Connection::open(&path).unwrap();
        old.execute_batch(SCHEMA).unwrap();
        old.execute(
            "INSERT INTO leads (seq, id, name, name_key, email, status, source, tags, created_at, updated_at) \
             VALUES (3, 'lead_003', 'Renée Old', 'renée old', 'r@old.example', 0, 'call', '[\"Legacy\"]', \
             '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
        drop(old);
        let store = open_new(&path);
        assert_eq!(
            names(&store, "q=renee&tag=legacy").await,
            (vec!["Renée Old".into()], 1)
        );
        drop(store);
        let again = open_new(&path);
        assert_eq!(
            names(&again, "q=old.example").await.1,
            1,
            "indexed once, not twice"
        );
    }

    /// The query plan of `query`'s page, as SQLite explains it.
    fn plan(conn: &Connection, query: &ListQuery, along: bool) -> String {
        let (where_sql, args) = filter(query, along);
        let sql = format!(
            "EXPLAIN QUERY PLAN SELECT * FROM leads{where_sql} ORDER BY {}",
            order_by(query)
        );
        let mut stmt = conn.prepare(&sql).unwrap();
        let plan: Vec<String> = stmt
            .query_map(params_from_iter(args.iter()), |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        plan.join("; ")
    }

    /// No filter, each filter, and both.
    fn every_filter() -> [ListQuery; 4] {
        let new = Some(LeadStatus::New);
        let sms = Some(leads_core::Channel::Sms);
        [
            ListQuery::default(),
            ListQuery::default().with_status(new),
            ListQuery::default().with_source(sms),
            ListQuery::default().with_status(new).with_source(sms),
        ]
    }

    #[test]
    fn every_filter_and_sort_is_served_by_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = open_new(&dir.path().join("plan.db"));
        let db = lock(&store.db);
        let filters = every_filter();
        for base in filters {
            for field in SortField::ALL {
                for sort in [Sort::asc(field), Sort::desc(field)] {
                    let query = base.clone().with_sort(sort);
                    let plan = plan(&db.conn, &query, false);
                    assert!(
                        plan.contains("USING INDEX") && !plan.contains("TEMP B-TREE"),
                        "{} sorts without an index: {plan}",
                        query.to_query_string()
                    );
                }
            }
        }
    }

    #[test]
    fn a_search_or_tag_reads_its_matches_or_walks_the_sort_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = open_new(&dir.path().join("plan.db"));
        let db = lock(&store.db);
        let filters = every_filter();
        let searches = [
            ListQuery::default().with_q("jose"),
            ListQuery::default().with_q("jo"),
            ListQuery::default().with_tag(Some("vip".into())),
            ListQuery::default()
                .with_q("(555) 010")
                .with_tag(Some("vip".into())),
        ];
        for base in filters {
            for search in &searches {
                for field in SortField::ALL {
                    for sort in [Sort::asc(field), Sort::desc(field)] {
                        let query = ListQuery {
                            q: search.q.clone(),
                            tag: search.tag.clone(),
                            ..base.clone().with_sort(sort)
                        };
                        let from_matches = plan(&db.conn, &query, false);
                        assert!(
                            from_matches.contains("SEARCH leads USING INTEGER PRIMARY KEY")
                                && !from_matches.contains("INDEX leads_"),
                            "{} does not start from its matches: {from_matches}",
                            query.to_query_string()
                        );
                        if query.q.as_ref().is_some_and(|q| q.len() >= 3) {
                            let along = plan(&db.conn, &query, true);
                            assert!(
                                along.contains(&format!("USING INDEX {}", index_for(&query)))
                                    && !along.contains("TEMP B-TREE"),
                                "{} does not walk its sort's index: {along}",
                                query.to_query_string()
                            );
                        }
                    }
                }
            }
        }
    }
}
