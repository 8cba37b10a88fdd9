//! `Idempotency-Key` on `POST /v1/leads`, whatever answers it (the store or
//! the vendor's API): a create sent again with the same key and body, after
//! a dropped connection say, gets the first answer and makes no second
//! lead. Keys live in the server's database for 24 hours, per person, so a
//! restart, or another instance on the same PostgreSQL, honours them too;
//! in proxy mode that database holds only them.
//!
//! A key is reserved before the create runs, so a second request with it
//! waits for nothing and is told to try again (`409`), and the create runs
//! in a task of its own: a client that hangs up cannot stop it between
//! storing the lead and storing the answer.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leads_core::new_lead::{is_idempotency_key, IDEMPOTENCY_KEY_HEADER};
use leads_core::{ApiError, ErrorType};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::api::body::limited_bytes;
use crate::auth::Who;
use crate::error::AppError;
use crate::store::error::StoreError;
use crate::store::{blocking, Database, Engine};

/// How long a key is honoured.
const KEPT_SECONDS: i64 = 24 * 60 * 60;

/// The largest answer kept for a replay; a lead is a few hundred bytes.
const MAX_KEPT_ANSWER: usize = 256 * 1024;

/// The request header, as the server's parts that pass it on name it.
pub const KEY_HEADER: HeaderName = HeaderName::from_static("idempotency-key");

/// Marks an answer sent again for a repeated key.
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// How long a create may take before its key is thought abandoned, its
/// instance having died with it (PostgreSQL, where other instances run on:
/// SQLite's only instance frees its own on start).
const ABANDONED_SECONDS: i64 = 5 * 60;

/// The kept keys, in the server's database; cheap to clone.
#[derive(Clone)]
pub struct Keys {
    db: KeysDb,
}

#[derive(Clone)]
enum KeysDb {
    Sqlite(Arc<Mutex<Connection>>),
    Postgres(deadpool_postgres::Pool),
}

/// A first answer, kept to be sent again.
struct Kept {
    status: u16,
    location: Option<String>,
    body: Vec<u8>,
}

/// What a key's arrival means.
enum Reservation {
    /// Never seen (or forgotten): the create runs, and its answer is kept.
    New,
    /// Answered before, for the same body.
    Replay(Kept),
    /// Seen with another body.
    OtherBody,
    /// Its first request is still being answered.
    Running,
}

/// A key's row as kept: fingerprint, status, location, body.
type Row = (Vec<u8>, Option<u16>, Option<String>, Option<Vec<u8>>);

impl Reservation {
    /// What a key already kept means for a request with `fingerprint`.
    fn of(fingerprint: &[u8], (seen, status, location, body): Row) -> Reservation {
        match status {
            _ if seen != fingerprint => Reservation::OtherBody,
            None => Reservation::Running,
            Some(status) => Reservation::Replay(Kept {
                status,
                location,
                body: body.unwrap_or_default(),
            }),
        }
    }
}

impl Keys {
    /// The keys in `database`. SQLite's pending ones were left by this
    /// server's last run, which died with their creates: they are freed.
    pub fn new(database: &Database) -> Result<Keys, StoreError> {
        let db = match &database.engine {
            Engine::Sqlite(path) => {
                let conn = crate::store::connect(path)?;
                conn.execute("DELETE FROM idempotency_keys WHERE status IS NULL", [])?;
                KeysDb::Sqlite(Arc::new(Mutex::new(conn)))
            }
            Engine::Postgres(pool, _) => KeysDb::Postgres(pool.clone()),
        };
        Ok(Keys { db })
    }

