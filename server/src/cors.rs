//! `--allow-origin`: portals on other origins may embed the console. CORS
//! is answered for exactly the origins given, on `/v1` (preflight included:
//! `Authorization`, `Content-Type`, `Idempotency-Key`, `PATCH`) and on the console's files and
//! settings, which a portal's page loads as module scripts and a fetch.

use std::time::Duration;

use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use axum::http::{HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::start_error::StartError;

/// The CORS layer for `origins`, or `None` when none are allowed. An
/// origin that is `*`, or not `scheme://host[:port]`, is refused with the
/// reason.
pub fn layer(origins: &[String]) -> Result<Option<CorsLayer>, StartError> {
    if origins.is_empty() {
        return Ok(None);
    }
    let origins = origins
        .iter()
        .map(|origin| origin_value(origin.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PATCH])
            .allow_headers([
                AUTHORIZATION,
                CONTENT_TYPE,
                // An embedded console resuming its event stream.
                axum::http::HeaderName::from_static("last-event-id"),
                // A create that is safe to send again.
                crate::idempotency::KEY_HEADER,
            ])
            // A copy's answers say how fresh they are.
            .expose_headers([
                RETRY_AFTER,
                LOCATION,
                crate::mirror::header(leads_core::lead::SYNCED_AT_HEADER),
                crate::mirror::header(leads_core::lead::STALE_HEADER),
            ])
            .max_age(Duration::from_secs(600)),
    ))
}

fn origin_value(origin: &str) -> Result<HeaderValue, StartError> {
    if origin == "*" {
        return Err(StartError::AnyOrigin);
    }
    let (scheme, rest) = origin.split_once("://").unwrap_or(("", origin));
    let (host, port) = match rest.find(']') {
        Some(end) => (&rest[..=end], rest[end + 1..].strip_prefix(':')),
        None => match rest.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        },
    };
    let host_ok = !host.is_empty()
        && !rest.contains(['/', '?', '#', '@'])
        && !rest.chars().any(char::is_whitespace)
        && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if !matches!(scheme, "http" | "https") || !host_ok {
        return Err(StartError::NotAnOrigin(origin.to_owned()));
    }
    HeaderValue::from_str(origin).map_err(|_| StartError::NotAnOrigin(origin.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked_and_star_is_refused() {
        assert!(layer(&[]).unwrap().is_none());
        assert!(layer(&["https://portal.example.com".into()])
            .unwrap()
            .is_some());
        assert!(layer(&["http://127.0.0.1:3000".into()]).unwrap().is_some());
        let star = layer(&["*".into()]).unwrap_err();
        assert!(matches!(star, StartError::AnyOrigin), "{star}");
        assert!(star.to_string().contains("any web page"), "{star}");
        for bad in [
            "portal.example.com",
            "https://portal.example.com/app",
            "ftp://x",
            "https://",
        ] {
            assert!(layer(&[bad.into()]).is_err(), "{bad}");
        }
    }
}
