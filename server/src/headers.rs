//! Response headers a security review expects, set in one place: a strict
//! Content-Security-Policy on the console's page, `nosniff` and
//! `no-referrer` everywhere, `no-store` on JSON, and caching that lets
//! hashed assets live forever while the page and its settings never go
//! stale.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};

/// For files whose name carries a content hash: they never change.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For the page, `/embed.js` and `/config.json`: always ask again.
const NO_CACHE: &str = "no-cache";

/// The headers for this server's console, worked out once at start.
#[derive(Clone)]
pub struct SecurityHeaders {
    csp: HeaderValue,
}

impl SecurityHeaders {
    /// The policy for the console's page, `page` (its inline start-up script
    /// is allowed by hash, never by `'unsafe-inline'`), framed only by
    /// `frame_ancestors`.
    pub fn for_console(page: &str, frame_ancestors: &str) -> Self {
        let frame_ancestors = match frame_ancestors.trim() {
            "" => "'self'",
            given => given,
        };
        let csp = content_security_policy(page, frame_ancestors);
        Self {
            csp: HeaderValue::from_str(&csp)
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'")),
        }
    }
}

/// The policy for a page with `html`'s inline scripts.
///
/// ```
/// let csp = leads_server::headers::content_security_policy("<script>go()</script>", "'self'");
/// assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"));
/// assert!(!csp.contains("unsafe-inline"));
/// ```
pub fn content_security_policy(html: &str, frame_ancestors: &str) -> String {
    let hashes: String = inline_scripts(html)
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
         frame-ancestors {frame_ancestors}"
    )
}

/// The text of each `<script>` without a `src`, exactly as the browser
/// hashes it.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (tag, after) = rest.split_once('>')?;
        let (body, _) = after.split_once("</script>")?;
        (!tag.contains("src=")).then_some(body)
    })
}

/// True for content-hashed asset names, such as
/// `table-71e530cae9a37a8c.css` or `leads-console-f07e13421552a9e0_bg.wasm`,
/// and the split module `split-extras-483330bf7f1f1c9d.wasm`.
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        // Trunk writes its 64-bit hash without leading zeros.
        .is_some_and(|(_, hash)| {
            (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
        })
}

/// The layer over everything the server answers.
pub async fn secure(
    State(headers): State<Arc<SecurityHeaders>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let out = response.headers_mut();
    out.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    out.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    let cache = if path == "/config.json" || path == "/embed.js" {
        NO_CACHE
    } else if content_type.starts_with("application/json") {
        "no-store"
    } else if content_type.starts_with("text/html") {
        out.insert(CONTENT_SECURITY_POLICY, headers.csp.clone());
        NO_CACHE
    } else if is_hashed(&path) {
        IMMUTABLE
    } else {
        NO_CACHE
    };
    out.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inline_scripts_are_hashed() {
        let page = r#"<script type="module">start()</script><script src="/x.js"></script>"#;
        let scripts: Vec<&str> = inline_scripts(page).collect();
        assert_eq!(scripts, ["start()"]);
    }

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_hashed("/table-71e530cae9a37a8c.css"));
        assert!(is_hashed("/leads-console-f07e13421552a9e0_bg.wasm"));
        assert!(is_hashed("/leads-console-f07e13421552a9e0.js"));
        // A hash that began with a zero nibble, as trunk once wrote it.
        assert!(is_hashed("/leads-console-77438299c82417d_bg.wasm"));
        // The split modules and their loader (scripts/build-dist.sh).
        assert!(is_hashed("/split-extras-483330bf7f1f1c9d.wasm"));
        assert!(is_hashed("/split-791b19c6f449dae2.js"));
        assert!(!is_hashed("/embed-example.js"));
        assert!(!is_hashed("/index.html"));
        assert!(!is_hashed("/embed.js"));
        assert!(!is_hashed("/config.json"));
    }
}
