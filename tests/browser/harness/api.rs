//! The API as a test calls it, the webhook, and the fault injector's
//! rules, gates and record of what the server received.

use super::*;

impl Harness {
    /// Calls the API directly, with the server's key when it has one.
    pub async fn api(&self, method: &str, path: &str, body: Option<Value>) -> ApiReply {
        self.call(&self.base, self.api_key, method, path, body)
            .await
    }

    /// Calls the vendor's API (proxy mode) directly, with its key.
    pub async fn vendor_api(&self, method: &str, path: &str, body: Option<Value>) -> ApiReply {
        let base = self.upstream_base().expect("a harness in proxy mode");
        self.call(base, self.options.upstream_key, method, path, body)
            .await
    }

    pub(super) async fn call(
        &self,
        base: &str,
        key: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> ApiReply {
        let mut request = http::Request::builder()
            .method(method)
            .uri(format!("{base}{path}"));
        if let Some(key) = key {
            request = request.header("Authorization", format!("Bearer {key}"));
        }
        let payload = match body {
            Some(body) => {
                request = request.header("Content-Type", "application/json");
                Bytes::from(body.to_string())
            }
            None => Bytes::new(),
        };
        let response = self
            .http
            .request(request.body(Full::new(payload)).expect("a request"))
            .await
            .expect("the API answers");
        let status = response.status().as_u16();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        ApiReply {
            status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    /// The ids the API returns for a list query string.
    pub async fn api_ids(&self, query: &str) -> Vec<String> {
        let reply = self.api("GET", &format!("/v1/leads?{query}"), None).await;
        assert_eq!(reply.status, 200, "GET /v1/leads?{query}: {}", reply.body);
        reply.body["data"]
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|lead| lead["id"].as_str().map(str::to_owned))
            .collect()
    }

    /// Delivers a `new_lead` webhook for `data` (a lead) with event id
    /// `event_id`, signed as the vendor signs; returns the status.
    pub async fn deliver(&self, event_id: &str, data: Value) -> u16 {
        let body = json!({"type": "new_lead", "id": event_id, "data": data}).to_string();
        let secret = self
            .options
            .webhook_secret
            .expect("a server with a webhook secret");
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs()
            .to_string();
        let signature = webhook_signature(secret, &timestamp, &body);
        self.post_webhook(
            &body,
            &[
                ("X-Leads-Timestamp", &timestamp),
                ("X-Leads-Signature", &signature),
            ],
        )
        .await
    }

    /// Posts `body` to the webhook with exactly these headers.
    pub async fn post_webhook(&self, body: &str, headers: &[(&str, &str)]) -> u16 {
        let mut request = http::Request::builder()
            .method("POST")
            .uri(format!("{}/webhooks/new_lead", self.base))
            .header("Content-Type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(Full::new(Bytes::from(body.to_owned())))
            .expect("a request");
        self.http
            .request(request)
            .await
            .expect("the server answers")
            .status()
            .as_u16()
    }

    /// Ends every open event stream, as a dropped connection would.
    pub async fn cut_streams(&self) {
        let reply = self.api("POST", "/_test/cut-streams", None).await;
        assert_eq!(reply.status, 204);
    }

    /// Makes the server misbehave for matching `/v1` requests (see the
    /// server's `faults` module for the rule's fields).
    pub async fn inject(&self, rule: Value) {
        let reply = self.api("POST", "/_test/faults", Some(rule)).await;
        assert_eq!(reply.status, 204, "fault rule rejected: {}", reply.body);
    }

    /// Lets every response held by the fault rule gate `gate` go.
    pub async fn release(&self, gate: &str) {
        let reply = self
            .api("POST", "/_test/release", Some(json!({"gate": gate})))
            .await;
        assert_eq!(reply.status, 204, "release rejected: {}", reply.body);
    }

    /// Waits until the server has received `count` requests whose method
    /// and URI (e.g. `PATCH /v1/leads/lead_001`) contain `matching`, and
    /// returns them as recorded, with `started` and `finished`.
    pub async fn wait_for_received(&self, matching: &str, count: usize) -> Vec<Value> {
        let read = || async {
            self.recorded()
                .await
                .into_iter()
                .filter(|r| {
                    let target = format!(
                        "{} {}",
                        r["method"].as_str().unwrap_or_default(),
                        r["uri"].as_str().unwrap_or_default()
                    );
                    target.contains(matching)
                })
                .collect::<Vec<Value>>()
        };
        wait::poll(read, |found| found.len() >= count).await.last
    }

    /// Waits until every request matching `matching` has been answered,
    /// and returns them as recorded.
    pub async fn wait_until_answered(&self, matching: &str) -> Vec<Value> {
        let read = || self.wait_for_received(matching, 0);
        let done = |found: &Vec<Value>| found.iter().all(|r| r["finished"].is_u64());
        wait::poll(read, done).await.last
    }

    /// How many list requests (`GET /v1/leads`, with or without a query) the
    /// server has received, its test's own calls included.
    pub async fn list_requests(&self) -> usize {
        self.recorded()
            .await
            .iter()
            .filter(|r| r["method"] == "GET")
            .filter_map(|r| r["uri"].as_str())
            .filter(|uri| *uri == "/v1/leads" || uri.starts_with("/v1/leads?"))
            .count()
    }

    /// Every `/v1` request the server has received, oldest first.
    pub(super) async fn recorded(&self) -> Vec<Value> {
        let reply = self.api("GET", "/_test/requests", None).await;
        reply.body.as_array().cloned().unwrap_or_default()
    }

    /// The bodies of the `method` requests to `/v1` the server has received,
    /// oldest first, parsed as JSON.
    pub async fn sent(&self, method: &str) -> Vec<Value> {
        self.recorded()
            .await
            .iter()
            .filter(|r| r["method"] == method)
            .map(|r| {
                serde_json::from_str(r["body"].as_str().unwrap_or_default()).unwrap_or(Value::Null)
            })
            .collect()
    }

    /// One lead as the API has it now.
    pub async fn lead(&self, id: &str) -> Value {
        let reply = self.api("GET", &format!("/v1/leads/{id}"), None).await;
        assert_eq!(reply.status, 200, "GET {id}: {}", reply.body);
        reply.body
    }

    /// Waits until `check` holds for the lead as stored, returning it.
    pub async fn wait_for_lead(&self, id: &str, check: impl Fn(&Value) -> bool) -> Value {
        wait::poll(|| self.lead(id), check).await.last
    }

    /// The headers of `GET path` on the server under test.
    pub async fn headers_of(&self, path: &str) -> http::HeaderMap {
        let request = http::Request::get(format!("{}{path}", self.base))
            .body(Full::new(Bytes::new()))
            .expect("a request");
        let response = self
            .http
            .request(request)
            .await
            .expect("the server answers");
        response.headers().clone()
    }
}

/// `sha256=<hex>` of HMAC-SHA256(secret, "{timestamp}.{body}"), as the
/// vendor signs a delivery: with `ring`, not the server's own code.
pub fn webhook_signature(secret: &str, timestamp: &str, body: &str) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let tag = ring::hmac::sign(&key, format!("{timestamp}.{body}").as_bytes());
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}
