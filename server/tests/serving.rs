//! Serving like production: security headers, caching, compression and
//! health checks, on the real router.

mod support;

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use base64::Engine;
use leads_core::config::FIRST_LIST_ID;
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

/// A GET for `path` as a browser sends it, every compression offered.
fn as_a_browser(app: &TestApp, path: &str) -> axum::http::Request<Body> {
    app.request(Method::GET, path)
        .header(header::ACCEPT_ENCODING, "gzip, deflate, br, zstd")
        .body(Body::empty())
        .unwrap()
}

/// `reply`'s `Content-Encoding`, if any, and its body as sent.
async fn encoded(reply: axum::response::Response) -> (Option<String>, Vec<u8>) {
    assert_eq!(reply.status(), StatusCode::OK);
    let encoding = reply
        .headers()
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let bytes = axum::body::to_bytes(reply.into_body(), usize::MAX)
        .await
        .unwrap();
    (encoding, bytes.to_vec())
}

/// `bytes` gunzipped, as text.
fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(bytes), &mut text)
        .expect("gzip");
    text
}

#[tokio::test]
async fn large_answers_are_gzipped_for_browsers_that_ask_small_ones_and_streams_are_not() {
    let app = TestApp::new().await;
    for n in 0..100 {
        app.post(serde_json::json!({"name": format!("Caller {n}"), "source": "call"}))
            .await;
    }
    let path = "/v1/leads?limit=100";
    let plain = app.get(path).await;
    assert_eq!(plain.body["data"].as_array().map(Vec::len), Some(100));
    let (encoding, bytes) = encoded(app.respond(as_a_browser(&app, path)).await).await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert_eq!(gunzip(&bytes), plain.text);
    assert!(bytes.len() * 3 < plain.text.len(), "{} bytes", bytes.len());
    // A small answer costs more to compress than it saves.
    let small = app.respond(as_a_browser(&app, "/v1/leads?limit=1")).await;
    let (encoding, bytes) = encoded(small).await;
    assert_eq!(encoding, None);
    assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_ok());
    // A live stream is sent as it happens, never held back to compress
    // (its body never ends, so only its head is read).
    let stream = app.respond(as_a_browser(&app, "/v1/events")).await;
    assert_eq!(stream.status(), StatusCode::OK);
    assert_eq!(stream.headers().get(header::CONTENT_ENCODING), None);
    // The console's page is small, but every cold load fetches it.
    let page = app.get("/?status=new").await;
    let (encoding, bytes) = encoded(app.respond(as_a_browser(&app, "/?status=new")).await).await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    let text = gunzip(&bytes);
    assert_eq!(text, page.text);
    assert!(text.contains("id=\"leads-config\""), "{text}");
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
        ..Options::default()
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
    )
    .await;
    assert_eq!(proxy.get("/readyz").await.status, StatusCode::OK);

    let dead_base = format!("{}/v1", unreachable_base());
    let key = UpstreamKey::new("ready-key").unwrap();
    let dead = TestApp::proxy(
        Upstream::new(&dead_base, key, Duration::from_secs(2)).unwrap(),
        Options::default(),
    )
    .await;
    let not_ready = dead.get("/readyz").await;
    assert_eq!(not_ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(not_ready.body["reason"]
        .as_str()
        .unwrap()
        .contains("upstream"));
    assert_eq!(dead.get("/healthz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn embed_js_starts_the_current_build_from_its_own_origin_for_any_page() {
    let app = TestApp::new().await;
    let script = app
        .send(
            app.request(Method::GET, "/embed.js")
                .header(header::ORIGIN, "https://portal.example.com")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(header(&script, header::CONTENT_TYPE).starts_with("text/javascript"));
    assert_eq!(header(&script, header::CACHE_CONTROL), "no-cache");
    assert_eq!(header(&script, header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
    for name in [
        "leads-console-0123456789abcdef.js",
        "leads-console-0123456789abcdef_bg.wasm",
        "--allow-origin",
    ] {
        assert!(script.text.contains(name), "{name} in:\n{}", script.text);
    }
}

#[tokio::test]
async fn cors_answers_exactly_the_allowed_portals_preflight_included() {
    const PORTAL: &str = "https://portal.example.com";
    let app = TestApp::with(Options {
        demo_leads: 2,
        api_key: Some("cors-key"),
        allow_origins: vec![PORTAL.to_owned()],
    })
    .await;
    let preflight = |origin: &'static str| {
        axum::http::Request::builder()
            .method(Method::OPTIONS)
            .uri("/v1/leads/lead_001")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PATCH")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "authorization,content-type",
            )
            .body(Body::empty())
            .unwrap()
    };
    let allowed = app.send(preflight(PORTAL)).await;
    assert!(allowed.status.is_success(), "{}", allowed.status);
    assert_eq!(
        header(&allowed, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        PORTAL
    );
    assert!(header(&allowed, header::ACCESS_CONTROL_ALLOW_METHODS).contains("PATCH"));
    let headers = header(&allowed, header::ACCESS_CONTROL_ALLOW_HEADERS).to_ascii_lowercase();
    assert!(headers.contains("authorization") && headers.contains("content-type"));

    let stranger = app.send(preflight("https://evil.example")).await;
    assert_eq!(header(&stranger, header::ACCESS_CONTROL_ALLOW_ORIGIN), "");

    for path in [
        "/v1/leads",
        "/config.json",
        "/leads-console-0123456789abcdef.js",
    ] {
        let reply = app
            .send(
                app.request(Method::GET, path)
                    .header(header::ORIGIN, PORTAL)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(
            header(&reply, header::ACCESS_CONTROL_ALLOW_ORIGIN),
            PORTAL,
            "{path}"
        );
        assert!(
            header(&reply, header::ACCESS_CONTROL_EXPOSE_HEADERS)
                .to_ascii_lowercase()
                .contains("retry-after"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_wildcard_origin_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let config = leads_server::Config {
        addr: "127.0.0.1:0".into(),
        db: dir.path().join("leads.db"),
        dist: dir.path().to_path_buf(),
        allow_origins: vec!["*".into()],
        ..leads_server::Config::default()
    };
    let err = leads_server::run(config).await.expect_err("refused");
    assert!(err.to_string().contains("any web page"), "{err}");
}

#[tokio::test]
async fn the_console_page_carries_its_settings_so_it_need_not_ask() {
    let app = TestApp::with(Options {
        api_key: Some("settings-key"),
        ..Options::default()
    })
    .await;
    for path in ["/", "/leads?status=new"] {
        let page = app.get(path).await;
        assert!(
            page.text.contains(
                r#"<script type="application/json" id="leads-config">{"api_base":"/v1","auth":"bearer","idempotency_keys":true,"search":true}</script>"#
            ),
            "{path}: {}",
            page.text
        );
        assert!(header(&page, header::CONTENT_TYPE).starts_with("text/html"));
    }
}

#[tokio::test]
async fn the_console_page_is_in_the_language_the_browser_asks_for() {
    let app = TestApp::new().await;
    for (asked, lang) in [
        (Some("de-AT,de;q=0.9,en;q=0.8"), "de"),
        (Some("it, fr-CH;q=0.9, es;q=0.95"), "es"),
        (Some("fr;q=0, ja, *;q=0.1"), "en"),
        (Some("ES"), "es"),
        (None, "en"),
    ] {
        let mut request = app.request(Method::GET, "/?status=new");
        if let Some(asked) = asked {
            request = request.header(header::ACCEPT_LANGUAGE, asked);
        }
        let page = app.send(request.body(Body::empty()).unwrap()).await;
        assert!(
            page.text
                .contains(&format!("<!doctype html><html lang=\"{lang}\">")),
            "{asked:?}: {}",
            page.text
        );
        assert_eq!(header(&page, header::VARY), "Accept-Language", "{asked:?}");
    }
}

#[tokio::test]
async fn without_sign_in_the_page_names_its_first_list_request() {
    let app = TestApp::with(Options::default()).await;
    for (path, url) in [
        ("/", "/v1/leads"),
        // Read as the console reads its URL: unknown and invalid values
        // fall back, defaults are left out, the order is the list's.
        (
            "/leads?page=2&x=1&status=new&limit=7",
            "/v1/leads?status=new&page=2",
        ),
        ("/?sort=-score&source=sms%20", "/v1/leads?sort=-score"),
    ] {
        let page = app.get(path).await;
        let element =
            format!(r#"<script type="application/json" id="{FIRST_LIST_ID}">"{url}"</script>"#);
        assert!(page.text.contains(&element), "{path}: {}", page.text);
    }
    let signed_in = TestApp::with(Options {
        api_key: Some("settings-key"),
        ..Options::default()
    })
    .await;
    let page = signed_in.get("/?status=new").await;
    assert!(
        !page.text.contains(FIRST_LIST_ID),
        "a request that needs a token is not sent by the page: {}",
        page.text
    );
}
