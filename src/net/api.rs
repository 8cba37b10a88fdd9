//! The API client: the only code in the console that knows URLs, headers and
//! error bodies. Everything above it gets typed results and [`RequestError`]s
//! whose messages are written for people.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use gloo_net::http::{Request, RequestBuilder, Response};
use leads_core::{
    is_lead_id, new_lead::IDEMPOTENCY_KEY_HEADER, ApiErrorBody, AuthMode, ConsoleConfig, Field,
    LeadPatch, ListQuery, NewLead, Page, PartialLead,
};
use serde::de::DeserializeOwned;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::AbortController;

use crate::net::host::Host;
use crate::net::json;

/// Where the server says the console's own settings live.
const CONFIG_URL: &str = "/config.json";

/// How long any request may go unanswered before the console gives up on
/// it and says so, rather than spinning for ever.
pub const REQUEST_TIMEOUT_SECONDS: u32 = 15;

/// The largest answer the console reads. A full page of 100 leads at every
/// field's limit is well under 1 MiB; anything past this is a broken server
/// or proxy, and reading it could stall the tab.
pub const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

/// Why a request did not give the console what it asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// `401`: the key is missing or wrong.
    Unauthorized,
    /// `401` to the portal's own token, asked for afresh and refused again.
    SignInRefused,
    /// The API answered with its JSON error body.
    Api {
        message: String,
        field: Option<Field>,
    },
    /// An error status without the API's JSON body (a proxy's HTML page, say).
    Http { status: u16 },
    /// The request never got an answer.
    Network,
    /// No answer within [`REQUEST_TIMEOUT_SECONDS`].
    Timeout,
    /// `429`: too many requests; `retry_after` is the server's
    /// `Retry-After` in seconds, when it sent one.
    RateLimited { retry_after: Option<u32> },
    /// A success status with a body the console cannot read.
    Unreadable,
    /// An answer larger than [`MAX_ANSWER_BYTES`].
    TooLarge,
    /// The console cancelled the request because a newer one replaced it.
    Superseded,
}

impl RequestError {
    /// A sentence for the person at the screen: what happened, what to do.
    pub fn message(&self) -> String {
        match self {
            Self::Unauthorized => "The API key was rejected.".to_owned(),
            Self::SignInRefused => "The leads API did not accept your portal sign-in. Sign in \
                                    again in the portal, then press Retry."
                .to_owned(),
            Self::Api { message, .. } => message.clone(),
            Self::Http { status } if *status >= 500 => {
                format!("The server had a problem (HTTP {status}). Try again in a moment.")
            }
            Self::Http { status } => {
                format!("The server refused the request (HTTP {status}). Reload the page and try again.")
            }
            Self::Network => {
                "Could not reach the server. Check your connection and try again.".to_owned()
            }
            Self::Unreadable => {
                "The server sent an answer the console cannot read. Try again, or reload the page."
                    .to_owned()
            }
            Self::TooLarge => format!(
                "The server sent an answer far too large to be a page of leads (over {} MiB). \
                 Try again; if it keeps happening, tell whoever runs the server.",
                MAX_ANSWER_BYTES / (1024 * 1024)
            ),
            Self::Timeout => format!(
                "The server did not answer within {REQUEST_TIMEOUT_SECONDS} seconds. Check your \
                 connection, then try again."
            ),
            Self::RateLimited {
                retry_after: Some(1),
            } => "Too many requests right now. Trying again in a second…".to_owned(),
            Self::RateLimited {
                retry_after: Some(seconds),
            } => format!("Too many requests right now. Trying again in {seconds} seconds…"),
            Self::RateLimited { retry_after: None } => {
                "Too many requests right now. Wait a moment, then try again.".to_owned()
            }
            Self::Superseded => "A newer request replaced this one.".to_owned(),
        }
    }

    /// How long work that goes on by itself (a bulk change, an export,
    /// the live stream) holds off after this error before it tries again:
    /// for a `429`, its `Retry-After`, or a second when it gave none; no
    /// other error is waited out.
    pub fn pause(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } => {
                Some(Duration::from_secs(u64::from(retry_after.unwrap_or(1))))
            }
            _ => None,
        }
    }

    /// When the server itself asked to be left alone for a while: how long.
    /// A failed view a person sees loads again by itself only then.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            Self::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// The body field an error is about, when the API named one.
    pub fn field(&self) -> Option<Field> {
        match self {
            Self::Api { field, .. } => *field,
            _ => None,
        }
    }
}

/// Classifies a failed response from its status and raw body.
///
/// ```
/// use leads_console::net::api::{error_from_response, RequestError};
/// assert_eq!(error_from_response(502, "<html>Bad gateway</html>"), RequestError::Http { status: 502 });
/// ```
pub fn error_from_response(status: u16, body: &str) -> RequestError {
    if status == 401 {
        return RequestError::Unauthorized;
    }
    match json::parse::<ApiErrorBody>(body) {
        Some(ApiErrorBody { error }) => RequestError::Api {
            field: error.field(),
            message: error.message,
        },
        None => RequestError::Http { status },
    }
}

