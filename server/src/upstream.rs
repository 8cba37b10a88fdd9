//! Proxy mode's client for the vendor's API: where it is, the company key
//! (which stays on this server), and how one request goes on and comes
//! back. The routes that use it are `api/proxy.rs`.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::header::{ACCEPT, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use leads_core::{is_lead_id, ErrorType};

use crate::api::body::limited_bytes;
use crate::error::AppError;
use crate::idempotency::KEY_HEADER;
use crate::start_error::StartError;

/// How long an answer from the upstream counts as "reachable recently".
const REACHABLE_FOR: Duration = Duration::from_secs(30);

/// The largest upstream answer passed on; a list page is a few KiB.
const MAX_UPSTREAM_REPLY: usize = 8 * 1024 * 1024;

/// The vendor's key. It has no `Display`, and its `Debug` prints nothing
/// of it, so it cannot reach a log line or an error message by accident.
#[derive(Clone)]
pub struct UpstreamKey(Arc<str>);

impl UpstreamKey {
    /// A key as read from a file or the environment: trailing newlines and
    /// spaces are not part of it. `None` when nothing is left.
    pub fn new(raw: &str) -> Option<Self> {
        let key = raw.trim();
        (!key.is_empty()).then(|| Self(Arc::from(key)))
    }
}

impl fmt::Debug for UpstreamKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UpstreamKey(redacted)")
    }
}

/// The vendor's API: where it is, the key, and one connection pool for
/// the whole process.
#[derive(Clone, Debug)]
pub struct Upstream {
    client: reqwest::Client,
    /// The base URL including `/v1`, without a trailing slash.
    base: String,
    key: UpstreamKey,
    timeout: Duration,
    /// When the upstream last answered anything at all.
    last_answer: Arc<Mutex<Option<Instant>>>,
}

impl Upstream {
    /// The upstream at `base` (e.g. `https://api.vendor.example/v1`).
    pub fn new(base: &str, key: UpstreamKey, timeout: Duration) -> Result<Upstream, StartError> {
        let parsed = reqwest::Url::parse(base).map_err(|source| StartError::UpstreamNotAUrl {
            base: base.to_owned(),
            source,
        })?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.query().is_some() {
            return Err(StartError::UpstreamNotHttp {
                base: base.to_owned(),
            });
        }
        let client = reqwest::Client::builder()
            .connect_timeout(timeout)
            .build()
            .map_err(StartError::UpstreamClient)?;
        Ok(Upstream {
            client,
            base: base.trim_end_matches('/').to_owned(),
            key,
            timeout,
            last_answer: Arc::default(),
        })
    }

    /// Sends one request on, with the key and only the headers that
    /// describe the body (never the browser's `Authorization` or cookies),
    /// and passes the answer back unchanged, but for a create's `Location`,
    /// which names this server's `/v1/leads/{id}`.
    pub async fn forward(
        &self,
        method: Method,
        path: &str,
        query: Option<String>,
        headers: &HeaderMap,
        body: Body,
    ) -> Result<Response, AppError> {
        let body = limited_bytes(body).await?;
        let reply = self
            .send(method, path, query.as_deref(), headers, body)
            .await
            .map_err(|err| self.failure(&err))?;
        Ok(reply.passed_on().into_response())
    }

    /// One exchange with the vendor: `path` (under the base) and `query`,
    /// with the key and those of `headers` that describe the body; the
    /// answer read whole.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        query: Option<&str>,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Result<Reply, UpstreamFailure> {
        let mut url = format!("{}{path}", self.base);
        if let Some(query) = query {
            url.push('?');
            url.push_str(query);
        }
        let mut request = self
            .client
            .request(method, url)
            .bearer_auth(&*self.key.0)
            .timeout(self.timeout);
        // The vendor may honour the key too: then even a create whose
        // answer never reached us is not made twice there.
        for name in [CONTENT_TYPE, ACCEPT, KEY_HEADER] {
            if let Some(value) = headers.get(&name) {
                request = request.header(name, value);
            }
        }
        if !body.is_empty() {
            request = request.body(body);
        }
        let reply = request.send().await?;
        self.answered();
        let status = reply.status();
        let headers = reply.headers().clone();
        let body = read_reply(reply).await?;
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    /// How long one exchange may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The base URL, including `/v1`, as `--upstream` gave it.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// True when the upstream answered (anything) within [`REACHABLE_FOR`];
    /// otherwise asks it for one lead to find out.
    pub async fn reachable(&self) -> bool {
        let recent = self
            .last_answer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some_and(|at| at.elapsed() < REACHABLE_FOR);
        if recent {
            return true;
        }
        let probe = self
            .client
            .get(format!("{}/leads?limit=1", self.base))
            .bearer_auth(&*self.key.0)
            .timeout(self.timeout)
            .send()
            .await;
        if probe.is_ok() {
            self.answered();
        }
        probe.is_ok()
    }

