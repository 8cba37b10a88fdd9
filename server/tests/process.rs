//! The real binary as an operator runs it: settings from `LEADS_*`
//! variables, and a stop on SIGTERM that lets in-flight requests finish.

mod support;

use support::process::ServerProcess;

async fn get_json(request: reqwest::RequestBuilder) -> serde_json::Value {
    let bytes = request.send().await.unwrap().bytes().await.unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[cfg(feature = "test-faults")]
async fn post_json(http: &reqwest::Client, url: String, body: serde_json::Value) -> u16 {
    http.post(url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn leads_variables_configure_the_server_and_sigterm_stops_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(
        env!("CARGO_BIN_EXE_leads-server"),
        dir.path(),
        &[
            ("LEADS_API_KEY", "env-key-31"),
            ("LEADS_DEMO_LEADS", "3"),
            ("LEADS_ALLOW_ORIGINS", "https://a.example,https://b.example"),
        ],
        &[],
    );
    let http = reqwest::Client::new();
    let config = get_json(http.get(format!("{}/config.json", server.base))).await;
    assert_eq!(config["auth"], "bearer", "LEADS_API_KEY took effect");
    let page = get_json(
        http.get(format!("{}/v1/leads", server.base))
            .bearer_auth("env-key-31"),
    )
    .await;
    assert_eq!(page["meta"]["total"], 3, "LEADS_DEMO_LEADS took effect");
    let from_b = http
        .get(format!("{}/config.json", server.base))
        .header("origin", "https://b.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        from_b.headers()["access-control-allow-origin"],
        "https://b.example",
        "LEADS_ALLOW_ORIGINS took effect, comma-separated"
    );
    if let Err(why) = server.terminate() {
        panic!("no clean exit on SIGTERM: {why}");
    }
}

#[cfg(feature = "test-faults")]
#[tokio::test]
async fn sigterm_lets_a_request_in_flight_finish() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(
        env!("CARGO_BIN_EXE_leads-test-server"),
        dir.path(),
        &[("LEADS_DEMO_LEADS", "5")],
        &["--test-faults"],
    );
    let http = reqwest::Client::new();
    let base = server.base.clone();
    // A gate could not be released once shutdown closes the idle
    // connections, so the request is slowed instead; the test first waits
    // for it to arrive, then signals while it is still being answered.
    let rule = serde_json::json!({"matches": "GET /v1/leads", "delay_ms": 1500, "times": 1});
    assert_eq!(
        post_json(&http, format!("{base}/_test/faults"), rule).await,
        204
    );
    let in_flight = tokio::spawn({
        let (http, base) = (http.clone(), base.clone());
        async move { http.get(format!("{base}/v1/leads")).send().await }
    });
    loop {
        let seen = get_json(http.get(format!("{base}/_test/requests"))).await;
        if seen.as_array().is_some_and(|a| !a.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    server.signal(libc::SIGTERM);
    let answer = in_flight
        .await
        .unwrap()
        .expect("the request in flight is answered");
    assert_eq!(answer.status(), 200);
    assert!(server.child.wait().unwrap().success(), "then a clean exit");
}

/// Polls until the process ends, for at most `wait`; true on a clean exit.
fn exits_within(server: &mut ServerProcess, wait: std::time::Duration) -> bool {
    let deadline = std::time::Instant::now() + wait;
    while std::time::Instant::now() < deadline {
        if let Ok(Some(status)) = server.child.try_wait() {
            return status.success();
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    false
}

#[tokio::test]
async fn simulated_calls_arrive_live_and_a_stream_resumes_across_a_restart() {
    use std::time::Duration;
    use support::live::Reader;
    let dir = tempfile::tempdir().unwrap();
    let binary = env!("CARGO_BIN_EXE_leads-server");
    let env = [("LEADS_DEMO_LEADS", "0"), ("LEADS_SIMULATE_CALLS", "1")];
    let mut server = ServerProcess::start(binary, dir.path(), &env, &[]);
    let http = reqwest::Client::new();
    let events = http
        .get(format!("{}/v1/events", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    let mut stream = Reader::new(events);
    stream
        .next(Duration::from_secs(5))
        .await
        .expect("a position");
    let call = stream
        .next_event(Duration::from_secs(5))
        .await
        .expect("a simulated call within a second or so");
    assert_eq!(call.event.as_deref(), Some("lead.created"));
    let lead = call.json();
    let id = lead["id"].as_str().unwrap();
    let stored = get_json(http.get(format!("{}/v1/leads/{id}", server.base))).await;
    assert_eq!(stored, lead, "stored as announced");
    assert_eq!(stored["status"], "new");

    // SIGTERM ends open streams rather than waiting for them.
    server.signal(libc::SIGTERM);
    assert!(
        exits_within(&mut server, Duration::from_secs(10)),
        "a clean, prompt exit"
    );
    while stream.next(Duration::from_secs(5)).await.is_some() {}

    let restarted = ServerProcess::start(binary, dir.path(), &[("LEADS_DEMO_LEADS", "0")], &[]);
    let after = http
        .get(format!("{}/v1/events", restarted.base))
        .header("last-event-id", call.id.clone().unwrap())
        .send()
        .await
        .unwrap();
    let mut after = Reader::new(after);
    let first = after.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(first.event, None, "the log kept what came after: no reset");
    let position: u64 = first.id.unwrap().parse().unwrap();
    let mut seen: u64 = call.id.unwrap().parse().unwrap();
    assert!(position >= seen, "ids keep rising across a restart");
    // The calls simulated after that one, before the stop, come in order.
    while seen < position {
        let missed = after.next_event(Duration::from_secs(5)).await.unwrap();
        let id: u64 = missed.id.unwrap().parse().unwrap();
        assert!(id > seen, "in order, each once");
        seen = id;
    }
    assert_eq!(seen, position);
}

/// Off a terminal (a file, a pipe, a service manager) the log is plain
/// text; `LEADS_LOG_FORMAT=json` gives one JSON object per line with the
/// same fields.
#[tokio::test]
async fn logs_carry_no_colour_codes_off_a_terminal_and_json_when_asked() {
    let binary = env!("CARGO_BIN_EXE_leads-server");
    let http = reqwest::Client::new();
    let dir = tempfile::tempdir().unwrap();
    let text = ServerProcess::start(binary, dir.path(), &[("LEADS_DEMO_LEADS", "1")], &[]);
    http.get(format!("{}/v1/leads?limit=1", text.base))
        .send()
        .await
        .unwrap();
    let lines = text.wait_for_line(|line| line.contains("/v1/leads?limit=1"));
    for line in &lines {
        assert!(!line.contains('\u{1b}'), "a colour code in {line:?}");
    }
    drop(text);

    let dir = tempfile::tempdir().unwrap();
    let json = ServerProcess::start(
        binary,
        dir.path(),
        &[("LEADS_DEMO_LEADS", "1")],
        &["--log-format", "json"],
    );
    http.get(format!("{}/v1/leads?limit=1", json.base))
        .send()
        .await
        .unwrap();
    let lines = json.wait_for_line(|line| line.contains("/v1/leads?limit=1"));
    let objects: Vec<serde_json::Value> = lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line:?}")))
        .collect();
    let request = objects
        .iter()
        .find(|object| object["message"] == "request")
        .expect("the request's line");
    assert_eq!(request["method"], "GET");
    assert_eq!(request["path"], "/v1/leads?limit=1");
    assert_eq!(request["status"], 200);
    assert_eq!(request["level"], "INFO");
    assert!(request["timestamp"].is_string(), "{request}");
}

#[test]
fn a_keep_alive_proxies_would_not_wait_for_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_leads-server"))
        .args(["--events-keep-alive", "90s"])
        .env("LEADS_ADDR", "127.0.0.1:0")
        .env("LEADS_DB", dir.path().join("leads.db"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A server that took the setting would serve until stopped.
    let ended = (0..300).find_map(|_| {
        let status = server.try_wait().unwrap();
        if status.is_none() {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        status
    });
    let Some(status) = ended else {
        let _ = server.kill();
        panic!("the server started with a 90 s keep-alive");
    };
    assert!(!status.success());
    let mut said = String::new();
    std::io::Read::read_to_string(&mut server.stderr.take().unwrap(), &mut said).unwrap();
    assert!(said.contains("--events-keep-alive"), "{said}");
    assert!(said.contains("outside 1s to 60s"), "{said}");
}

#[test]
fn simulated_calls_are_refused_in_proxy_mode() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_leads-server"))
        .args([
            "--simulate-calls",
            "5",
            "--upstream",
            "https://vendor.example/v1",
        ])
        .env("LEADS_UPSTREAM_KEY", "k")
        .env("LEADS_ADDR", "127.0.0.1:0")
        .env("LEADS_DB", dir.path().join("leads.db"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("--simulate-calls makes up leads"), "{said}");
}
