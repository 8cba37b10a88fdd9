//! Generated requests against the real router on a real SQLite file: query
//! strings, JSON bodies, content types, paths and methods. Whatever comes
//! in, the answer is one the contract allows, never a 500 or a panic, and
//! every failure carries the contract's error body with a status that
//! matches its type.

mod support;

use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use leads_core::{ApiErrorBody, Lead, Page};
use proptest::prelude::*;
use serde_json::{Map, Value};
use support::{Options, Reply, TestApp};
use tokio::runtime::Runtime;

/// One runtime and one app for all the cases of a test: the database keeps
/// what earlier cases created, as a real one would.
fn app() -> (Runtime, TestApp) {
    let runtime = Runtime::new().expect("a runtime");
    let app = runtime.block_on(TestApp::with(Options {
        demo_leads: 30,
        ..Options::default()
    }));
    (runtime, app)
}

/// The answer is an error in the contract's shape whose type matches the
/// status, and says nothing of the server's insides.
fn assert_contract_error(reply: &Reply) {
    let body: ApiErrorBody = serde_json::from_value(reply.body.clone())
        .unwrap_or_else(|_| panic!("{} without the error body: {}", reply.status, reply.text));
    assert_eq!(
        body.error.kind.status(),
        reply.status.as_u16(),
        "{}",
        reply.text
    );
    assert!(!body.error.message.trim().is_empty(), "{}", reply.text);
    for inside in ["rusqlite", "sqlite", "panicked", "src/", "thread '"] {
        assert!(
            !reply.text.contains(inside),
            "reveals {inside}: {}",
            reply.text
        );
    }
}

/// Text that trips parsers: escapes, separators, quotes, controls, and
/// characters outside ASCII.
fn nasty_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_-]{0,12}",
        Just(String::new()),
        "[%&=+;#?/\\\\'\" \t\\x00-\\x1f]{1,8}",
        "\\PC{0,20}",
        "%[0-9A-Fa-f]{0,2}",
        "[0-9]{1,25}",
        "-[0-9]{1,5}",
    ]
}

/// Keys the list knows, in any case, and keys it does not.
fn list_key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "status", "source", "sort", "limit", "page", "STATUS", "q", "tag", "TAG"
        ])
        .prop_map(str::to_owned),
        nasty_text(),
    ]
}

/// Values the list accepts, and near misses.
fn list_value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "new",
            "contacted",
            "converted",
            "NEW",
            "call",
            "google",
            "fax",
            "-score",
            "score",
            "-created_at",
            "name",
            "--name",
            "1",
            "20",
            "100",
            "101",
            "0",
            "1000000",
            "1000001",
            "+1",
            "0x10",
            "1e2",
            " 1",
            "vip",
            "High-Intent",
            "jo",
            "(555) 01",
        ])
        .prop_map(str::to_owned),
        nasty_text(),
    ]
}

