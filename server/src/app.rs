//! The router: `/v1` (behind the key check), `/config.json`, and the console
//! with SPA fallback for everything else. What answers `/v1/leads…` is
//! mounted here, from the backend chosen at start.

use axum::middleware;
use axum::routing::get;
use axum::Router;
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;

use crate::backend::LeadsBackend;
#[cfg(feature = "test-faults")]
use crate::faults;
use crate::headers;
use crate::state::AppState;
use crate::writes::Writes;
use crate::{api, health, limits, request_log, static_files, webhook};

/// Answers at least this long (bytes) are compressed for browsers that ask.
const COMPRESS_ABOVE: u16 = 8 * 1024;

/// The whole HTTP surface of the server.
pub fn router(state: AppState) -> Router {
    // Without sign-in the list request needs no token, so the page can
    // start it before the console runs.
    let first_list = !state.sign_in.required();
    // The console's own files and its settings (which a test can hold as
    // it holds the files).
    let console = Router::new()
        .route(
            "/config.json",
            get(static_files::config_json).with_state(state.settings.clone()),
        )
        .fallback_service(static_files::console(
            &state.dist,
            state.page.clone(),
            first_list,
        ));
    #[cfg(feature = "test-faults")]
    let console = match state.faults.clone() {
        Some(faults) => console.layer(middleware::from_fn_with_state(faults, faults::inject_files)),
        None => console,
    };
    let writes = Writes {
        events: matches!(state.backend, LeadsBackend::Upstream(_)).then(|| state.events.clone()),
        keys: state.idempotency.clone(),
    };
    let leads = match &state.backend {
        LeadsBackend::Store(store) => api::leads::routes(store.clone(), &writes),
        LeadsBackend::Upstream(upstream) => api::proxy::routes(upstream.clone(), &writes),
        LeadsBackend::Mirror(mirror) => api::mirror::routes(mirror.clone(), &writes),
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
        .route(
            "/readyz",
            get(health::readyz).with_state((state.backend.clone(), state.database.clone())),
        )
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
    app.route(
        "/embed.js",
        get(static_files::embed_js).with_state(state.embed_script.clone()),
    )
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
    // Large answers gzipped for browsers that ask, such as a page of 100
    // leads. Below COMPRESS_ABOVE the compressor's own set-up costs more
    // than the bytes it saves on an office connection (the figures are in
    // docs/performance.md). gzip, not brotli: as
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
