//! For load balancers: `/healthz` says the process is up, `/readyz` that it
//! can do its work (the database answers; in proxy mode the upstream was
//! reachable recently; with a synced copy, the copy is fresh enough, even
//! while the vendor blips).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::backend::LeadsBackend;
use crate::mirror::Mirror;
use crate::store::Database;

/// `GET /healthz`.
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// `GET /readyz`: `200` when ready, `503` with the reason when not.
pub async fn readyz(
    State((backend, database)): State<(LeadsBackend, Database)>,
) -> (StatusCode, Json<Value>) {
    let problem = match (&backend, database.ping().await) {
        (_, Err(err)) => {
            tracing::warn!("not ready: the database does not answer: {err}");
            Some("the database does not answer".to_owned())
        }
        (LeadsBackend::Upstream(upstream), Ok(())) => (!upstream.reachable().await)
            .then(|| "the upstream API could not be reached recently".to_owned()),
        (LeadsBackend::Mirror(mirror), Ok(())) => mirror.problem(&mirror.record().await).await,
        (LeadsBackend::Store(_), Ok(())) => None,
    };
    let (status, mut body) = match problem {
        None => (StatusCode::OK, json!({"status": "ready"})),
        Some(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"status": "not ready", "reason": reason}),
        ),
    };
    if let LeadsBackend::Mirror(mirror) = &backend {
        body["sync"] = Mirror::describe(&mirror.record().await);
    }
    (status, Json(body))
}
