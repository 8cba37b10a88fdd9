//! Test-only fault injection, mounted only with `--test-faults`: browser
//! tests use it to make `/v1` fail or answer slowly on demand, so error,
//! retry and out-of-order handling are tested against the real server.
//!
//! `POST /_test/faults` with `{"matches": "status=new", "delay_ms": 1500}`
//! or `{"matches": "/v1/leads", "status": 502, "html": true, "times": 1}`
//! adds a rule (`"after": true` holds or delays the answer of a request
//! already handled); `DELETE /_test/faults` removes them all. A rule with
//! `"hold": "name"` keeps its responses back until `POST /_test/release`
//! with `{"gate": "name"}`, so a test decides when a slow answer arrives
//! instead of racing a delay. `GET /_test/requests` lists every `/v1`
//! request with its body and when it started and finished (in arrival order
//! numbers), so a test can assert exactly what the console sent, and in
//! which order. `"pad_bytes": N` answers with a page N bytes long; `"drop":
//! true` starts an answer and cuts the connection; `"files": true` makes a
//! rule apply to the console's own files and `/config.json` instead. `POST
//! /_test/cut-streams` ends every open `/v1/events` stream, as a dropped
//! connection would, so a test can hold the reconnect and deliver what the
//! console must then catch up on.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{OriginalUri, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use leads_core::ErrorType;
use serde::Deserialize;
use tokio::sync::watch;

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
    /// With a 400 `status`: the `param` of the API error to send.
    #[serde(default)]
    pub param: Option<String>,
    /// With a `status`: send this `Retry-After` (seconds) too.
    #[serde(default)]
    pub retry_after: Option<u32>,
    /// Hold the response until the gate of this name is released.
    #[serde(default)]
    pub hold: Option<String>,
    /// Hold (or delay) after the request was handled, so its effects (a
    /// stored lead, its live event) happen before the answer leaves.
    #[serde(default)]
    pub after: bool,
    /// The message of the API error to send.
    #[serde(default)]
    pub message: Option<String>,
    /// Answer with this JSON body (and `status`, default 200) without
    /// touching storage, e.g. the vendor's shorter reply shapes.
    #[serde(default)]
    pub reply: Option<serde_json::Value>,
    /// Answer with an empty page padded to this many bytes, as a broken
    /// upstream streaming far too much would.
    #[serde(default)]
    pub pad_bytes: Option<usize>,
    /// Start the answer, then drop the connection mid-body; with `after`,
    /// once the request was handled (a lead stored, say), as a connection
    /// lost on the way back would.
    #[serde(default)]
    pub drop: bool,
    /// Applies to the console's own files (page, scripts, wasm) instead of
    /// `/v1`, e.g. to fail the download of the extras module.
    #[serde(default)]
    pub files: bool,
}

/// A `/v1` request as the server received it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SeenRequest {
    pub method: String,
    pub uri: String,
    /// Header names only, lowercase: values may be keys.
    pub headers: Vec<String>,
    pub body: String,
    /// Its place on the server's clock when it arrived.
    pub started: u64,
    /// Its place on the same clock when its response was ready, or when it
    /// was dropped because the client went away; `None` while it is still
    /// being answered (held, say).
    pub finished: Option<u64>,
}

/// The active rules; shared by the control endpoint and the middleware.
#[derive(Clone, Default)]
pub struct Faults {
    rules: Arc<Mutex<Vec<FaultRule>>>,
    seen: Arc<Mutex<Vec<SeenRequest>>>,
    /// A counter that orders arrivals and completions.
    clock: Arc<AtomicU64>,
    /// Released gates are `true`; holding requests wait for the change.
    gates: Arc<Mutex<HashMap<String, watch::Sender<bool>>>>,
    /// Bumped to end the event streams open at that moment.
    cuts: Arc<watch::Sender<u64>>,
}

