//! The router: `/v1` (behind the key check), `/config.json`, and the console
//! with SPA fallback for everything else. The one decision of what answers
//! `/v1/leads…` is made here.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::middleware;
use axum::routing::get;
use axum::Router;
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;

use crate::auth::SignIn;
use crate::config::Config;
use crate::events::{LeadEvents, LocalBus, StreamSettings};
#[cfg(feature = "test-faults")]
use crate::faults::{self, Faults};
use crate::headers::{self, SecurityHeaders};
use crate::idempotency::Keys;
use crate::rate_limit::RateLimit;
use crate::store::Store;
use crate::upstream::Upstream;
use crate::webhook::{self, Secret, Webhook};
use crate::{api, health, limits, request_log, static_files};

/// What answers `/v1/leads…`: the SQLite store, or the vendor's API in
/// proxy mode. It is chosen in [`router`] and nowhere else.
#[derive(Clone)]
pub enum LeadsBackend {
    Store(Store),
    Upstream(Upstream),
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub backend: LeadsBackend,
    /// Lead created / updated, announced by the layer around `/v1/leads…`.
    pub events: LeadEvents,
    /// How staff sign in (none configured: an open API, loopback only).
    pub sign_in: SignIn,
    /// `Idempotency-Key`s of creates, kept in the database for a day.
    pub idempotency: Keys,
    /// Requests per minute per client, when limited.
    pub rate_limit: Option<RateLimit>,
    pub dist: PathBuf,
    /// The console page's Content-Security-Policy and friends.
    pub security: Arc<SecurityHeaders>,
    /// How long a client may take to send a request body.
    pub client_timeout: Duration,
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
    pub fn new(backend: LeadsBackend, config: &Config) -> Result<Self, String> {
        let sign_in = SignIn::from_config(config)?;
        let defaults = StreamSettings::default();
        // Zero (as in a `Config::default()`) means the default.
        let events = LeadEvents::new(
            Arc::new(LocalBus::default()),
            StreamSettings {
                keep_alive: Some(config.events_keep_alive)
                    .filter(|every| !every.is_zero())
                    .unwrap_or(defaults.keep_alive),
                per_client: Some(config.max_event_streams)
                    .filter(|&n| n > 0)
                    .unwrap_or(defaults.per_client),
            },
        );
        let webhook = webhook_secret(config)?
            .map(|secret| Webhook::new(secret, backend.clone(), events.clone()));
        // Read once: the CSP hashes its start-up script, and it is served
        // with the settings written in.
        let index = std::fs::read_to_string(config.dist.join("index.html")).ok();
        let settings = static_files::console_config(&sign_in);
        let idempotency = Keys::open(&config.db).map_err(|err| {
            format!(
                "cannot keep idempotency keys in the database {}: {err}",
                config.db.display()
            )
        })?;
        Ok(Self {
            idempotency,
            backend,
            events,
            webhook,
            sign_in,
            page: index
                .as_deref()
                .map(|page| static_files::console_page(page, &settings)),
            rate_limit: config.rate_limit.map(RateLimit::new),
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

/// Answers at least this long (bytes) are compressed for browsers that ask.
const COMPRESS_ABOVE: u16 = 8 * 1024;

/// The whole HTTP surface of the server.
pub fn router(state: AppState) -> Router {
    // Without sign-in the list request needs no token, so the page can
    // start it before the console runs.
    let preload_list = !state.sign_in.required();
    // The console's own files and its settings (which a test can hold as
    // it holds the files).
    let console = Router::new()
        .route(
            "/config.json",
            get(static_files::config_json).with_state(state.clone()),
        )
        .fallback_service(static_files::console(
            &state.dist,
            state.page.clone(),
            preload_list,
        ));
    #[cfg(feature = "test-faults")]
    let console = match state.faults.clone() {
        Some(faults) => console.layer(middleware::from_fn_with_state(faults, faults::inject_files)),
        None => console,
    };
    let leads = match &state.backend {
        LeadsBackend::Store(store) => api::leads::routes(store.clone()),
        LeadsBackend::Upstream(upstream) => upstream.clone().routes(),
    };
    let v1 = api::router(state.clone(), leads);
    #[cfg(feature = "test-faults")]
    let (v1, app) = with_faults(&state, v1, Router::new());
    #[cfg(not(feature = "test-faults"))]
    let app = Router::new();
    // `nest` does not take `/v1/` itself; without this route it would
    // reach the console's files instead of the API's sign-in and 404.
    let v1_root = v1.clone().with_state(state.clone());
    let mut app = app
        .nest("/v1", v1)
        .route_service("/v1/", v1_root)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .fallback_service(console);
    if let Some(cors) = state.cors.clone() {
        app = app.layer(cors);
    }
    let intake = match state.webhook.clone() {
        Some(hook) => axum::routing::post(webhook::new_lead).with_state(hook),
        None => axum::routing::any(webhook::disabled),
    };
    // Outside the CORS layer: the loader answers every origin itself, and
    // the webhook is called by servers, not pages.
    app.route("/embed.js", get(static_files::embed_js))
        .route("/webhooks/new_lead", intake)
        .layer(middleware::from_fn_with_state(
            state.security.clone(),
            headers::secure,
        ))
        .layer(middleware::from_fn_with_state(
            state.client_timeout,
            limits::body_deadline,
        ))
        .layer(middleware::from_fn(limits::check_head))
        // Large answers gzipped for browsers that ask: a page of 100 leads
        // is 24 KB, 4.4 KB gzipped. Below COMPRESS_ABOVE the compressor's
        // own set-up (about 0.6 ms an answer here) costs more than the
        // bytes it saves on an office connection. gzip, not brotli: as
        // small for JSON like this, in less time. The built files come
        // precompressed, and event streams are never held back to compress
        // (tower-http's default predicate). No response carries a secret
        // for compression to leak.
        .layer(
            CompressionLayer::new()
                .compress_when(DefaultPredicate::new().and(SizeAbove::new(COMPRESS_ABOVE))),
        )
        .layer(middleware::from_fn(request_log::log_request))
        .with_state(state)
}

/// The fault injector around `/v1` and its `/_test` routes, when asked for.
#[cfg(feature = "test-faults")]
fn with_faults(
    state: &AppState,
    v1: Router<AppState>,
    app: Router<AppState>,
) -> (Router<AppState>, Router<AppState>) {
    let Some(faults) = state.faults.clone() else {
        return (v1, app);
    };
    let v1 = v1.layer(middleware::from_fn_with_state(
        faults.clone(),
        faults::inject,
    ));
    let app = app
        .route(
            "/_test/faults",
            axum::routing::post(faults::add)
                .delete(faults::clear)
                .with_state(faults.clone()),
        )
        .route(
            "/_test/release",
            axum::routing::post(faults::release).with_state(faults.clone()),
        )
        .route(
            "/_test/cut-streams",
            axum::routing::post(faults::cut_streams).with_state(faults.clone()),
        )
        .route("/_test/requests", get(faults::seen).with_state(faults));
    (v1, app)
}

/// The webhook's secret: from `--webhook-secret-file`, else, when calls are
/// simulated, one made up for this process alone.
fn webhook_secret(config: &Config) -> Result<Option<Secret>, String> {
    if let Some(path) = &config.webhook_secret_file {
        let text = std::fs::read_to_string(path).map_err(|err| {
            format!(
                "cannot read the webhook secret file {}: {err}",
                path.display()
            )
        })?;
        return Secret::new(&text).map(Some).ok_or_else(|| {
            format!(
                "the webhook secret file {} is empty; put the secret the vendor signs with in it",
                path.display()
            )
        });
    }
    if config.simulate_calls.is_none() {
        return Ok(None);
    }
    let mut bytes = [0u8; 32];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .map_err(|_| "the system offers no randomness for a webhook secret".to_owned())?;
    Ok(Secret::new(&hex::encode(bytes)))
}
