//! The API client: the only code in the console that knows the API's URLs,
//! headers and error bodies. Everything above it gets typed results and
//! [`RequestError`]s, whose messages are written for people.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_net::http::{Request, RequestBuilder, Response};
use leads_core::lead::{STALE_HEADER, SYNCED_AT_HEADER};
use leads_core::{
    is_lead_id, new_lead::IDEMPOTENCY_KEY_HEADER, ConsoleConfig, LeadPatch, ListQuery, NewLead,
    Page, PartialLead,
};
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, RequestCache};

use crate::net::credentials::Credentials;
use crate::net::deadline::Deadline;
use crate::net::error::{error_from_response, RequestError};
use crate::net::json;
use crate::net::stream::EventStream;
use crate::net::{MAX_ANSWER_BYTES, REQUEST_TIMEOUT};

/// A new `Idempotency-Key`: 128 random bits from the browser's `crypto`
/// (which works on plain-HTTP pages too), in hex. `None` only in a browser
/// without it, where the create is still sent, without a key.
pub fn new_create_key() -> Option<String> {
    let crypto = web_sys::window()?.crypto().ok()?;
    let mut bytes = [0u8; 16];
    crypto.get_random_values_with_u8_array(&mut bytes).ok()?;
    // By hand: `format!("{:02x}")` would bring padded hex formatting along.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let hex = bytes
        .iter()
        .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
    Some(hex.map(char::from).collect())
}

/// How fresh a list is, as the server said: an answer from a synced copy
/// of the vendor's leads is stale while the vendor does not answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Freshness {
    /// `Some(when the copy last reached the vendor)` while it is stale.
    pub stale_as_of: Option<String>,
}

/// The state one session's clients share: the list request in flight and
/// the view it is for; see [`ApiClient::new`].
pub type SharedRequests = Rc<RefCell<Option<(ListQuery, AbortController)>>>;

/// Talks to one API base with one (optional) key.
#[derive(Debug, Clone)]
pub struct ApiClient {
    base: String,
    credentials: Credentials,
    /// The list request in flight, shared by every client of one session:
    /// a newer view aborts it, so a superseded answer never arrives.
    list_in_flight: SharedRequests,
    /// Whether creates carry an `Idempotency-Key` (the API keeps them).
    idempotency_keys: bool,
}

impl PartialEq for ApiClient {
    fn eq(&self, other: &Self) -> bool {
        self.base == other.base && self.credentials == other.credentials
    }
}

impl ApiClient {
    /// A client for `config`'s API, sending `credentials`. Clients made
    /// with the same `shared` state supersede each other's list requests.
    pub fn new(config: &ConsoleConfig, credentials: Credentials, shared: SharedRequests) -> Self {
        Self {
            base: config.api_base.trim_end_matches('/').to_owned(),
            credentials,
            list_in_flight: shared,
            idempotency_keys: config.idempotency_keys,
        }
    }

    /// `GET /leads` for one view, and how fresh it is. Asking for a view
    /// aborts the request for the previous one, which then ends as
    /// [`RequestError::Superseded`].
    pub async fn list_leads(
        &self,
        query: &ListQuery,
    ) -> Result<(Page<PartialLead>, Freshness), RequestError> {
        self.list(query.clone(), Some(query.clone())).await
    }

    /// One page of `query` for an export: a request of its own, which
    /// neither supersedes the list on screen nor is superseded by it.
    pub async fn export_page(&self, query: &ListQuery) -> Result<Page<PartialLead>, RequestError> {
        Ok(self.list(query.clone(), None).await?.0)
    }

    /// `GET /leads` for `query`; with `view`, it supersedes (and may be
    /// superseded by) the other list requests of the session.
    async fn list(
        &self,
        query: ListQuery,
        view: Option<ListQuery>,
    ) -> Result<(Page<PartialLead>, Freshness), RequestError> {
        // Parameters go through `query()`: gloo-net appends a stray `&` to a
        // URL that already carries a query string.
        let url = self.url("/leads");
        self.send(
            move || Request::get(&url).query(query.to_pairs()),
            None,
            view,
        )
        .await
    }

