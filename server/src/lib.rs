//! The Leads API on SQLite or PostgreSQL, with the built console served
//! beside it.
//!
//! [`run`] binds, migrates and seeds a new database and serves until Ctrl-C
//! or SIGTERM;
//! [`app::router`] is the whole HTTP surface, so tests can drive it in process.

pub mod api;
pub mod app;
pub mod auth;
pub mod backend;
pub mod bus;
pub mod cli;
pub mod config;
pub mod cors;
pub mod error;
pub mod event;
#[cfg(feature = "test-faults")]
pub mod faults;
pub mod headers;
pub mod health;
pub mod idempotency;
pub mod limits;
pub mod mirror;
pub mod openapi;
pub mod rate_limit;
pub mod request_log;
pub mod seed;
pub mod serve;
pub mod simulate;
pub mod start_error;
pub mod state;
pub mod static_files;
pub mod store;
pub mod time;
pub mod upstream;
pub mod webhook;
pub mod writes;

pub use config::Config;
pub use start_error::StartError;

use tokio::net::TcpListener;

use crate::backend::LeadsBackend;
use crate::mirror::{Mirror, SyncSettings};
use crate::state::AppState;
use crate::store::{Database, Location, Store};
use crate::upstream::{Upstream, UpstreamKey};

/// Sets up what answers `/v1/leads…` (the store, seeded if new, or the
/// upstream API) and serves until asked to stop.
pub async fn run(config: Config) -> Result<(), StartError> {
    if config.simulate_calls.is_some() && config.upstream.is_some() {
        return Err(StartError::SimulatedUpstream);
    }
    let location = config.location().map_err(StartError::DatabaseFlag)?;
    let database = open_database(&location).await?;
    let backend = match &config.upstream {
        Some(base) if config.mirror => {
            LeadsBackend::Mirror(mirror(&config, base, &database, &location).await?)
        }
        Some(base) => LeadsBackend::Upstream(upstream(&config, base)?),
        None => {
            claim(&database, &location, None).await?;
            LeadsBackend::Store(seeded_store(&database, &location, &config).await?)
        }
    };
    if !config.dist.join("index.html").is_file() {
        tracing::warn!(
            dist = %config.dist.display(),
            "no built console here; run `make build`, or pass --dist"
        );
    }
    let listener = TcpListener::bind(&config.addr)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.addr.clone(),
            source,
        })?;
    let local = listener.local_addr().map_err(StartError::Serve)?;
    let leads = match &config.upstream {
        Some(base) if config.mirror => format!("a copy of {base} in {}", location.describe()),
        Some(base) => format!("forwarded to {base}"),
        None => location.describe(),
    };
    let state = AppState::new(backend, &database, &config).await?;
    let auth = if state.sign_in.required() {
        "bearer"
    } else {
        "none"
    };
    if !state.sign_in.required() && !local.ip().is_loopback() {
        return Err(StartError::Open {
            addr: local.to_string(),
        });
    }
    // The address ends the line: tests and scripts read it from there.
    tracing::info!(%leads, auth, "serving the console at http://{local}");
    if let (Some(every), Some(hook)) = (config.simulate_calls, &state.webhook) {
        tracing::info!(every, "simulating a call every {every} s");
        tokio::spawn(simulate::calls(
            local,
            hook.secret(),
            std::time::Duration::from_secs(every),
            state.events.stopping(),
        ));
    }
    if let LeadsBackend::Mirror(mirror) = &state.backend {
        mirror.start();
    }
    let (events, backend) = (state.events.clone(), state.backend.clone());
    let stop = async move {
        shutdown_signal().await;
        // Open event streams end, or the graceful stop would wait forever.
        events.stop();
        backend.stop();
    };
    let app = app::router(state);
    serve::serve(listener, app, config.client_timeout, stop)
        .await
        .map_err(StartError::Serve)?;
    tracing::info!("stopped");
    Ok(())
}

/// `leads-server migrate`: the schema brought to this release's, and what
/// was done said on standard output.
pub async fn migrate(config: &Config) -> Result<(), StartError> {
    let location = config.location().map_err(StartError::DatabaseFlag)?;
    open_database(&location).await?;
    println!(
        "the database {} has this release's schema",
        location.describe()
    );
    Ok(())
}

/// `leads-server sync --once`: one full pass of the copy, said on standard
/// output.
pub async fn sync_once(config: &Config) -> Result<(), StartError> {
    let base = config
        .upstream
        .as_deref()
        .ok_or(StartError::SyncWithoutUpstream)?;
    let location = config.location().map_err(StartError::DatabaseFlag)?;
    let database = open_database(&location).await?;
    let mirror = mirror(config, base, &database, &location).await?;
    let tally = mirror::sync::once(&mirror)
        .await
        .map_err(StartError::SyncFailed)?;
    println!(
        "read {} leads from {}: {} new to the copy, {} changed",
        tally.read,
        mirror.upstream.base(),
        tally.created,
        tally.changed
    );
    Ok(())
}

/// The copy of the vendor's leads at `base`, in a database that may hold
/// it (its sync is started with the server).
async fn mirror(
    config: &Config,
    base: &str,
    database: &Database,
    location: &Location,
) -> Result<Mirror, StartError> {
    let upstream = upstream(config, base)?;
    claim(database, location, Some(upstream.base())).await?;
    let store = Store::new(database).map_err(|source| StartError::Database {
        location: location.describe(),
        source,
    })?;
    Ok(Mirror::new(
        store,
        upstream,
        database,
        SyncSettings::from_config(config),
    ))
}

/// Refuses a database that holds another kind of leads than asked for: a
/// copy of another vendor, or leads of its own under a copy.
async fn claim(
    database: &Database,
    location: &Location,
    mirror: Option<&str>,
) -> Result<(), StartError> {
    database
        .claim(mirror)
        .await
        .map_err(|source| StartError::Database {
            location: location.describe(),
            source,
        })?
        .map_err(|refusal| StartError::Claimed {
            location: location.describe(),
            refusal,
        })
}

/// Connects to the database and migrates it.
async fn open_database(location: &Location) -> Result<Database, StartError> {
    Database::open(location)
        .await
        .map_err(|source| StartError::Database {
            location: location.describe(),
            source,
        })
}

/// The store, seeded when it holds no leads.
async fn seeded_store(
    database: &Database,
    location: &Location,
    config: &Config,
) -> Result<Store, StartError> {
    let failed = |source| StartError::Database {
        location: location.describe(),
        source,
    };
    let store = Store::new(database).map_err(failed)?;
    let seeded = store
        .seed_if_empty(config.demo_leads)
        .await
        .map_err(|err| failed(err.into()))?;
    if seeded > 0 {
        tracing::info!(count = seeded, "seeded a new database with demo leads");
    }
    Ok(store)
}

/// The upstream for proxy mode, with its key from the key file or the
/// environment.
fn upstream(config: &Config, base: &str) -> Result<Upstream, StartError> {
    let raw = match (&config.upstream_key_file, &config.upstream_key) {
        (Some(path), _) => {
            std::fs::read_to_string(path).map_err(|source| StartError::Unreadable {
                what: "the upstream key file",
                path: path.clone(),
                source,
            })?
        }
        (None, Some(key)) => key.clone(),
        (None, None) => return Err(StartError::NoUpstreamKey),
    };
    let key = UpstreamKey::new(&raw).ok_or(StartError::EmptyUpstreamKey)?;
    Upstream::new(base, key, config.upstream_timeout)
}

/// Resolves on Ctrl-C or SIGTERM, so in-flight requests can finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
