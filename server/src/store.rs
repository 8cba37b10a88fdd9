//! Leads in SQLite. Every statement is parameterised; each write is committed
//! before its caller hears of it. Blocking calls run off the async runtime.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use leads_core::field::LeadField;
use leads_core::{Channel, Lead, LeadPatch, LeadStatus, ListQuery, NewLead, Sort, SortField};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, Connection, OptionalExtension, Row};

use crate::error::AppError;
use crate::seed;
use crate::time;

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
pub struct Store {
    db: Arc<Mutex<Db>>,
}

/// The connection, and each filter's total as last counted. Counting the
/// leads with one status costs far more than reading a page of them (it
/// walks every match), and totals change only when this process writes
/// (it is the database's only writer), so a write forgets them all.
struct Db {
    conn: Connection,
    totals: HashMap<(Option<LeadStatus>, Option<Channel>), u64>,
}

impl Db {
    /// Begins a write: every cached total is forgotten first, so no write
    /// can leave a count behind that it changed.
    fn write(&mut self) -> rusqlite::Result<rusqlite::Transaction<'_>> {
        self.totals.clear();
        self.conn.transaction()
    }
}

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

impl Store {
    /// Opens (or creates) the database at `path` in WAL mode.
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        let conn = connect(path)?;
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
        Ok(Store {
            db: Arc::new(Mutex::new(Db {
                conn,
                totals: HashMap::new(),
            })),
        })
    }

    /// Runs `work` on the database in a blocking task.
    async fn with_db<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Db) -> rusqlite::Result<T> + Send + 'static,
    {
        let db = Arc::clone(&self.db);
        let result = tokio::task::spawn_blocking(move || work(&mut lock(&db))).await?;
        Ok(result?)
    }

    /// Asks the database a trivial question, for readiness checks.
    pub async fn ping(&self) -> Result<(), AppError> {
        self.with_db(|db| db.conn.query_row("SELECT 1", [], |_| Ok(())))
            .await
    }

    /// Seeds `count` demo leads when the table is empty; returns how many.
    pub async fn seed_if_empty(&self, count: u32) -> rusqlite::Result<u32> {
        let db = Arc::clone(&self.db);
        let now = ::time::OffsetDateTime::now_utc();
        let work = move || -> rusqlite::Result<u32> {
            let mut db = lock(&db);
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
        };
        tokio::task::spawn_blocking(work)
            .await
            .unwrap_or_else(|err| std::panic::resume_unwind(err.into_panic()))
    }

    /// One page of leads in the query's order, and the total that match.
    pub async fn list(&self, query: ListQuery) -> Result<(Vec<Lead>, u64), AppError> {
        self.with_db(move |db| {
            let (where_sql, args) = filter(&query);
            let key = (query.status, query.source);
            let total = match db.totals.get(&key) {
                Some(total) => *total,
                None => {
                    let counted: i64 = db.conn.query_row(
                        &format!("SELECT COUNT(*) FROM leads{where_sql}"),
                        params_from_iter(args.iter()),
                        |r| r.get(0),
                    )?;
                    let counted = u64::try_from(counted).unwrap_or(0);
                    db.totals.insert(key, counted);
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
        self.with_db(move |db| select_one(&db.conn, &id)).await
    }

    /// Stores a validated new lead and returns it as stored.
    pub async fn create(&self, new: NewLead) -> Result<Lead, AppError> {
        self.with_db(move |db| {
            let mut lead = new.into_lead(String::new(), &time::now());
            let tx = db.write()?;
            mint(&tx, &mut lead)?;
            tx.commit()?;
            Ok(lead)
        })
        .await
    }

    /// Stores a lead that arrived with its own id (the vendor's webhook);
    /// `false`, and nothing changed, when a lead already has that id.
    pub async fn adopt(&self, lead: Lead) -> Result<bool, AppError> {
        self.with_db(move |db| {
            let tx = db.write()?;
            if select_one(&tx, &lead.id)?.is_some() {
                return Ok(false);
            }
            insert(&tx, next_seq(&tx)?, &lead)?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    /// Applies a validated patch; `None` when no lead has `id`, else the
    /// lead before and after.
    pub async fn update(
        &self,
        id: &str,
        patch: LeadPatch,
    ) -> Result<Option<(Lead, Lead)>, AppError> {
        let id = id.to_owned();
        self.with_db(move |db| {
            let tx = db.write()?;
            let Some(before) = select_one(&tx, &id)? else {
                return Ok(None);
            };
            let mut lead = before.clone();
            lead.apply(&patch, &time::now());
            update(&tx, &lead)?;
            tx.commit()?;
            Ok(Some((before, lead)))
        })
        .await
    }
}

fn lock(db: &Mutex<Db>) -> MutexGuard<'_, Db> {
    // A panic while holding the lock cannot leave SQLite half-written (each
    // write is one transaction, and the totals are forgotten before a
    // write), so a poisoned lock is safe to reuse.
    db.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The id the server mints for a row: `lead_001` … `lead_999`, then
/// `lead_1000`.
pub fn id_from_seq(seq: i64) -> String {
    format!("lead_{seq:03}")
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
    let sql = format!(
        "INSERT INTO leads (seq, {}) VALUES (?{}, {})",
        columns.join(", "),
        columns.len() + 1,
        placeholders(columns.len())
    );
    let seq = SqlValue::Integer(seq);
    conn.execute(
        &sql,
        params_from_iter(values.iter().map(|(_, v)| v).chain([&seq])),
    )?;
    Ok(())
}

fn update(conn: &Connection, lead: &Lead) -> rusqlite::Result<()> {
    let values = stored_values(lead);
    let assignments: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, (column, _))| format!("{column} = ?{}", i + 1))
        .collect();
    let sql = format!(
        "UPDATE leads SET {} WHERE id = ?{}",
        assignments.join(", "),
        values.len() + 1
    );
    let id = SqlValue::Text(lead.id.clone());
    conn.execute(
        &sql,
        params_from_iter(values.iter().map(|(_, v)| v).chain([&id])),
    )?;
    Ok(())
}

/// `?1, ?2, …, ?count`.
fn placeholders(count: usize) -> String {
    let list: Vec<String> = (1..=count).map(|i| format!("?{i}")).collect();
    list.join(", ")
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

fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".to_owned())
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

fn filter(query: &ListQuery) -> (String, Vec<SqlValue>) {
    let mut clauses = Vec::new();
    let mut args = Vec::new();
    if let Some(status) = query.status {
        clauses.push("status = ?");
        args.push(SqlValue::Integer(i64::from(status.rank())));
    }
    if let Some(source) = query.source {
        clauses.push("source = ?");
        args.push(SqlValue::Text(source.as_str().to_owned()));
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    (sql, args)
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

    #[test]
    fn minted_ids_count_up_in_three_digits_then_more() {
        assert_eq!(id_from_seq(1), "lead_001");
        assert_eq!(id_from_seq(1000), "lead_1000");
    }

    fn new_lead(name: &str) -> NewLead {
        NewLead {
            name: name.into(),
            ..NewLead::default()
        }
    }

    #[tokio::test]
    async fn a_webhook_lead_keeps_its_id_and_minting_passes_over_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("ids.db")).unwrap();
        let first = store.create(new_lead("First")).await.unwrap();
        assert_eq!(first.id, "lead_001");
        let vendor = new_lead("Caller").into_lead("lead_002".into(), "2026-11-26T10:00:00Z");
        assert!(store.adopt(vendor.clone()).await.unwrap());
        assert!(!store.adopt(vendor).await.unwrap(), "the same id twice");
        let third = store.create(new_lead("Third")).await.unwrap();
        assert_eq!(third.id, "lead_003");
        let odd = new_lead("Odd").into_lead("ld-9f/2".into(), "2026-11-26T10:00:00Z");
        assert!(store.adopt(odd).await.unwrap());
        assert_eq!(store.get("ld-9f/2").await.unwrap().unwrap().name, "Odd");
        assert_eq!(store.get("lead_002").await.unwrap().unwrap().name, "Caller");
        let (leads, total) = store.list(ListQuery::default()).await.unwrap();
        let names: Vec<&str> = leads.iter().map(|l| l.name.as_str()).collect();
        assert_eq!((names, total), (vec!["Third", "First", "Odd", "Caller"], 4));
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
        let store = Store::open(&path).unwrap();
        let lead = select_one(&lock(&store.db).conn, "lead_007").unwrap();
        assert_eq!(lead.map(|l| l.name).as_deref(), Some("Old"));
    }

    #[test]
    fn every_filter_and_sort_is_served_by_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.db")).unwrap();
        let db = lock(&store.db);
        let filters = [
            ListQuery::default(),
            ListQuery::default().with_status(Some(LeadStatus::New)),
            ListQuery::default().with_source(Some(leads_core::Channel::Sms)),
            ListQuery::default()
                .with_status(Some(LeadStatus::New))
                .with_source(Some(leads_core::Channel::Sms)),
        ];
        for base in filters {
            for field in SortField::ALL {
                for sort in [Sort::asc(field), Sort::desc(field)] {
                    let query = base.with_sort(sort);
                    let (where_sql, args) = filter(&query);
                    let sql = format!(
                        "EXPLAIN QUERY PLAN SELECT * FROM leads{where_sql} ORDER BY {}",
                        order_by(&query)
                    );
                    let mut stmt = db.conn.prepare(&sql).unwrap();
                    let plan: Vec<String> = stmt
                        .query_map(params_from_iter(args.iter()), |r| r.get::<_, String>(3))
                        .unwrap()
                        .collect::<rusqlite::Result<_>>()
                        .unwrap();
                    let plan = plan.join("; ");
                    assert!(
                        plan.contains("USING INDEX") && !plan.contains("TEMP B-TREE"),
                        "{} sorts without an index: {plan}",
                        query.to_query_string()
                    );
                }
            }
        }
    }
}
