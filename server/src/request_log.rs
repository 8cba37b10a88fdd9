//! One structured log line per request: method, path with query, status and
//! time taken. Headers are never logged, and the key is never accepted in the
//! URL, so a key cannot leak into the logs.

use std::time::Instant;

use axum::extract::Request;
use axum::http::Uri;
use axum::middleware::Next;
use axum::response::Response;
use leads_core::is_lead_id;

/// Logs the request once its response is ready.
pub async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = loggable_path(request.uri());
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        millis = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// The path and query as requested, except a `/v1/leads/{id}` whose id
/// cannot be a lead's: such a path is made up by someone probing, and only
/// its length is logged.
fn loggable_path(uri: &Uri) -> String {
    let whole = uri
        .path_and_query()
        .map_or_else(|| uri.path(), |pq| pq.as_str());
    match uri.path().strip_prefix("/v1/leads/") {
        Some(id) if !is_lead_id(id) => {
            format!("/v1/leads/(an id of {} bytes that no lead has)", id.len())
        }
        _ => whole.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_like_id_is_logged_as_its_length() {
        let path = |uri: &str| loggable_path(&uri.parse().unwrap());
        assert_eq!(path("/v1/leads/lead_001?x=1"), "/v1/leads/lead_001?x=1");
        assert_eq!(path("/v1/leads?status=new"), "/v1/leads?status=new");
        assert_eq!(
            path("/v1/leads/..%2F..%2Fadmin?q=1"),
            "/v1/leads/(an id of 15 bytes that no lead has)"
        );
    }
}
