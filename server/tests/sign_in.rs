//! Who may use the server: named keys, portal tokens, the audit log, and
//! no open API beyond loopback.

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use leads_server::auth::key_line;
use leads_server::upstream::{Upstream, UpstreamKey};
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde_json::{json, Value};
use support::{capture_logs, captured_log, Options, Reply, RunningServer, TestApp};

const SECRET: &str = "portal-signing-secret-for-tests";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn hs256(claims: Value, secret: &str) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn get_with(app: &TestApp, token: Option<&str>) -> Reply {
    let mut request = app.request(Method::GET, "/v1/leads?limit=1");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn each_person_signs_in_with_their_own_key_and_the_audit_log_names_them() {
    capture_logs();
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    std::fs::write(
        &keys,
        format!(
            "# staff keys\n{}\n{}\n",
            key_line("dana", "dana-key-123"),
            key_line("eli", "eli-key-456")
        ),
    )
    .unwrap();
    let app = TestApp::with_config(Options::default(), |config| {
        config.api_keys_file = Some(keys.clone());
    })
    .await;
    assert_eq!(
        get_with(&app, Some("dana-key-123")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        get_with(&app, Some("eli-key-456")).await.status,
        StatusCode::OK
    );
    let wrong = get_with(&app, Some("dana-key-124")).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body["error"]["type"], "unauthorized");
    let missing = get_with(&app, None).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/config.json").await.body["auth"], "bearer");

    let created = app
        .send_json_as(
            "dana-key-123",
            Method::POST,
            "/v1/leads",
            &json!({"name": "Audited", "phone": "+15550199887"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let updated = app
        .send_json_as(
            "eli-key-456",
            Method::PATCH,
            &format!("/v1/leads/{id}"),
            &json!({"email": "secret.person@example.com"}),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK);

    let log = captured_log();
    let audit: Vec<&str> = log.lines().filter(|l| l.contains(" audit")).collect();
    assert!(
        audit.iter().any(|l| l.contains("action=\"create\"")
            && l.contains("who=\"dana\"")
            && l.contains(&format!("lead=\"{id}\""))
            && l.contains("fields=\"name,phone\"")
            && l.contains("status=201")),
        "{audit:#?}"
    );
    assert!(
        audit.iter().any(|l| l.contains("action=\"update\"")
            && l.contains("who=\"eli\"")
            && l.contains("fields=\"email\"")
            && l.contains("status=200")),
        "{audit:#?}"
    );
    for value in [
        "+15550199887",
        "secret.person@example.com",
        "dana-key-123",
        "eli-key-456",
    ] {
        assert!(!log.contains(value), "{value} is in the log");
    }
}

#[tokio::test]
async fn portal_tokens_are_checked_and_a_refused_one_forwards_nothing() {
    capture_logs();
    let upstream = RunningServer::start(Options {
        demo_leads: 3,
        api_key: Some("vendor-key-for-token-tests"),
        ..Options::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir.path().join("secret");
    std::fs::write(&secret_file, format!("{SECRET}\n")).unwrap();
    let key = UpstreamKey::new("vendor-key-for-token-tests").unwrap();
    let upstream_api = Upstream::new(
        &format!("{}/v1", upstream.base),
        key,
        Duration::from_secs(5),
    )
    .unwrap();
    let app = TestApp::proxy_with_config(upstream_api, Options::default(), |config| {
        config.jwt_secret_file = Some(secret_file.clone());
        config.jwt_audience = Some("leads-console".to_owned());
    })
    .await;
    let good = json!({"sub": "portal-user-7", "aud": "leads-console", "exp": now() + 300});
    let refused = [
        (
            "expired",
            json!({"sub": "a", "aud": "leads-console", "exp": now() - 600}),
            SECRET,
        ),
        (
            "not yet valid",
            json!({"sub": "a", "aud": "leads-console", "exp": now() + 900, "nbf": now() + 600}),
            SECRET,
        ),
        ("wrongly signed", good.clone(), "another-secret"),
        (
            "another audience",
            json!({"sub": "a", "aud": "crm", "exp": now() + 300}),
            SECRET,
        ),
        (
            "no subject",
            json!({"aud": "leads-console", "exp": now() + 300}),
            SECRET,
        ),
    ];
    for (what, claims, secret) in refused {
        let reply = get_with(&app, Some(&hs256(claims, secret))).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{what}: {}",
            reply.text
        );
        assert_eq!(reply.body["error"]["type"], "unauthorized", "{what}");
    }
    let expired = get_with(
        &app,
        Some(&hs256(
            json!({"sub": "a", "aud": "leads-console", "exp": now() - 600}),
            SECRET,
        )),
    )
    .await;
    assert!(expired.text.contains("expired"), "{}", expired.text);
    assert_eq!(
        get_with(&app, Some("not-a-token")).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The upstream's recorder exists in the test-faults build only.
    #[cfg(feature = "test-faults")]
    assert!(
        upstream.received().await.is_empty(),
        "nothing was forwarded"
    );

    let token = hs256(good, SECRET);
    assert_eq!(get_with(&app, Some(&token)).await.status, StatusCode::OK);
    let created = app
        .send_json_as(
            &token,
            Method::POST,
            "/v1/leads",
            &json!({"name": "From the portal"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert!(captured_log()
        .lines()
        .any(|l| l.contains(" audit") && l.contains("who=\"portal-user-7\"")));
}

#[tokio::test]
async fn es256_tokens_from_a_portals_public_key_are_trusted() {
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    // SubjectPublicKeyInfo for a P-256 key: a fixed prefix, then the point.
    let mut spki = hex::decode("3059301306072a8648ce3d020106082a8648ce3d030107034200").unwrap();
    spki.extend_from_slice(pair.public_key().as_ref());
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(spki)
    );
    let dir = tempfile::tempdir().unwrap();
    let public = dir.path().join("portal.pem");
    std::fs::write(&public, pem).unwrap();
    let app = TestApp::with_config(Options::default(), |config| {
        config.jwt_public_key = Some(public.clone());
    })
    .await;
    let token = encode(
        &Header::new(Algorithm::ES256),
        &json!({"sub": "es-user", "exp": now() + 300}),
        &EncodingKey::from_ec_der(pkcs8.as_ref()),
    )
    .unwrap();
    assert_eq!(get_with(&app, Some(&token)).await.status, StatusCode::OK);
    let forged = hs256(json!({"sub": "es-user", "exp": now() + 300}), "guess");
    assert_eq!(
        get_with(&app, Some(&forged)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_open_api_is_refused_beyond_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let config = leads_server::Config {
        addr: "0.0.0.0:0".into(),
        db: dir.path().join("leads.db"),
        dist: dir.path().to_path_buf(),
        ..leads_server::Config::default()
    };
    let err = leads_server::run(config).await.expect_err("refused");
    let message = err.to_string();
    assert!(
        message.contains("--api-key") && message.contains("127.0.0.1"),
        "{message}"
    );
}

#[test]
fn hash_key_prints_the_line_for_the_keys_file() {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_leads-server"))
        .args(["hash-key", "dana"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"dana-key-123\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().trim(),
        key_line("dana", "dana-key-123")
    );
}

#[tokio::test]
async fn the_rate_limit_counts_each_person_apart() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    std::fs::write(
        &keys,
        format!(
            "{}\n{}\n",
            key_line("dana", "dana-key"),
            key_line("eli", "eli-key")
        ),
    )
    .unwrap();
    let app = TestApp::with_config(Options::default(), |config| {
        config.api_keys_file = Some(keys.clone());
        config.rate_limit = Some(3);
    })
    .await;
    for _ in 0..3 {
        assert_eq!(
            get_with(&app, Some("dana-key")).await.status,
            StatusCode::OK
        );
    }
    let limited = get_with(&app, Some("dana-key")).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.body["error"]["type"], "rate_limited");
    let wait: u64 = limited.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(get_with(&app, Some("eli-key")).await.status, StatusCode::OK);
}