/// The console's settings: `api_base` and `auth` as the element's
/// attributes give them, the rest from the settings the server wrote into
/// the page (`in_page`), else from `/config.json` on `origin` (where the
/// console's script came from). A base that starts with `/` is on `origin`
/// too, whatever page hosts the console.
pub async fn load_config(
    origin: &str,
    api_base: Option<String>,
    auth: Option<AuthMode>,
    in_page: Option<ConsoleConfig>,
) -> Result<ConsoleConfig, RequestError> {
    let mut config = match (&api_base, auth, in_page) {
        (Some(api_base), Some(auth), _) => ConsoleConfig {
            api_base: api_base.clone(),
            auth,
            idempotency_keys: false,
        },
        (_, _, Some(in_page)) => in_page,
        _ => {
            let response = Request::get(&format!("{origin}{CONFIG_URL}"))
                .send()
                .await
                .map_err(|_| RequestError::Network)?;
            read_json(response).await?
        }
    };
    if let Some(api_base) = api_base {
        config.api_base = api_base;
    }
    if let Some(auth) = auth {
        config.auth = auth;
    }
    if config.api_base.starts_with('/') {
        config.api_base = format!("{origin}{}", config.api_base);
    }
    Ok(config)
}

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

/// What a request carries to say who is asking.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// An open API.
    None,
    /// A key typed into Connect.
    Key(String),
    /// The portal's `getToken`.
    Portal(PortalToken),
}

/// A portal's token, asked for once and kept until the API refuses it.
#[derive(Debug, Clone)]
pub struct PortalToken {
    host: Host,
    cached: Rc<RefCell<Option<String>>>,
}

impl PortalToken {
    /// Tokens from `host`'s `getToken`, kept in `cached` (shared by the
    /// session's clients).
    pub fn new(host: Host, cached: Rc<RefCell<Option<String>>>) -> Self {
        Self { host, cached }
    }

    /// The kept token, or (when there is none, or `fresh`) a new one.
    async fn token(&self, fresh: bool) -> Option<String> {
        let kept = self.cached.borrow().clone();
        match kept {
            Some(token) if !fresh => Some(token),
            _ => {
                let token = self.host.token().await;
                self.cached.replace(token.clone());
                token
            }
        }
    }
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
        let same_credentials = match (&self.credentials, &other.credentials) {
            (Credentials::None, Credentials::None) => true,
            (Credentials::Key(a), Credentials::Key(b)) => a == b,
            (Credentials::Portal(a), Credentials::Portal(b)) => Rc::ptr_eq(&a.cached, &b.cached),
            _ => false,
        };
        self.base == other.base && same_credentials
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

    /// `GET /leads` for one view. Asking for a view aborts the request for
    /// the previous one, which then ends as [`RequestError::Superseded`].
    pub async fn list_leads(&self, query: &ListQuery) -> Result<Page<PartialLead>, RequestError> {
        self.list(*query, Some(*query)).await
    }

    /// One page of `query` for an export: a request of its own, which
    /// neither supersedes the list on screen nor is superseded by it.
    pub async fn export_page(&self, query: &ListQuery) -> Result<Page<PartialLead>, RequestError> {
        self.list(*query, None).await
    }

    /// `GET /leads` for `query`; with `view`, it supersedes (and may be
    /// superseded by) the other list requests of the session.
    async fn list(
        &self,
        query: ListQuery,
        view: Option<ListQuery>,
    ) -> Result<Page<PartialLead>, RequestError> {
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
        self.send(request, Some(json(lead)?), None).await
    }

    /// `PATCH /leads/{id}` with only the fields in `patch`.
    pub async fn update_lead(
        &self,
        id: &str,
        patch: &LeadPatch,
    ) -> Result<PartialLead, RequestError> {
        // A lead id of the strict shape is its own path segment.
        if !is_lead_id(id) {
            return Err(RequestError::Api {
                message: format!("The lead id “{id}” cannot be used in a request."),
                field: None,
            });
        }
        let url = self.url(&format!("/leads/{id}"));
        self.send(|| Request::patch(&url), Some(json(patch)?), None)
            .await
    }

    /// Opens `GET /events`, resuming after `last_id`. Like every request it
    /// carries the credentials (a refused portal token is asked for afresh
    /// once), and it must answer within [`REQUEST_TIMEOUT_SECONDS`].
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
        let mut builder = bearer(Request::get(&self.url("/events")), token)
            .header("Accept", "text/event-stream")
            .abort_signal(Some(&controller.signal()));
        if let Some(id) = last_id {
            builder = builder.header("Last-Event-ID", id);
        }
        let deadline = Deadline::after(&controller, REQUEST_TIMEOUT_SECONDS * 1000);
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
        Ok(EventStream {
            reader,
            controller,
            silence: Rc::new(Cell::new(STREAM_SILENCE_MILLIS)),
        })
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
    ) -> Result<T, RequestError> {
        self.with_token(|token| self.send_once(request(), body.clone(), view, token))
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
    /// request can be aborted: by its [`REQUEST_TIMEOUT_SECONDS`], and for a
    /// list (`view`) by a newer view.
    async fn send_once<T: DeserializeOwned>(
        &self,
        builder: RequestBuilder,
        body: Option<String>,
        view: Option<ListQuery>,
        token: Option<String>,
    ) -> Result<T, RequestError> {
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
        let deadline = Deadline::after(&controller, REQUEST_TIMEOUT_SECONDS * 1000);
        let result = match request.send().await {
            Ok(response) => read_json(response).await,
            Err(_) => Err(RequestError::Network),
        };
        match result {
            Err(RequestError::Network) if deadline.passed() => Err(RequestError::Timeout),
            Err(RequestError::Network) if signal.aborted() => Err(RequestError::Superseded),
            other => other,
        }
    }
}

