//! Live events seen from outside: webhook deliveries signed the way the
//! vendor signs them (with `ring`, not the server's own code), and
//! Server-Sent Events read block by block.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;

use super::{Reply, TestApp};

/// A webhook delivery's headers for `body`, sent `age` seconds ago.
pub fn signature(secret: &str, body: &str, age: i64) -> (String, String) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let timestamp = (now - age).to_string();
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let tag = ring::hmac::sign(&key, format!("{timestamp}.{body}").as_bytes());
    (timestamp, format!("sha256={}", hex::encode(tag.as_ref())))
}

/// A `new_lead` webhook body.
pub fn new_lead(event_id: &str, data: Value) -> String {
    serde_json::json!({"type": "new_lead", "id": event_id, "data": data}).to_string()
}

/// One block of an event stream.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Block {
    pub event: Option<String>,
    pub id: Option<String>,
    pub data: Option<String>,
    pub comment: Option<String>,
}

impl Block {
    /// The data as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(self.data.as_deref().unwrap_or("null")).expect("JSON data")
    }
}

/// Reads an event stream block by block, from any source of byte chunks.
pub struct Reader<S> {
    source: S,
    buffer: String,
    /// The keep-alive interval the stream announced in its first comment
    /// (that block is taken here, not returned).
    pub keep_alive: Option<u64>,
}

/// Where a [`Reader`] gets its bytes.
pub trait Chunks {
    /// The next chunk; `None` at the end of the stream.
    fn next_chunk(&mut self) -> impl std::future::Future<Output = Option<Vec<u8>>> + Send;
}

impl Chunks for Body {
    async fn next_chunk(&mut self) -> Option<Vec<u8>> {
        loop {
            let frame = self.frame().await?.ok()?;
            if let Ok(data) = frame.into_data() {
                return Some(data.to_vec());
            }
        }
    }
}

impl Chunks for reqwest::Response {
    async fn next_chunk(&mut self) -> Option<Vec<u8>> {
        self.chunk().await.ok()?.map(|bytes| bytes.to_vec())
    }
}

impl<S: Chunks> Reader<S> {
    pub fn new(source: S) -> Self {
        Self {
            source,
            buffer: String::new(),
            keep_alive: None,
        }
    }

    /// The next block, or `None` when the stream ends or `wait` passes.
    pub async fn next(&mut self, wait: Duration) -> Option<Block> {
        tokio::time::timeout(wait, self.read()).await.ok().flatten()
    }

    /// The next block that is an event (not a keep-alive comment).
    pub async fn next_event(&mut self, wait: Duration) -> Option<Block> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let block = self.next(left).await?;
            if block.event.is_some() {
                return Some(block);
            }
        }
    }

    async fn read(&mut self) -> Option<Block> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let text: String = self.buffer.drain(..end + 2).collect();
                let block = parse(&text);
                let announced = block
                    .comment
                    .as_deref()
                    .and_then(|comment| comment.strip_prefix("keep-alive-ms "))
                    .and_then(|millis| millis.parse().ok());
                match announced {
                    Some(millis) => self.keep_alive = Some(millis),
                    None => return Some(block),
                }
                continue;
            }
            let chunk = self.source.next_chunk().await?;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

fn parse(text: &str) -> Block {
    let mut block = Block::default();
    for line in text.lines().filter(|line| !line.is_empty()) {
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value).to_owned();
        match field {
            "" => block.comment = Some(value),
            "event" => block.event = Some(value),
            "id" => block.id = Some(value),
            "data" => block.data = Some(value),
            _ => {}
        }
    }
    block
}

/// Delivers `body` to the app's webhook with these headers.
/// Delivers the `new_lead` event `event_id` with `lead`, signed with
/// `secret`, to a server process at `base`; the status it answered.
pub async fn deliver_to(base: &str, secret: &str, event_id: &str, lead: Value) -> u16 {
    let body = new_lead(event_id, lead);
    let (timestamp, signed) = signature(secret, &body, 0);
    reqwest::Client::new()
        .post(format!("{base}/webhooks/new_lead"))
        .header("content-type", "application/json")
        .header("x-leads-timestamp", timestamp)
        .header("x-leads-signature", signed)
        .body(body)
        .send()
        .await
        .expect("the server answers")
        .status()
        .as_u16()
}

pub async fn deliver_raw(app: &TestApp, body: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri("/webhooks/new_lead")
        .header(header::CONTENT_TYPE, "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    app.send(request.body(Body::from(body.to_owned())).unwrap())
        .await
}

/// Delivers `body` signed with `secret`, `age` seconds ago.
pub async fn deliver_signed_at(app: &TestApp, body: &str, secret: &str, age: i64) -> Reply {
    let (timestamp, signature) = signature(secret, body, age);
    deliver_raw(
        app,
        body,
        &[
            ("x-leads-timestamp", &timestamp),
            ("x-leads-signature", &signature),
        ],
    )
    .await
}

/// Delivers `body` signed with `secret`, now.
pub async fn deliver_signed(app: &TestApp, secret: &str, body: &str) -> Reply {
    deliver_signed_at(app, body, secret, 0).await
}

/// Opens the app's `/v1/events`, resuming after `last_id` when given.
pub async fn open_stream(app: &TestApp, last_id: Option<&str>) -> Reader<Body> {
    let response = open_raw(app, last_id).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream"
    );
    Reader::new(response.into_body())
}

/// The answer to `GET /v1/events`, whatever it is.
pub async fn open_raw(app: &TestApp, last_id: Option<&str>) -> axum::response::Response {
    let mut request = app.request(Method::GET, "/v1/events");
    if let Some(id) = last_id {
        request = request.header("last-event-id", id);
    }
    app.respond(request.body(Body::empty()).unwrap()).await
}
