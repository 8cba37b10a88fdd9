//! Test-only fault injection, mounted only with `--test-faults`: browser
//! tests use it to make `/v1` fail or answer slowly on demand, so error,
//! retry and out-of-order handling are tested against the real server.
//!
//! `POST /_test/faults` with `{"matches": "status=new", "delay_ms": 1500}` or
//! `{"matches": "/v1/leads", "status": 502, "html": true, "times": 1}` adds a
//! rule; `DELETE /_test/faults` removes them all.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use leads_core::ErrorType;
use serde::Deserialize;

use crate::error::AppError;

/// One injected fault.
#[derive(Debug, Clone, Deserialize)]
pub struct FaultRule {
    /// Applies to requests whose method, path and query contain this text,
    /// e.g. `"GET /v1/leads?status=new"` or just `"status=new"`.
    pub matches: String,
    /// Wait this long before answering.
    #[serde(default)]
    pub delay_ms: u64,
    /// Answer with this status instead of the real response.
    #[serde(default)]
    pub status: Option<u16>,
    /// Send an HTML page (as a proxy would) instead of the API's JSON error.
    #[serde(default)]
    pub html: bool,
    /// How many requests it applies to; absent means every one.
    #[serde(default)]
    pub times: Option<u32>,
}

/// The active rules; shared by the control endpoint and the middleware.
#[derive(Clone, Default)]
pub struct Faults {
    rules: Arc<Mutex<Vec<FaultRule>>>,
}

impl Faults {
    fn take_matching(&self, target: &str) -> Option<FaultRule> {
        let mut rules = self.rules.lock().unwrap_or_else(|p| p.into_inner());
        let index = rules
            .iter()
            .position(|r| target.contains(&r.matches) && r.times != Some(0))?;
        let rule = rules[index].clone();
        if let Some(times) = rules[index].times.as_mut() {
            *times -= 1;
        }
        Some(rule)
    }
}

/// `POST /_test/faults`.
pub async fn add(State(faults): State<Faults>, Json(rule): Json<FaultRule>) -> StatusCode {
    faults
        .rules
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(rule);
    StatusCode::NO_CONTENT
}

/// `DELETE /_test/faults`.
pub async fn clear(State(faults): State<Faults>) -> StatusCode {
    faults
        .rules
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clear();
    StatusCode::NO_CONTENT
}

/// Applies the first matching rule to a `/v1` request.
pub async fn inject(State(faults): State<Faults>, request: Request, next: Next) -> Response {
    let target = format!("{} {}", request.method(), request.uri());
    let Some(rule) = faults.take_matching(&target) else {
        return next.run(request).await;
    };
    tokio::time::sleep(Duration::from_millis(rule.delay_ms)).await;
    match rule.status.and_then(|s| StatusCode::from_u16(s).ok()) {
        None => next.run(request).await,
        Some(status) if rule.html => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            format!("<html><body><h1>{status}</h1><p>upstream failed</p></body></html>"),
        )
            .into_response(),
        Some(status) => {
            let mut response =
                AppError::new(ErrorType::Internal, "Injected failure for a test.").into_response();
            *response.status_mut() = status;
            response
        }
    }
}