/// Percent-encodes what a URI may not carry raw, and leaves `%` alone so
/// broken escapes reach the server; `&`, `=` and `+` stay raw when asked.
fn encode(text: &str, raw_separators: bool) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'%' => {
                char::from(b).to_string()
            }
            b'&' | b'=' | b'+' if raw_separators => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn into_query(pairs: &[(String, String)], raw_separators: bool) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                encode(k, raw_separators),
                encode(v, raw_separators)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Any JSON, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        nasty_text().prop_map(Value::String),
        prop::sample::select(vec![
            "new",
            "qualified",
            "+15551234567",
            "jane@example.com",
            "call",
            " Jane ",
            "",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(nasty_text(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One field's value: mostly one the contract accepts, sometimes anything.
fn field_value(valid: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Value> {
    prop_oneof![8 => valid, 1 => any_json()].boxed()
}

/// Objects that look like leads: each of the contract's fields present or
/// not, valid mostly, and now and then a field the contract does not know.
fn lead_like_body() -> impl Strategy<Value = Value> {
    let text = |pattern: &'static str| pattern.prop_map(Value::String);
    let fields = (
        prop::option::weighted(0.9, field_value(text("[ ]?[A-Za-zÀ-ÿ' -]{1,40}"))),
        prop::option::of(field_value(prop_oneof![
            text("\\+[1-9][0-9]{1,14}"),
            Just(Value::Null)
        ])),
        prop::option::of(field_value(prop_oneof![
            text("[a-z0-9.]{1,10}@[a-z]{1,8}\\.[a-z]{2,4}"),
            Just(Value::Null)
        ])),
        prop::option::of(field_value(text("[a-z-]{1,20}"))),
        prop::option::of(field_value(
            prop::collection::vec("[a-zA-Z0-9 -]{1,12}", 0..5).prop_map(Value::from),
        )),
        prop::option::weighted(
            0.25,
            field_value(
                prop::sample::select(vec!["new", "contacted", "qualified", "converted"])
                    .prop_map(Value::from),
            ),
        ),
        prop::option::weighted(0.1, (nasty_text(), any_json())),
    );
    fields.prop_map(|(name, phone, email, source, tags, status, other)| {
        let mut body = Map::new();
        let named = [
            ("name", name),
            ("phone", phone),
            ("email", email),
            ("source", source),
            ("tags", tags),
            ("status", status),
        ];
        for (key, value) in named {
            if let Some(value) = value {
                body.insert(key.to_owned(), value);
            }
        }
        if let Some((key, value)) = other {
            body.insert(key, value);
        }
        Value::Object(body)
    })
}

/// A request body as bytes: JSON objects mostly, other JSON, or not JSON.
fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        12 => lead_like_body().prop_map(|v| v.to_string().into_bytes()),
        2 => any_json().prop_map(|v| v.to_string().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..64),
        1 => lead_like_body().prop_map(|v| {
            let mut bytes = v.to_string().into_bytes();
            bytes.truncate(bytes.len() / 2);
            bytes
        }),
    ]
}

fn content_type() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        4 => Just(Some("application/json")),
        1 => prop::sample::select(vec![
            Some("application/json; charset=utf-8"),
            Some("APPLICATION/JSON"),
            Some("text/plain"),
            Some("application/jsonx"),
            None,
        ]),
    ]
}

fn send_body(
    runtime: &Runtime,
    app: &TestApp,
    method: Method,
    uri: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Reply {
    let mut request = app.request(method, uri);
    if let Some(kind) = content_type {
        request = request.header(header::CONTENT_TYPE, kind);
    }
    runtime.block_on(app.send(request.body(Body::from(body)).expect("a request")))
}

/// Search texts of every length and script, phone numbers however
/// written, and what the demo leads' names and emails hold.
fn search_text() -> impl Strategy<Value = String> {
    let known = vec![
        "jane",
        "SMITH",
        "josé",
        "tomas",
        "FERNANDEZ",
        "Garcia",
        "example.com",
        "o'brien",
        "ÑÚ",
        "李",
        "\u{301}",
        "  ",
        "\u{0}55 50",
        "¥\u{0}¼Ä",
    ];
    prop_oneof![
        1 => "\\PC{1,3}",
        1 => "\\PC{4,110}",
        1 => "[ \t]{0,3}[a-zé.@+]{1,12}[ \t]{0,3}",
        1 => "[+(]?[0-9]{1,3}[) .-]{0,2}[0-9]{2,7}",
        4 => prop::sample::select(known).prop_map(str::to_owned),
    ]
}

/// Tags in any case, some the demo leads have.
fn tag_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "high-intent",
            "HIGH-INTENT",
            " Hvac-Repair ",
            "vip",
            "",
            "ä"
        ])
        .prop_map(str::to_owned),
        "\\PC{1,55}",
    ]
}