/// How long an open event stream may stay silent until it says how often
/// keep-alives come: three of the server's default 15 s. Past this the
/// connection is dead (a laptop that slept, a proxy that dropped it) and
/// is opened again.
const STREAM_SILENCE_MILLIS: u32 = 45_000;

/// Silent keep-alive intervals after which a stream counts as dead.
const MISSED_KEEP_ALIVES: u64 = 3;

/// An open `/v1/events` response, read as it arrives; a clone reads the
/// same stream.
#[derive(Clone)]
pub struct EventStream {
    reader: web_sys::ReadableStreamDefaultReader,
    controller: AbortController,
    /// How long a read may wait, from the stream's own keep-alive.
    silence: Rc<Cell<u32>>,
}

impl EventStream {
    /// The next bytes; `None` when the stream ended, broke, or was silent
    /// for too long.
    pub async fn next_chunk(&self) -> Option<Vec<u8>> {
        let watchdog = Deadline::after(&self.controller, self.silence.get());
        let read = wasm_bindgen_futures::JsFuture::from(self.reader.read())
            .await
            .ok()?;
        drop(watchdog);
        let field = |name: &str| js_sys::Reflect::get(&read, &name.into()).ok();
        if field("done")?.as_bool() != Some(false) {
            return None;
        }
        let bytes = field("value")?.dyn_into::<js_sys::Uint8Array>().ok()?;
        Some(bytes.to_vec())
    }
}

impl EventStream {
    /// The server sends a keep-alive every `millis`: the stream is dead
    /// only after `MISSED_KEEP_ALIVES` of them pass in silence.
    pub fn expect_keep_alive(&self, millis: u64) {
        let allowed = millis.saturating_mul(MISSED_KEEP_ALIVES);
        self.silence.set(u32::try_from(allowed).unwrap_or(u32::MAX));
    }

    /// Ends the connection; a read in progress ends with `None`.
    pub fn close(&self) {
        self.controller.abort();
    }
}

/// Aborts a request once its time passes; dropping it (the request ended)
/// cancels the timer.
struct Deadline {
    passed: Rc<Cell<bool>>,
    timer: Option<(i32, Closure<dyn FnMut()>)>,
}

impl Deadline {
    fn after(controller: &AbortController, millis: u32) -> Self {
        let passed = Rc::new(Cell::new(false));
        let on_time = {
            let (passed, controller) = (Rc::clone(&passed), controller.clone());
            Closure::<dyn FnMut()>::new(move || {
                passed.set(true);
                controller.abort();
            })
        };
        let millis = i32::try_from(millis).unwrap_or(i32::MAX);
        let timer = web_sys::window().and_then(|window| {
            window
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    on_time.as_ref().unchecked_ref(),
                    millis,
                )
                .ok()
        });
        Self {
            passed,
            timer: timer.map(|handle| (handle, on_time)),
        }
    }

    fn passed(&self) -> bool {
        self.passed.get()
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if let (Some(window), Some((handle, _))) = (web_sys::window(), &self.timer) {
            window.clear_timeout_with_handle(*handle);
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

fn json(body: &impl serde::Serialize) -> Result<String, RequestError> {
    serde_json::to_string(body).map_err(|_| RequestError::Unreadable)
}

async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, RequestError> {
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
    fn api_error_body_keeps_message_and_param() {
        let err = error_from_response(
            400,
            r#"{"error":{"type":"invalid_request","message":"phone must be in E.164 format, e.g. +15551234567","param":"phone"}}"#,
        );
        assert_eq!(err.field(), Some(Field::Phone));
        assert_eq!(
            err.message(),
            "phone must be in E.164 format, e.g. +15551234567"
        );
    }

    #[test]
    fn non_json_error_bodies_get_a_plain_sentence() {
        let err = error_from_response(502, "<html><body>502 Bad Gateway</body></html>");
        assert_eq!(err, RequestError::Http { status: 502 });
        assert!(err.message().contains("Try again"));
        assert_eq!(
            error_from_response(503, ""),
            RequestError::Http { status: 503 }
        );
        assert_eq!(
            error_from_response(404, "{\"oops\":1}"),
            RequestError::Http { status: 404 }
        );
    }

    #[test]
    fn unauthorised_is_recognised_whatever_the_body() {
        assert_eq!(error_from_response(401, "nope"), RequestError::Unauthorized);
        assert_eq!(
            RequestError::Unauthorized.message(),
            "The API key was rejected."
        );
    }

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
