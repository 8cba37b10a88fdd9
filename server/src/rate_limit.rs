//! `--rate-limit N`: at most N `/v1` requests per minute per client (who
//! signed in, else the address), answered past that with `429`,
//! `Retry-After` and the contract's error body. On PostgreSQL the count is
//! the database's, so it holds across every instance; SQLite's one
//! instance counts in memory.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{Extensions, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leads_core::ErrorType;

use crate::auth::Who;
use crate::error::AppError;
use crate::store::RequestCounts;

/// The window each client's count applies to.
const WINDOW: Duration = Duration::from_secs(60);
/// Past this many clients, windows that have ended are swept out.
const SWEEP_ABOVE: usize = 10_000;

/// The counts; cheap to clone.
#[derive(Clone)]
pub struct RateLimit {
    per_minute: u32,
    windows: Arc<Mutex<HashMap<String, (Instant, u32)>>>,
    /// Where every instance counts, when they share a database.
    shared: Option<RequestCounts>,
}

impl RateLimit {
    /// At most `per_minute` requests per client per minute, counted in
    /// `shared` when given.
    pub fn new(per_minute: u32, shared: Option<RequestCounts>) -> Self {
        Self {
            per_minute,
            windows: Arc::default(),
            shared,
        }
    }

    /// Counts one request from `client`; `Err` holds the seconds to wait.
    async fn count(&self, client: String) -> Result<(), u64> {
        let Some(shared) = &self.shared else {
            return self.take(client, Instant::now());
        };
        let now = crate::time::unix_now();
        let minute = now - now.rem_euclid(60);
        match shared.count(&client, minute).await {
            Ok(count) if count > i64::from(self.per_minute) => {
                Err(u64::try_from(minute + 60 - now).unwrap_or(1).max(1))
            }
            Ok(_) => Ok(()),
            // The request itself will find the database if it needs it;
            // a limit that cannot count lets it through.
            Err(err) => {
                tracing::warn!("cannot count a request for the rate limit: {err}");
                Ok(())
            }
        }
    }

    /// Counts one request from `client`; `Err` holds the seconds to wait.
    fn take(&self, client: String, now: Instant) -> Result<(), u64> {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() > SWEEP_ABOVE {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let (start, count) = windows.entry(client).or_insert((now, 0));
        if now.duration_since(*start) >= WINDOW {
            *start = now;
            *count = 0;
        }
        if *count >= self.per_minute {
            let left = WINDOW.saturating_sub(now.duration_since(*start));
            return Err(left.as_secs_f64().ceil().max(1.0) as u64);
        }
        *count += 1;
        Ok(())
    }
}

/// Who a request comes from, for limits: who signed in, else the address.
pub fn client(extensions: &Extensions) -> String {
    let who = extensions
        .get::<Who>()
        .filter(|who| who.0 != "anonymous")
        .map(|who| format!("who:{}", who.0));
    who.unwrap_or_else(|| {
        extensions.get::<ConnectInfo<SocketAddr>>().map_or_else(
            || "address:unknown".to_owned(),
            |c| format!("address:{}", c.0.ip()),
        )
    })
}

/// The layer, inside sign-in so it knows who.
pub async fn limit(State(limit): State<RateLimit>, request: Request, next: Next) -> Response {
    let client = client(request.extensions());
    match limit.count(client).await {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let mut response = AppError::new(
                ErrorType::RateLimited,
                format!("Too many requests. Wait {wait} seconds, then try again."),
            )
            .into_response();
            if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
                response.headers_mut().insert(RETRY_AFTER, value);
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_client_has_its_own_minute() {
        let limit = RateLimit::new(2, None);
        let start = Instant::now();
        assert_eq!(limit.take("a".into(), start), Ok(()));
        assert_eq!(limit.take("a".into(), start), Ok(()));
        assert_eq!(
            limit.take("a".into(), start + Duration::from_secs(15)),
            Err(45)
        );
        assert_eq!(limit.take("b".into(), start), Ok(()), "another client");
        assert_eq!(
            limit.take("a".into(), start + WINDOW),
            Ok(()),
            "a new minute"
        );
    }
}