    /// Looks the key up, forgetting keys past their day first, and reserves
    /// it when it is new.
    async fn reserve(
        &self,
        who: String,
        key: String,
        fingerprint: Vec<u8>,
    ) -> Result<Reservation, AppError> {
        let now = crate::time::unix_now();
        let pool = match &self.db {
            KeysDb::Postgres(pool) => pool,
            KeysDb::Sqlite(db) => {
                return blocking(db, move |conn| {
                    let tx = conn.transaction_with_behavior(crate::store::IMMEDIATE)?;
                    tx.execute(
                        "DELETE FROM idempotency_keys WHERE created_at <= ?1",
                        [now - KEPT_SECONDS],
                    )?;
                    let seen = tx
                        .query_row(
                            "SELECT fingerprint, status, location, body FROM idempotency_keys \
                             WHERE who = ?1 AND key = ?2",
                            params![who, key],
                            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                        )
                        .optional()?;
                    let reservation = match seen {
                        Some(row) => Reservation::of(&fingerprint, row),
                        None => {
                            tx.execute(
                                "INSERT INTO idempotency_keys (who, key, fingerprint, created_at) \
                                 VALUES (?1, ?2, ?3, ?4)",
                                params![who, key, fingerprint, now],
                            )?;
                            Reservation::New
                        }
                    };
                    tx.commit()?;
                    Ok(reservation)
                })
                .await;
            }
        };
        let who = who.into_bytes();
        let mut client = pool.get().await.map_err(StoreError::from)?;
        let tx = client.transaction().await.map_err(StoreError::from)?;
        tx.execute(
            "DELETE FROM idempotency_keys WHERE created_at <= $1 \
             OR (status IS NULL AND created_at <= $2)",
            &[&(now - KEPT_SECONDS), &(now - ABANDONED_SECONDS)],
        )
        .await
        .map_err(StoreError::from)?;
        // Two instances given one key at once: the second's insert waits
        // for the first's commit, then finds its row.
        let inserted = tx
            .execute(
                "INSERT INTO idempotency_keys (who, key, fingerprint, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &[&who, &key, &fingerprint, &now],
            )
            .await
            .map_err(StoreError::from)?;
        let reservation = if inserted == 1 {
            Reservation::New
        } else {
            let row = tx
                .query_one(
                    "SELECT fingerprint, status, location, body FROM idempotency_keys \
                     WHERE who = $1 AND key = $2",
                    &[&who, &key],
                )
                .await
                .map_err(StoreError::from)?;
            let status: Option<i16> = row.get(1);
            Reservation::of(
                &fingerprint,
                (
                    row.get(0),
                    status.and_then(|status| u16::try_from(status).ok()),
                    row.get(2),
                    row.get(3),
                ),
            )
        };
        tx.commit().await.map_err(StoreError::from)?;
        Ok(reservation)
    }

    /// Keeps a successful first answer.
    async fn keep(&self, who: String, key: String, answer: Kept) -> Result<(), AppError> {
        match &self.db {
            KeysDb::Sqlite(db) => {
                blocking(db, move |conn| {
                    conn.execute(
                        "UPDATE idempotency_keys SET status = ?3, location = ?4, body = ?5 \
                         WHERE who = ?1 AND key = ?2",
                        params![who, key, answer.status, answer.location, answer.body],
                    )
                    .map(drop)
                })
                .await
            }
            KeysDb::Postgres(pool) => {
                let client = pool.get().await.map_err(StoreError::from)?;
                let status = i16::try_from(answer.status).unwrap_or(i16::MAX);
                client
                    .execute(
                        "UPDATE idempotency_keys SET status = $3, location = $4, body = $5 \
                         WHERE who = $1 AND key = $2",
                        &[
                            &who.into_bytes(),
                            &key,
                            &status,
                            &answer.location,
                            &answer.body,
                        ],
                    )
                    .await
                    .map_err(StoreError::from)?;
                Ok(())
            }
        }
    }

