//! Why the database failed: its own module, so the server's error type can
//! name it without depending on the store.

/// Why the database failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{}", describe(.0))]
    Postgres(#[from] tokio_postgres::Error),
    #[error("no connection to PostgreSQL: {}", describe_pool(.0))]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error(
        "the database's schema is version {found}, newer than this leads-server knows \
         ({known}): run the release that last migrated it, or a newer one"
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error("a stored lead could not be read: {0}")]
    Unreadable(String),
    /// What a request's error carries when start-up ran the request's way
    /// (seeding, reading the event log's tail) and it failed.
    #[error("{0}")]
    Request(String),
}

/// A driver error with what the server said, for logs and start-up.
pub fn describe(err: &tokio_postgres::Error) -> String {
    match std::error::Error::source(err) {
        Some(cause) => format!("{err}: {cause}"),
        None => err.to_string(),
    }
}

/// A pool error, with the driver's reason when it has one.
pub fn describe_pool(err: &deadpool_postgres::PoolError) -> String {
    match err {
        deadpool_postgres::PoolError::Backend(err) => describe(err),
        other => other.to_string(),
    }
}
