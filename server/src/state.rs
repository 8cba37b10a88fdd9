//! What every handler can reach, built once from the configuration. It
//! holds the parts; the router (`app.rs`) wires them into routes.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use leads_core::ConsoleConfig;

use crate::auth::SignIn;
use crate::backend::LeadsBackend;
use crate::bus::{LeadEvents, StreamSettings};
use crate::config::Config;
#[cfg(feature = "test-faults")]
use crate::faults::Faults;
use crate::headers::SecurityHeaders;
use crate::idempotency::Keys;
use crate::rate_limit::RateLimit;
use crate::start_error::StartError;
use crate::static_files;
use crate::store::Database;
use crate::webhook::{Secret, Webhook};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub backend: LeadsBackend,
    /// Where the leads (or proxy mode's keys and events) are kept.
    pub database: Database,
    /// Lead created / updated, followed from the database's event log.
    pub events: LeadEvents,
    /// How staff sign in (none configured: an open API, loopback only).
    pub sign_in: SignIn,
    /// `Idempotency-Key`s of creates, kept in the database for a day.
    pub idempotency: Keys,
    /// Requests per minute per client, when limited (shared by every
    /// instance on PostgreSQL).
    pub rate_limit: Option<RateLimit>,
    pub dist: PathBuf,
    /// The console page's Content-Security-Policy and friends.
    pub security: Arc<SecurityHeaders>,
    /// How long a client may take to send a request body.
    pub client_timeout: Duration,
    /// What `/config.json` tells consoles.
    pub settings: ConsoleConfig,
    /// The console's page with its settings in it, when `dist` has one.
    pub page: Option<Bytes>,
    /// `/embed.js` for the build in `dist`, when there is one.
    pub embed_script: Option<Bytes>,
    /// The vendor's `new_lead` webhook, when a secret is configured.
    pub webhook: Option<Webhook>,
    /// CORS for `--allow-origin` portals, when any are allowed.
    pub cors: Option<tower_http::cors::CorsLayer>,
    /// Present only when `--test-faults` is given (test builds only).
    #[cfg(feature = "test-faults")]
    pub faults: Option<Faults>,
}

impl AppState {
    /// State for `backend`, with sign-in, events, the webhook and the
    /// console folder from `config`; fails when a sign-in or secret file
    /// cannot be used, saying why.
    pub async fn new(
        backend: LeadsBackend,
        database: &Database,
        config: &Config,
    ) -> Result<Self, StartError> {
        let sign_in = SignIn::from_config(config)?;
        let defaults = StreamSettings::default();
        let location = || {
            config
                .location()
                .map_or_else(|_| String::new(), |location| location.describe())
        };
        // Zero (as in a `Config::default()`) means the default.
        let events = LeadEvents::start(
            database,
            StreamSettings {
                keep_alive: Some(config.events_keep_alive)
                    .filter(|every| !every.is_zero())
                    .unwrap_or(defaults.keep_alive),
                per_client: Some(config.max_event_streams)
                    .filter(|&n| n > 0)
                    .unwrap_or(defaults.per_client),
            },
        )
        .await
        .map_err(|source| StartError::Database {
            location: location(),
            source,
        })?;
        let webhook = webhook_secret(config)?
            .map(|secret| Webhook::new(secret, backend.clone(), events.clone()));
        // Read once: the CSP hashes its start-up script, and it is served
        // with the settings written in.
        let index = std::fs::read_to_string(config.dist.join("index.html")).ok();
        let settings = static_files::console_config(&sign_in, backend.searches());
        let idempotency = Keys::new(database).map_err(|source| StartError::Database {
            location: location(),
            source,
        })?;
        Ok(Self {
            database: database.clone(),
            idempotency,
            backend,
            events,
            webhook,
            sign_in,
            page: index
                .as_deref()
                .map(|page| static_files::console_page(page, &settings)),
            settings,
            rate_limit: config
                .rate_limit
                .map(|per_minute| RateLimit::new(per_minute, database.request_counts())),
            dist: config.dist.clone(),
            client_timeout: config.client_timeout,
            embed_script: static_files::embed_script(&config.dist),
            cors: crate::cors::layer(&config.allow_origins)?,
            security: Arc::new(SecurityHeaders::for_console(
                index.as_deref().unwrap_or_default(),
                &config.frame_ancestors,
            )),
            #[cfg(feature = "test-faults")]
            faults: config.test_faults.then(Faults::default),
        })
    }
}

/// The webhook's secret: from `--webhook-secret-file`, else, when calls are
/// simulated, one made up for this process alone.
fn webhook_secret(config: &Config) -> Result<Option<Secret>, StartError> {
    if let Some(path) = &config.webhook_secret_file {
        let text = std::fs::read_to_string(path).map_err(|source| StartError::Unreadable {
            what: "the webhook secret file",
            path: path.clone(),
            source,
        })?;
        return Secret::new(&text)
            .map(Some)
            .ok_or_else(|| StartError::EmptyWebhookSecret { path: path.clone() });
    }
    if config.simulate_calls.is_none() {
        return Ok(None);
    }
    let mut bytes = [0u8; 32];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .map_err(|_| StartError::NoRandomness)?;
    Ok(Secret::new(&hex::encode(bytes)))
}
