//! What a slow or oversized client meets, over real TCP against the real
//! binary: long URLs and large headers are refused in the contract's error
//! format, and a client that sends its head or body too slowly is cut off,
//! without holding up anyone else.

mod support;

use std::time::Duration;

use serde_json::Value;
use support::process::ServerProcess;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Long enough that a cut-off is not the reason a test passes, short
/// enough to wait for.
const CLIENT_TIMEOUT: &str = "1s";
/// A test fails rather than waits past this.
const GIVE_UP: Duration = Duration::from_secs(20);

fn server(dir: &tempfile::TempDir) -> ServerProcess {
    ServerProcess::start(
        env!("CARGO_BIN_EXE_leads-server"),
        dir.path(),
        &[
            ("LEADS_CLIENT_TIMEOUT", CLIENT_TIMEOUT),
            ("LEADS_DEMO_LEADS", "3"),
        ],
        &[],
    )
}

async fn connect(server: &ServerProcess) -> TcpStream {
    let addr = server.base.trim_start_matches("http://");
    TcpStream::connect(addr).await.expect("connect")
}

/// Everything the server sends until it closes the connection.
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(GIVE_UP, stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .ok();
    String::from_utf8_lossy(&answer).into_owned()
}

/// One request on a fresh connection, answered and closed.
async fn exchange(server: &ServerProcess, head: &str, body: &str) -> String {
    let mut stream = connect(server).await;
    stream
        .write_all(format!("{head}Connection: close\r\n\r\n{body}").as_bytes())
        .await
        .expect("send");
    read_to_close(&mut stream).await
}

/// The status code and JSON error type of a raw HTTP answer.
fn status_and_type(answer: &str) -> (u16, String) {
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
    let kind = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["error"]["type"].as_str().map(str::to_owned))
        .unwrap_or_default();
    (status, kind)
}

async fn still_serves(server: &ServerProcess) {
    let answer = exchange(server, "GET /v1/leads HTTP/1.1\r\nHost: t\r\n", "").await;
    assert_eq!(status_and_type(&answer).0, 200, "{answer}");
}

#[tokio::test]
async fn a_long_url_is_414_and_large_headers_are_431() {
    let dir = tempfile::tempdir().unwrap();
    let server = server(&dir);
    let long_url = format!(
        "GET /v1/leads?q={} HTTP/1.1\r\nHost: t\r\n",
        "a".repeat(9000)
    );
    assert_eq!(
        status_and_type(&exchange(&server, &long_url, "").await),
        (414, "uri_too_long".into())
    );
    let big_headers = format!(
        "GET /v1/leads HTTP/1.1\r\nHost: t\r\nX-One: {0}\r\nX-Two: {0}\r\n",
        "b".repeat(9000)
    );
    assert_eq!(
        status_and_type(&exchange(&server, &big_headers, "").await),
        (431, "headers_too_large".into())
    );
    // Far past what is worth reading: refused without buffering it all.
    let huge = format!(
        "GET /v1/leads HTTP/1.1\r\nHost: t\r\nX-Huge: {}\r\n",
        "c".repeat(200_000)
    );
    assert_eq!(status_and_type(&exchange(&server, &huge, "").await).0, 431);
    still_serves(&server).await;
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let server = server(&dir);
    let mut slow = connect(&server).await;
    slow.write_all(b"GET /v1/leads HTTP/1.1\r\nHost: t\r\n")
        .await
        .unwrap();
    // Others are served while it dawdles.
    still_serves(&server).await;
    let answer = read_to_close(&mut slow).await;
    assert!(
        !answer.contains("200 OK"),
        "no answer to a request never finished: {answer}"
    );
    still_serves(&server).await;
}

#[tokio::test]
async fn a_body_that_trickles_in_gets_408_in_the_contract_format() {
    let dir = tempfile::tempdir().unwrap();
    let server = server(&dir);
    let mut slow = connect(&server).await;
    // The head promises more than will ever come: a byte now and then
    // keeps the connection busy, and only the server's deadline ends it.
    let start = br#"{"name": "Slow Sam", "tags": [""#;
    slow.write_all(
        b"POST /v1/leads HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\
          Content-Length: 10000\r\nConnection: close\r\n\r\n",
    )
    .await
    .unwrap();
    slow.write_all(start).await.unwrap();
    let (mut reader, mut writer) = slow.into_split();
    let trickle = tokio::spawn(async move {
        while writer.write_all(b"x").await.is_ok() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let mut answer = Vec::new();
    tokio::time::timeout(GIVE_UP, reader.read_to_end(&mut answer))
        .await
        .expect("an answer while the body is still arriving")
        .ok();
    trickle.abort();
    let answer = String::from_utf8_lossy(&answer);
    assert_eq!(
        status_and_type(&answer),
        (408, "request_timeout".into()),
        "{answer}"
    );
    let page = exchange(
        &server,
        "GET /v1/leads?limit=100 HTTP/1.1\r\nHost: t\r\n",
        "",
    )
    .await;
    assert!(!page.contains("Slow Sam"), "nothing half-sent was stored");
}