    /// Lets the key go after a create that did not succeed, so sending it
    /// again (with the same body or a corrected one) tries again. A failure
    /// is only logged: the create's own answer is what the client needs.
    async fn release(&self, who: String, key: String) {
        let released = match &self.db {
            KeysDb::Sqlite(db) => {
                blocking(db, move |conn| {
                    conn.execute(
                        "DELETE FROM idempotency_keys \
                         WHERE who = ?1 AND key = ?2 AND status IS NULL",
                        params![who, key],
                    )
                    .map(drop)
                })
                .await
            }
            KeysDb::Postgres(pool) => {
                async {
                    let client = pool.get().await.map_err(StoreError::from)?;
                    client
                        .execute(
                            "DELETE FROM idempotency_keys \
                         WHERE who = $1 AND key = $2 AND status IS NULL",
                            &[&who.into_bytes(), &key],
                        )
                        .await
                        .map_err(StoreError::from)?;
                    Ok::<(), AppError>(())
                }
                .await
            }
        };
        if let Err(err) = released {
            tracing::error!("an idempotency key could not be released: {err}");
        }
    }
}

/// The layer, inside sign-in (keys are per person) and around the audit
/// and events of writes (a replay is neither a new write nor news).
pub async fn honour(State(keys): State<Keys>, request: Request, next: Next) -> Response {
    let Some(key) = request.headers().get(KEY_HEADER) else {
        return next.run(request).await;
    };
    let Some(key) = key.to_str().ok().filter(|key| is_idempotency_key(key)) else {
        return AppError::Api(ApiError {
            kind: ErrorType::InvalidRequest,
            message: format!(
                "{IDEMPOTENCY_KEY_HEADER} must be 1 to 255 visible ASCII characters, such as a UUID."
            ),
            param: Some(IDEMPOTENCY_KEY_HEADER.to_owned()),
        })
        .into_response();
    };
    let key = key.to_owned();
    let who = request
        .extensions()
        .get::<Who>()
        .map_or_else(String::new, |who| who.0.clone());
    let (parts, body) = request.into_parts();
    let body = match limited_bytes(body).await {
        Ok(body) => body,
        Err(err) => return err.into_response(),
    };
    let fingerprint = Sha256::digest(&body).to_vec();
    match keys.reserve(who.clone(), key.clone(), fingerprint).await {
        Err(err) => err.into_response(),
        Ok(Reservation::Replay(kept)) => replay(kept),
        Ok(Reservation::OtherBody) => AppError::new(
            ErrorType::IdempotencyConflict,
            "This Idempotency-Key was already used for a different lead. \
             Send a new key with each new lead.",
        )
        .into_response(),
        Ok(Reservation::Running) => AppError::new(
            ErrorType::IdempotencyConflict,
            "This lead is still being created. Wait a moment, then send it again \
             with the same Idempotency-Key.",
        )
        .into_response(),
        Ok(Reservation::New) => {
            let request = Request::from_parts(parts, Body::from(body));
            let create = tokio::spawn(create_and_keep(keys, who, key, request, next));
            create
                .await
                .unwrap_or_else(|err| AppError::from(err).into_response())
        }
    }
}

/// Runs the create and keeps a successful answer; any other lets the key go.
async fn create_and_keep(
    keys: Keys,
    who: String,
    key: String,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    if !response.status().is_success() {
        keys.release(who, key).await;
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_KEPT_ANSWER).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::error!("a create's answer could not be read to keep: {err}");
            keys.release(who, key).await;
            return AppError::new(
                ErrorType::Internal,
                "The server could not complete the request. Try again in a moment.",
            )
            .into_response();
        }
    };
    let kept = Kept {
        status: parts.status.as_u16(),
        location: parts
            .headers
            .get(LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
        body: bytes.to_vec(),
    };
    if let Err(err) = keys.keep(who, key, kept).await {
        // The lead exists; only a repeat of this key would now make another.
        tracing::error!("a create's answer could not be kept for its idempotency key: {err}");
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The first answer again, marked as such.
fn replay(kept: Kept) -> Response {
    let status = StatusCode::from_u16(kept.status).unwrap_or(StatusCode::CREATED);
    let mut response = (status, kept.body).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    if let Some(location) = kept
        .location
        .and_then(|location| HeaderValue::try_from(location).ok())
    {
        headers.insert(LOCATION, location);
    }
    response
}
