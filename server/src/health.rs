//! For load balancers: `/healthz` says the process is up, `/readyz` that it
//! can do its work (the database answers, or in proxy mode the upstream
//! was reachable recently).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::backend::LeadsBackend;

/// `GET /healthz`.
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// `GET /readyz`: `200` when ready, `503` with the reason when not.
pub async fn readyz(State(backend): State<LeadsBackend>) -> (StatusCode, Json<Value>) {
    let problem = match &backend {
        LeadsBackend::Store(store) => store
            .ping()
            .await
            .err()
            .map(|_| "the database does not answer"),
        LeadsBackend::Upstream(upstream) => (!upstream.reachable().await)
            .then_some("the upstream API could not be reached recently"),
    };
    match problem {
        None => (StatusCode::OK, Json(json!({"status": "ready"}))),
        Some(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "not ready", "reason": reason})),
        ),
    }
}