    fn answered(&self) {
        *self.last_answer.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    }

    /// The contract's error for an upstream that failed us, with a message
    /// a person can act on; the cause goes to the log without any URL.
    pub fn failure(&self, err: &UpstreamFailure) -> AppError {
        match err {
            UpstreamFailure::Http(err) if err.is_timeout() => {
                tracing::warn!("the upstream API did not answer within {:?}", self.timeout);
                AppError::new(
                    ErrorType::GatewayTimeout,
                    format!(
                        "The leads service did not answer within {} seconds. Try again in a moment.",
                        self.timeout.as_secs()
                    ),
                )
            }
            UpstreamFailure::Http(err) => {
                tracing::warn!(
                    connect = err.is_connect(),
                    "the upstream API could not be reached: {}",
                    error_chain(err)
                );
                AppError::new(
                    ErrorType::BadGateway,
                    "The leads service could not be reached. Try again in a moment; if it keeps \
                     failing, tell whoever runs this server.",
                )
            }
            UpstreamFailure::TooLarge => {
                tracing::warn!(
                    "the upstream API answered with more than {MAX_UPSTREAM_REPLY} bytes"
                );
                AppError::new(
                    ErrorType::BadGateway,
                    "The leads service sent an answer too large to pass on. Ask for fewer leads per page.",
                )
            }
        }
    }
}

/// The vendor's answer, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    /// The answer as this server passes it on: its status, body, type and
    /// `Retry-After`; a create's `Location` names this server's lead.
    pub fn passed_on(self) -> Response {
        let mut passed = HeaderMap::new();
        for name in [CONTENT_TYPE, RETRY_AFTER] {
            if let Some(value) = self.headers.get(&name) {
                passed.insert(name, value.clone());
            }
        }
        if self.status == StatusCode::CREATED {
            // Ours, whatever the vendor's says (it may name its own host).
            if let Some(location) = created_location(&self.body, self.headers.get(LOCATION)) {
                passed.insert(LOCATION, location);
            }
        }
        (self.status, passed, self.body).into_response()
    }
}

/// Why an upstream exchange failed.
pub enum UpstreamFailure {
    Http(reqwest::Error),
    TooLarge,
}

impl fmt::Display for UpstreamFailure {
    /// The cause, for the log: never the URL, which reqwest's errors lose
    /// on the way in ([`From`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UpstreamFailure::Http(err) if err.is_timeout() => f.write_str("no answer in time"),
            UpstreamFailure::Http(err) => f.write_str(&error_chain(err)),
            UpstreamFailure::TooLarge => {
                write!(f, "an answer of more than {MAX_UPSTREAM_REPLY} bytes")
            }
        }
    }
}

impl From<reqwest::Error> for UpstreamFailure {
    fn from(err: reqwest::Error) -> Self {
        Self::Http(err.without_url())
    }
}

/// The cause of a failure and what caused it, for the log; never the URL.
fn error_chain(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// This server's `Location` for a lead the vendor created: from the id in
/// its answer, else from the last segment of the vendor's own `Location`;
/// `None` when neither names a lead id.
fn created_location(body: &[u8], vendors: Option<&HeaderValue>) -> Option<HeaderValue> {
    #[derive(serde::Deserialize)]
    struct Created {
        id: String,
    }
    let from_body = serde_json::from_slice::<Created>(body).ok().map(|c| c.id);
    let from_header = || {
        let path = vendors?.to_str().ok()?.split(['?', '#']).next()?;
        Some(path.trim_end_matches('/').rsplit('/').next()?.to_owned())
    };
    let id = from_body
        .filter(|id| is_lead_id(id))
        .or_else(|| from_header().filter(|id| is_lead_id(id)))?;
    HeaderValue::try_from(format!("/v1/leads/{id}")).ok()
}

async fn read_reply(mut reply: reqwest::Response) -> Result<Vec<u8>, UpstreamFailure> {
    let mut bytes = Vec::new();
    while let Some(chunk) = reply.chunk().await? {
        if bytes.len() + chunk.len() > MAX_UPSTREAM_REPLY {
            return Err(UpstreamFailure::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
