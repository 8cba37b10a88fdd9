//! Serving like production: security headers, caching, compression and
//! health checks, on the real router.

mod support;

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use base64::Engine;
use leads_server::upstream::{Upstream, UpstreamKey};
use sha2::{Digest, Sha256};
use support::{unreachable_base, Options, RunningServer, TestApp};

fn header(reply: &support::Reply, name: header::HeaderName) -> &str {
    reply
        .headers
        .get(&name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_page_carries_a_strict_csp_with_its_inline_script_hash() {
    let app = TestApp::new().await;
    let digest = Sha256::digest(b"start()");
    let hash = base64::engine::general_purpose::STANDARD.encode(digest);
    for path in ["/", "/leads?status=new"] {
        let page = app.get(path).await;
        assert_eq!(
            header(&page, header::CONTENT_SECURITY_POLICY),
            format!(
                "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}'; \
                 style-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; \
                 base-uri 'none'; frame-ancestors 'self'"
            ),
            "{path}"
        );
        assert_eq!(header(&page, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(header(&page, header::REFERRER_POLICY), "no-referrer");
        assert_eq!(header(&page, header::CACHE_CONTROL), "no-cache");
    }
}

#[tokio::test]
async fn json_is_never_stored_and_settings_never_go_stale() {
    let app = TestApp::new().await;
    let list = app.get("/v1/leads").await;
    assert_eq!(header(&list, header::CACHE_CONTROL), "no-store");
    assert_eq!(header(&list, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(header(&list, header::CONTENT_SECURITY_POLICY), "");
    let error = app.get("/v1/leads?status=bogus").await;
    assert_eq!(header(&error, header::CACHE_CONTROL), "no-store");
    let config = app.get("/config.json").await;
    assert_eq!(header(&config, header::CACHE_CONTROL), "no-cache");
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_compressed_when_asked() {
    let app = TestApp::new().await;
    let js = app.get("/app-0123456789abcdef.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert_eq!(
        header(&js, header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    assert!(header(&js, header::CONTENT_TYPE).contains("javascript"));
    let wasm = app.get("/app-0123456789abcdef_bg.wasm").await;
    assert_eq!(header(&wasm, header::CONTENT_TYPE), "application/wasm");
    assert_eq!(
        header(&wasm, header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    for (encoding, body) in [("br", "brotli bytes"), ("gzip", "gzip bytes")] {
        let reply = app
            .send(
                app.request(Method::GET, "/app-0123456789abcdef.js")
                    .header(header::ACCEPT_ENCODING, encoding)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(header(&reply, header::CONTENT_ENCODING), encoding);
        assert_eq!(reply.text, body);
    }
}

#[tokio::test]
async fn health_and_readiness_answer_for_load_balancers() {
    let app = TestApp::new().await;
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body["status"], "ready");

    let upstream = RunningServer::start(Options {
        demo_leads: 1,
        api_key: Some("ready-key"),
    })
    .await;
    let key = UpstreamKey::new("ready-key").unwrap();
    let proxy = TestApp::proxy(
        Upstream::new(
            &format!("{}/v1", upstream.base),
            key,
            Duration::from_secs(5),
        )
        .unwrap(),
        Options::default(),
    );
    assert_eq!(proxy.get("/readyz").await.status, StatusCode::OK);

    let dead_base = format!("{}/v1", unreachable_base());
    let key = UpstreamKey::new("ready-key").unwrap();
    let dead = TestApp::proxy(
        Upstream::new(&dead_base, key, Duration::from_secs(2)).unwrap(),
        Options::default(),
    );
    let not_ready = dead.get("/readyz").await;
    assert_eq!(not_ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(not_ready.body["reason"]
        .as_str()
        .unwrap()
        .contains("upstream"));
    assert_eq!(dead.get("/healthz").await.status, StatusCode::OK);
}