impl Faults {
    fn tick(&self) -> u64 {
        self.clock.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn gate(&self, name: &str) -> watch::Receiver<bool> {
        self.gates
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(name.to_owned())
            .or_insert_with(|| watch::channel(false).0)
            .subscribe()
    }

    /// The first rule for `target` (a file's, or a `/v1` request's) that
    /// has uses left, counting this one.
    fn take_matching(&self, target: &str, file: bool) -> Option<FaultRule> {
        let mut rules = self.rules.lock().unwrap_or_else(|p| p.into_inner());
        let index = rules
            .iter()
            .position(|r| r.files == file && target.contains(&r.matches) && r.times != Some(0))?;
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

/// `POST /_test/release` with `{"gate": "name"}`: lets every response held
/// by that gate go, now and from now on.
pub async fn release(State(faults): State<Faults>, Json(release): Json<Release>) -> StatusCode {
    let _ = faults
        .gates
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(release.gate)
        .or_insert_with(|| watch::channel(false).0)
        .send_replace(true);
    StatusCode::NO_CONTENT
}

/// The body of `POST /_test/release`.
#[derive(Debug, Deserialize)]
pub struct Release {
    pub gate: String,
}

/// `POST /_test/cut-streams`.
pub async fn cut_streams(State(faults): State<Faults>) -> StatusCode {
    faults.cuts.send_modify(|cuts| *cuts += 1);
    StatusCode::NO_CONTENT
}

/// `GET /_test/requests`.
pub async fn seen(State(faults): State<Faults>) -> Json<Vec<SeenRequest>> {
    Json(
        faults
            .seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone(),
    )
}

/// Records a `/v1` request, applies the first matching rule to it, and
/// records when its response was ready.
pub async fn inject(State(faults): State<Faults>, request: Request, next: Next) -> Response {
    // Nesting strips `/v1` from the URI; match and record the full one.
    let uri = request
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| request.uri().clone(), |original| original.0.clone());
    let target = format!("{} {uri}", request.method());
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, leads_core::limits::MAX_BODY_BYTES * 2).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let index = {
        let mut seen = faults.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.push(SeenRequest {
            method: parts.method.to_string(),
            uri: uri.to_string(),
            headers: parts
                .headers
                .keys()
                .map(|k| k.as_str().to_owned())
                .collect(),
            body: String::from_utf8_lossy(&bytes).into_owned(),
            started: faults.tick(),
            finished: None,
        });
        seen.len() - 1
    };
    // Marks the request finished when its response is ready, or when the
    // client went away and the server dropped it unanswered.
    let _finish = Finish {
        faults: faults.clone(),
        index,
    };
    let request = Request::from_parts(parts, axum::body::Body::from(bytes));
    let response = match faults.take_matching(&target, false) {
        Some(rule) => apply(&faults, rule, request, next).await,
        None => next.run(request).await,
    };
    if target.starts_with("GET /v1/events") && response.status().is_success() {
        let mut cut = faults.cuts.subscribe();
        let (parts, body) = response.into_parts();
        use futures_util::StreamExt;
        let until_cut = body
            .into_data_stream()
            .take_until(async move { cut.changed().await.is_ok() });
        return Response::from_parts(parts, axum::body::Body::from_stream(until_cut));
    }
    response
}

/// The middleware around the console's files: only rules with `"files":
/// true` apply, and nothing is recorded (`/_test/requests` is the API's).
pub async fn inject_files(State(faults): State<Faults>, request: Request, next: Next) -> Response {
    let target = format!("{} {}", request.method(), request.uri());
    match faults.take_matching(&target, true) {
        Some(rule) => apply(&faults, rule, request, next).await,
        None => next.run(request).await,
    }
}

/// Records the moment a request's handling ended, however it ended.
struct Finish {
    faults: Faults,
    index: usize,
}

impl Drop for Finish {
    fn drop(&mut self) {
        let finished = self.faults.tick();
        if let Some(seen) = self
            .faults
            .seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(self.index)
        {
            seen.finished = Some(finished);
        }
    }
}

/// The rule's hold (until its gate is released), then its delay.
async fn wait(faults: &Faults, rule: &FaultRule) {
    if let Some(gate) = &rule.hold {
        let _ = faults.gate(gate).wait_for(|open| *open).await;
    }
    tokio::time::sleep(Duration::from_millis(rule.delay_ms)).await;
}

async fn apply(faults: &Faults, rule: FaultRule, request: Request, next: Next) -> Response {
    if rule.after {
        let response = next.run(request).await;
        wait(faults, &rule).await;
        if rule.drop {
            return dropped_midway();
        }
        return response;
    }
    wait(faults, &rule).await;
    let status = rule.status.and_then(|s| StatusCode::from_u16(s).ok());
    if rule.drop {
        return dropped_midway();
    }
    if let Some(size) = rule.pad_bytes {
        let page = r#"{"data": [], "meta": {"page": 1, "limit": 20, "total": 0}, "padding": ""#;
        let padding = "x".repeat(size.saturating_sub(page.len() + 2));
        return (
            [(header::CONTENT_TYPE, "application/json")],
            format!("{page}{padding}\"}}"),
        )
            .into_response();
    }
    if let Some(reply) = rule.reply {
        return (status.unwrap_or(StatusCode::OK), Json(reply)).into_response();
    }
    match status {
        None => next.run(request).await,
        Some(status) if rule.html => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            format!("<html><body><h1>{status}</h1><p>upstream failed</p></body></html>"),
        )
            .into_response(),
        Some(status) => {
            let message = rule
                .message
                .unwrap_or_else(|| "Injected failure for a test.".to_owned());
            let error = match rule.param {
                Some(param) => AppError::from(leads_core::FieldError::new(param, message)),
                None => AppError::new(ErrorType::Internal, message),
            };
            let mut response = error.into_response();
            *response.status_mut() = status;
            if let Some(seconds) = rule.retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
            }
            response
        }
    }
}

/// An answer whose connection breaks after its first bytes.
fn dropped_midway() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        axum::body::Body::new(DroppedMidway {
            started: false,
            pause: Box::pin(tokio::time::sleep(Duration::from_millis(200))),
        }),
    )
        .into_response()
}

/// A body that sends its first bytes, waits for them to leave, then fails:
/// hyper cuts the connection, and the browser sees the answer break off
/// (failing before anything is sent would look like a stale connection,
/// which browsers quietly retry).
struct DroppedMidway {
    started: bool,
    pause: std::pin::Pin<Box<tokio::time::Sleep>>,
}

impl http_body::Body for DroppedMidway {
    type Data = axum::body::Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        use std::future::Future;
        use std::task::Poll;
        if !std::mem::replace(&mut self.started, true) {
            return Poll::Ready(Some(Ok(http_body::Frame::data(
                axum::body::Bytes::from_static(br#"{"data": [{"id": "lead_"#),
            ))));
        }
        match self.pause.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(std::io::Error::other(
                "dropped by the fault injector",
            )))),
            Poll::Pending => Poll::Pending,
        }
    }
}