    /// The person now wants `view`: a list request still in flight for any
    /// other view is aborted at once, so it neither lands nor holds up the
    /// request for `view` (a resource asks for its next value only after
    /// the current one ends).
    pub fn supersede_lists(&self, view: &ListQuery) {
        let mut in_flight = self.list_in_flight.borrow_mut();
        if in_flight.as_ref().is_some_and(|(query, _)| query != view) {
            if let Some((_, stale)) = in_flight.take() {
                stale.abort();
            }
        }
    }

    /// `POST /leads`. The answer may be the vendor's short shape; the caller
    /// merges it with what it sent. `key` ([`new_create_key`]) is the same
    /// for every retry of one create, so a create whose answer was lost is
    /// answered again rather than made twice.
    pub async fn create_lead(
        &self,
        lead: &NewLead,
        key: Option<&str>,
    ) -> Result<PartialLead, RequestError> {
        let url = self.url("/leads");
        let request = || match key.filter(|_| self.idempotency_keys) {
            Some(key) => Request::post(&url).header(IDEMPOTENCY_KEY_HEADER, key),
            None => Request::post(&url),
        };
        Ok(self.send(request, Some(json(lead)?), None).await?.0)
    }

    /// `PATCH /leads/{id}` with only the fields in `patch`.
    pub async fn update_lead(
        &self,
        id: &str,
        patch: &LeadPatch,
    ) -> Result<PartialLead, RequestError> {
        // A lead id of the strict shape is its own path segment.
        if !is_lead_id(id) {
            return Err(RequestError::UnusableId(id.to_owned()));
        }
        let url = self.url(&format!("/leads/{id}"));
        Ok(self
            .send(|| Request::patch(&url), Some(json(patch)?), None)
            .await?
            .0)
    }

    /// Opens `GET /events`, resuming after `last_id`. Like every request it
    /// carries the credentials (a refused portal token is asked for afresh
    /// once), and it must answer within [`REQUEST_TIMEOUT`].
    pub async fn open_events(&self, last_id: Option<&str>) -> Result<EventStream, RequestError> {
        self.with_token(|token| self.open_events_once(last_id, token))
            .await
    }

