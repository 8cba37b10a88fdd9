//! Leads in SQLite. Every statement is parameterised; each write is committed
//! before its caller hears of it. Blocking calls run off the async runtime.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use leads_core::{Lead, LeadPatch, LeadStatus, ListQuery, NewLead, SortField};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

use crate::error::AppError;
use crate::seed;
use crate::time;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS leads (
    seq        INTEGER PRIMARY KEY,
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

/// Sort keys as SQL expressions; the index on each matches the ORDER BY.
const SORT_KEYS: [(&str, &str); 5] = [
    ("created", "created_at"),
    ("updated", "updated_at"),
    ("name", "name_key"),
    ("status", "status"),
    ("score", "score IS NULL, score"),
];
/// Filter prefixes, so each filter-and-sort combination has an index.
const FILTER_KEYS: [(&str, &str); 4] = [
    ("all", ""),
    ("status", "status, "),
    ("source", "source, "),
    ("both", "status, source, "),
];

const COLUMNS: &str =
    "seq, name, phone, email, status, source, score, tags, created_at, updated_at";

/// The lead table behind a lock; cheap to clone.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl Store {
    /// Opens (or creates) the database at `path` in WAL mode.
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a write is on disk before the API acknowledges it, even if
        // the machine loses power right after.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        for (sort_name, sort_sql) in SORT_KEYS {
            for (filter_name, filter_sql) in FILTER_KEYS {
                if filter_sql.contains(sort_sql) {
                    continue;
                }
                conn.execute_batch(&format!(
                    "CREATE INDEX IF NOT EXISTS leads_{filter_name}_by_{sort_name} \
                     ON leads ({filter_sql}{sort_sql}, seq);"
                ))?;
            }
        }
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `work` on the connection in a blocking task.
    async fn with_conn<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        let result = tokio::task::spawn_blocking(move || work(&mut lock(&conn))).await?;
        Ok(result?)
    }

    /// Seeds `count` demo leads when the table is empty; returns how many.
    pub async fn seed_if_empty(&self, count: u32) -> rusqlite::Result<u32> {
        let conn = Arc::clone(&self.conn);
        let now = ::time::OffsetDateTime::now_utc();
        let work = move || -> rusqlite::Result<u32> {
            let mut conn = lock(&conn);
            let tx = conn.transaction()?;
            let existing: i64 = tx.query_row("SELECT COUNT(*) FROM leads", [], |r| r.get(0))?;
            if existing > 0 || count == 0 {
                return Ok(0);
            }
            for lead in seed::demo_leads(count, now) {
                insert(&tx, &lead)?;
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
        self.with_conn(move |conn| {
            let (where_sql, args) = filter(&query);
            let total: i64 = conn.query_row(
                &format!("SELECT COUNT(*) FROM leads{where_sql}"),
                params_from_iter(args.iter()),
                |r| r.get(0),
            )?;
            let sql = format!(
                "SELECT {COLUMNS} FROM leads{where_sql} ORDER BY {} LIMIT {} OFFSET {}",
                order_by(&query),
                query.limit,
                query.offset()
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let leads = stmt
                .query_map(params_from_iter(args.iter()), lead_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((leads, u64::try_from(total).unwrap_or(0)))
        })
        .await
    }

    /// The lead with `id`, if there is one.
    pub async fn get(&self, id: &str) -> Result<Option<Lead>, AppError> {
        let Some(seq) = seq_from_id(id) else {
            return Ok(None);
        };
        self.with_conn(move |conn| select_one(conn, seq)).await
    }

    /// Stores a validated new lead and returns it as stored.
    pub async fn create(&self, new: NewLead) -> Result<Lead, AppError> {
        self.with_conn(move |conn| {
            let now = time::now();
            let lead = Lead {
                id: String::new(),
                name: new.name,
                phone: new.phone,
                email: new.email,
                status: LeadStatus::New,
                source: new
                    .source
                    .unwrap_or_else(|| leads_core::limits::DEFAULT_SOURCE.to_owned()),
                score: None,
                tags: new.tags,
                created_at: now.clone(),
                updated_at: now,
            };
            let tx = conn.transaction()?;
            let seq = insert(&tx, &lead)?;
            tx.commit()?;
            Ok(Lead {
                id: id_from_seq(seq),
                ..lead
            })
        })
        .await
    }

    /// Applies a validated patch; `None` when no lead has `id`.
    pub async fn update(&self, id: &str, patch: LeadPatch) -> Result<Option<Lead>, AppError> {
        let Some(seq) = seq_from_id(id) else {
            return Ok(None);
        };
        self.with_conn(move |conn| {
            let tx = conn.transaction()?;
            let Some(mut lead) = select_one(&tx, seq)? else {
                return Ok(None);
            };
            if let Some(name) = patch.name {
                lead.name = name;
            }
            if let Some(phone) = patch.phone {
                lead.phone = phone;
            }
            if let Some(email) = patch.email {
                lead.email = email;
            }
            if let Some(status) = patch.status {
                lead.status = status;
            }
            if let Some(tags) = patch.tags {
                lead.tags = tags;
            }
            lead.updated_at = lead.updated_at.max(time::now());
            tx.execute(
                "UPDATE leads SET name = ?1, name_key = ?2, phone = ?3, email = ?4, status = ?5, \
                 tags = ?6, updated_at = ?7 WHERE seq = ?8",
                params![
                    lead.name,
                    lead.name.to_lowercase(),
                    lead.phone,
                    lead.email,
                    lead.status.rank(),
                    tags_json(&lead.tags),
                    lead.updated_at,
                    seq
                ],
            )?;
            tx.commit()?;
            Ok(Some(lead))
        })
        .await
    }
}

fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock cannot leave SQLite half-written (each
    // write is one transaction), so a poisoned lock is safe to reuse.
    conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The public id for a row: `lead_001` … `lead_999`, then `lead_1000`.
pub fn id_from_seq(seq: i64) -> String {
    format!("lead_{seq:03}")
}

/// The row behind a public id; ids that the server would never mint (such
/// as `lead_0001`) match nothing.
pub fn seq_from_id(id: &str) -> Option<i64> {
    let seq: i64 = id.strip_prefix("lead_")?.parse().ok()?;
    (seq > 0 && id_from_seq(seq) == id).then_some(seq)
}

fn insert(conn: &Connection, lead: &Lead) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO leads (name, name_key, phone, email, status, source, score, tags, \
         created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            lead.name,
            lead.name.to_lowercase(),
            lead.phone,
            lead.email,
            lead.status.rank(),
            lead.source,
            lead.score,
            tags_json(&lead.tags),
            lead.created_at,
            lead.updated_at
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

fn select_one(conn: &Connection, seq: i64) -> rusqlite::Result<Option<Lead>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM leads WHERE seq = ?1"),
        [seq],
        lead_from_row,
    )
    .optional()
}

fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".to_owned())
}

fn lead_from_row(row: &Row<'_>) -> rusqlite::Result<Lead> {
    let rank: u8 = row.get(4)?;
    let tags: String = row.get(7)?;
    Ok(Lead {
        id: id_from_seq(row.get(0)?),
        name: row.get(1)?,
        phone: row.get(2)?,
        email: row.get(3)?,
        status: LeadStatus::from_rank(rank)
            .ok_or_else(|| rusqlite::Error::IntegralValueOutOfRange(4, i64::from(rank)))?,
        source: row.get(5)?,
        score: row.get(6)?,
        tags: serde_json::from_str(&tags).map_err(|err| {
            rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, Box::new(err))
        })?,
        created_at: row.get(8)?,
        updated_at: row.get(9)?,
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
    let key = match query.sort.field {
        SortField::CreatedAt => format!("created_at {dir}"),
        SortField::UpdatedAt => format!("updated_at {dir}"),
        SortField::Name => format!("name_key {dir}"),
        SortField::Status => format!("status {dir}"),
        SortField::Score => format!("score IS NULL, score {dir}"),
    };
    format!("{key}, seq {dir}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_reject_foreign_spellings() {
        assert_eq!(id_from_seq(1), "lead_001");
        assert_eq!(id_from_seq(1000), "lead_1000");
        assert_eq!(seq_from_id("lead_042"), Some(42));
        assert_eq!(seq_from_id("lead_1000"), Some(1000));
        for bad in [
            "lead_42",
            "lead_0001",
            "lead_000",
            "lead_-01",
            "LEAD_001",
            "001",
            "lead_+01",
        ] {
            assert_eq!(seq_from_id(bad), None, "{bad}");
        }
    }
}