/// Every lead, read a page of 100 at a time.
async fn every_lead(app: &TestApp) -> Vec<Lead> {
    let mut all = Vec::new();
    for page in 1.. {
        let reply = app.get(&format!("/v1/leads?limit=100&page={page}")).await;
        let page: Page<Lead> = serde_json::from_value(reply.body).expect("a page");
        let done = page.data.len() < 100;
        all.extend(page.data);
        if done {
            return all;
        }
    }
    unreachable!()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 150,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// A search or tag lists exactly the leads leads-core's rule admits,
    /// with their exact total, or is a 400 naming the parameter.
    #[test]
    fn a_search_and_a_tag_list_exactly_what_the_rule_admits(
        q in proptest::option::weighted(0.8, search_text()),
        tags in proptest::collection::vec(tag_text(), 0..3),
        status in proptest::option::of(prop::sample::select(vec!["new", "contacted"])),
    ) {
        thread_local!(static APP: (Runtime, TestApp) = app());
        let mut pairs: Vec<(String, String)> = q.iter().map(|q| ("q".to_owned(), q.clone())).collect();
        pairs.extend(tags.iter().map(|t| ("tag".to_owned(), t.clone())));
        pairs.extend(status.iter().map(|s| ("status".to_owned(), (*s).to_owned())));
        // Encoded exactly (`%` too): the text sent is the text checked.
        let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
        let uri = format!("/v1/leads?limit=100&{query}");
        let (reply, all) = APP.with(|(runtime, app)| runtime.block_on(async { (app.get(&uri).await, every_lead(app).await) }));
        let q_ok = q.as_deref().is_none_or(|q| (1..=100).contains(&q.trim().chars().count()));
        let tag_ok = tags.len() <= 1 && tags.iter().all(|t| (1..=50).contains(&t.trim().chars().count()));
        if !(q_ok && tag_ok) {
            prop_assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}: {}", uri, reply.text);
            let param = if q_ok { "tag" } else { "q" };
            prop_assert_eq!(reply.param(), Some(param), "{}", uri);
            return Ok(());
        }
        prop_assert_eq!(reply.status, StatusCode::OK, "{}: {}", uri, reply.text);
        let search = q.as_deref().map(|q| leads_core::search::Search::new(q.trim()));
        let admitted: Vec<String> = all
            .into_iter()
            .filter(|l| search.as_ref().is_none_or(|s| s.matches(&l.name, l.phone.as_deref(), l.email.as_deref())))
            .filter(|l| tags.first().is_none_or(|t| leads_core::validate::contains_tag(&l.tags, t.trim())))
            .filter(|l| status.is_none_or(|s| l.status.as_str() == s))
            .map(|l| l.id)
            .collect();
        let page: Page<Lead> = serde_json::from_value(reply.body.clone()).expect("a page");
        let listed: Vec<String> = page.data.into_iter().map(|l| l.id).collect();
        prop_assert_eq!(page.meta.total, admitted.len() as u64, "{}", uri);
        prop_assert_eq!(listed, admitted.into_iter().take(100).collect::<Vec<_>>(), "{}", uri);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 400,
        // A failure prints its case; nothing is written into the tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_list_query_gets_a_page_or_a_400_naming_a_parameter(
        pairs in prop::collection::vec((list_key(), list_value()), 0..6),
        raw_separators in any::<bool>(),
    ) {
        thread_local!(static APP: (Runtime, TestApp) = app());
        let uri = format!("/v1/leads?{}", into_query(&pairs, raw_separators));
        prop_assume!(uri.parse::<axum::http::Uri>().is_ok());
        let reply = APP.with(|(runtime, app)| runtime.block_on(app.get(&uri)));
        match reply.status {
            StatusCode::OK => {
                let page: Page<Lead> = serde_json::from_value(reply.body.clone())
                    .unwrap_or_else(|e| panic!("{uri}: not a page ({e}): {}", reply.text));
                prop_assert!(page.data.len() <= page.meta.limit as usize);
            }
            StatusCode::BAD_REQUEST => {
                assert_contract_error(&reply);
                prop_assert!(reply.param().is_some(), "{uri}: no param in {}", reply.text);
            }
            other => prop_assert!(false, "{uri}: {other} {}", reply.text),
        }
    }

    #[test]
    fn any_create_body_is_stored_whole_or_refused_in_the_contract_format(
        body in body_bytes(),
        kind in content_type(),
    ) {
        thread_local!(static APP: (Runtime, TestApp) = app());
        APP.with(|(runtime, app)| -> Result<(), TestCaseError> {
            let reply = send_body(runtime, app, Method::POST, "/v1/leads", kind, body);
            match reply.status {
                StatusCode::CREATED => {
                    let lead: Lead = serde_json::from_value(reply.body.clone())
                        .unwrap_or_else(|e| panic!("not a lead ({e}): {}", reply.text));
                    let stored = runtime.block_on(app.get(&format!("/v1/leads/{}", lead.id)));
                    prop_assert_eq!(stored.body, reply.body);
                }
                StatusCode::BAD_REQUEST | StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                    assert_contract_error(&reply);
                }
                other => prop_assert!(false, "{other} {}", reply.text),
            }
            Ok(())
        })?;
    }

    #[test]
    fn any_update_body_changes_the_lead_or_nothing(
        body in body_bytes(),
        kind in content_type(),
        target in prop_oneof![
            3 => (1u32..=30).prop_map(|n| format!("lead_{n:03}")),
            1 => nasty_text(),
        ],
    ) {
        thread_local!(static APP: (Runtime, TestApp) = app());
        let path = format!("/v1/leads/{}", encode(&target, false));
        APP.with(|(runtime, app)| -> Result<(), TestCaseError> {
            let before = runtime.block_on(app.get(&path));
            let reply = send_body(runtime, app, Method::PATCH, &path, kind, body);
            let after = runtime.block_on(app.get(&path));
            match reply.status {
                StatusCode::OK => prop_assert_eq!(&after.body, &reply.body),
                StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND | StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                    assert_contract_error(&reply);
                    prop_assert_eq!(&after.body, &before.body, "a refused update changed the lead");
                }
                other => prop_assert!(false, "{other} {}", reply.text),
            }
            Ok(())
        })?;
    }

    #[test]
    fn any_path_or_method_under_v1_answers_in_the_contract_format(
        segments in prop::collection::vec(nasty_text(), 0..4),
        method in prop::sample::select(vec![
            Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE,
            Method::HEAD, Method::OPTIONS,
        ]),
    ) {
        thread_local!(static APP: (Runtime, TestApp) = app());
        let path: String = segments
            .iter()
            .map(|s| format!("/{}", encode(s, false)))
            .collect();
        let uri = format!("/v1{path}");
        prop_assume!(uri.parse::<axum::http::Uri>().is_ok());
        let reply = APP.with(|(runtime, app)| {
            send_body(runtime, app, method.clone(), &uri, Some("application/json"), b"{}".to_vec())
        });
        prop_assert!(reply.status.as_u16() < 500, "{method} {uri}: {} {}", reply.status, reply.text);
        if !reply.status.is_success() && method != Method::HEAD {
            assert_contract_error(&reply);
        }
    }
}