    async fn open_events_once(
        &self,
        last_id: Option<&str>,
        token: Option<String>,
    ) -> Result<EventStream, RequestError> {
        let controller = AbortController::new().map_err(|_| RequestError::Network)?;
        // Never through the HTTP cache: Firefox holds a second request for
        // a URL whose answer is still being written to it, so a second tab's
        // stream would wait for the first's to end.
        let mut builder = bearer(Request::get(&self.url("/events")), token)
            .header("Accept", "text/event-stream")
            .cache(RequestCache::NoStore)
            .abort_signal(Some(&controller.signal()));
        if let Some(id) = last_id {
            builder = builder.header("Last-Event-ID", id);
        }
        let deadline = Deadline::after(&controller, REQUEST_TIMEOUT);
        let response = match builder.send().await {
            Ok(response) => response,
            Err(_) if deadline.passed() => return Err(RequestError::Timeout),
            Err(_) => return Err(RequestError::Network),
        };
        drop(deadline);
        // An API without the stream (the vendor's own, say) is not an error
        // to retry.
        if matches!(response.status(), 404 | 405) {
            return Err(RequestError::Http {
                status: response.status(),
            });
        }
        if !response.ok() {
            let refused = read_json::<serde::de::IgnoredAny>(response).await.err();
            return Err(refused.unwrap_or(RequestError::Unreadable));
        }
        let reader = response
            .body()
            .and_then(|body| body.get_reader().dyn_into().ok())
            .ok_or(RequestError::Unreadable)?;
        Ok(EventStream::new(reader, controller))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Every call goes through here.
    async fn send<T: DeserializeOwned>(
        &self,
        request: impl Fn() -> RequestBuilder,
        body: Option<String>,
        view: Option<ListQuery>,
    ) -> Result<(T, Freshness), RequestError> {
        self.with_token(|token| self.send_once(request(), body.clone(), view.clone(), token))
            .await
    }

    /// Runs `attempt` with the bearer token to send. A portal's token the
    /// API refuses is asked for afresh and `attempt` run once more, as the
    /// portal may have signed the person in again since.
    async fn with_token<T, F>(
        &self,
        attempt: impl Fn(Option<String>) -> F,
    ) -> Result<T, RequestError>
    where
        F: std::future::Future<Output = Result<T, RequestError>>,
    {
        let first = attempt(self.token(false).await).await;
        match (&self.credentials, first) {
            (Credentials::Portal(_), Err(RequestError::Unauthorized)) => {
                attempt(self.token(true).await).await
            }
            (_, result) => result,
        }
    }

    /// The bearer token to send, if any.
    async fn token(&self, fresh: bool) -> Option<String> {
        match &self.credentials {
            Credentials::None => None,
            Credentials::Key(key) => Some(key.clone()),
            Credentials::Portal(portal) => portal.token(fresh).await,
        }
    }

    /// Adds the token and the JSON body, sends, and reads the answer. Each
    /// request can be aborted: by its [`REQUEST_TIMEOUT`], and for a
    /// list (`view`) by a newer view.
    async fn send_once<T: DeserializeOwned>(
        &self,
        builder: RequestBuilder,
        body: Option<String>,
        view: Option<ListQuery>,
        token: Option<String>,
    ) -> Result<(T, Freshness), RequestError> {
        let controller = AbortController::new().map_err(|_| RequestError::Network)?;
        let signal = controller.signal();
        let builder = bearer(builder, token).abort_signal(Some(&signal));
        let request = match body {
            Some(body) => builder
                .header("Content-Type", "application/json")
                .body(body),
            None => builder.build(),
        }
        .map_err(|_| RequestError::Unreadable)?;
        if let Some(view) = view {
            let previous = self
                .list_in_flight
                .replace(Some((view, controller.clone())));
            if let Some((_, previous)) = previous {
                previous.abort();
            }
        }
        let deadline = Deadline::after(&controller, REQUEST_TIMEOUT);
        let result = match request.send().await {
            Ok(response) => {
                let fresh = freshness(&response);
                read_json(response).await.map(|answer| (answer, fresh))
            }
            Err(_) => Err(RequestError::Network),
        };
        match result {
            Err(RequestError::Network) if deadline.passed() => Err(RequestError::Timeout),
            Err(RequestError::Network) if signal.aborted() => Err(RequestError::Superseded),
            other => other,
        }
    }
}

/// `builder` with `Authorization: Bearer <token>` when there is a token.
fn bearer(builder: RequestBuilder, token: Option<String>) -> RequestBuilder {
    match token {
        Some(token) => builder.header("Authorization", &format!("Bearer {token}")),
        None => builder,
    }
}

/// What an answer's headers say of its freshness.
fn freshness(response: &Response) -> Freshness {
    let headers = response.headers();
    let stale = headers
        .get(STALE_HEADER)
        .is_some_and(|value| value == "true");
    Freshness {
        stale_as_of: stale.then(|| headers.get(SYNCED_AT_HEADER).unwrap_or_default()),
    }
}

fn json(body: &impl serde::Serialize) -> Result<String, RequestError> {
    serde_json::to_string(body).map_err(|_| RequestError::Unreadable)
}

pub(crate) async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, RequestError> {
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|seconds| seconds.trim().parse().ok());
    let declared = response
        .headers()
        .get("content-length")
        .and_then(|length| length.trim().parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_ANSWER_BYTES) {
        return Err(RequestError::TooLarge);
    }
    let body = response.text().await.map_err(|_| RequestError::Network)?;
    if body.len() > MAX_ANSWER_BYTES {
        return Err(RequestError::TooLarge);
    }
    if status == 429 {
        return Err(RequestError::RateLimited { retry_after });
    }
    if !(200..300).contains(&status) {
        return Err(error_from_response(status, &body));
    }
    json::parse(&body).ok_or(RequestError::Unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_loses_its_trailing_slash() {
        let config: ConsoleConfig =
            serde_json::from_str(r#"{"api_base":"/v1/","auth":"bearer"}"#).unwrap();
        assert_eq!(
            ApiClient::new(&config, Credentials::None, SharedRequests::default()).base,
            "/v1"
        );
    }
}
