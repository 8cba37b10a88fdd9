//! Every row of `shared/leads-api.md`, checked against the real router on a
//! real SQLite file.

mod support;

use std::cmp::Ordering;

use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use serde_json::{json, Value};
use support::{capture_logs, captured_log, LeadBuilder, Options, TestApp};

async fn demo(count: u32) -> TestApp {
    TestApp::with(Options {
        demo_leads: count,
        ..Options::default()
    })
    .await
}

fn seq(lead: &Value) -> u64 {
    lead["id"].as_str().unwrap()["lead_".len()..]
        .parse()
        .unwrap()
}

/// The contract's total order, written out independently of the server.
fn expected_order(leads: &[Value], sort: &str) -> Vec<String> {
    let (desc, field) = match sort.strip_prefix('-') {
        Some(field) => (true, field),
        None => (false, sort),
    };
    let rank = |s: &str| {
        ["new", "contacted", "qualified", "converted"]
            .iter()
            .position(|x| *x == s)
    };
    let mut sorted = leads.to_vec();
    sorted.sort_by(|a, b| {
        let primary = match field {
            "score" => match (a["score"].as_u64(), b["score"].as_u64()) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => return Ordering::Greater,
                (Some(_), None) => return Ordering::Less,
                (Some(x), Some(y)) => x.cmp(&y),
            },
            "name" => a["name"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .cmp(&b["name"].as_str().unwrap().to_lowercase()),
            "status" => {
                rank(a["status"].as_str().unwrap()).cmp(&rank(b["status"].as_str().unwrap()))
            }
            _ => a[field].as_str().unwrap().cmp(b[field].as_str().unwrap()),
        };
        let order = primary.then(seq(a).cmp(&seq(b)));
        if desc {
            order.reverse()
        } else {
            order
        }
    });
    sorted
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn default_list_is_newest_first_twenty_with_meta() {
    let app = demo(45).await;
    let reply = app.get("/v1/leads").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.body["meta"],
        json!({"page": 1, "limit": 20, "total": 45})
    );
    let all = app.all().await;
    assert_eq!(reply.ids(), expected_order(&all, "-created_at")[..20]);
    let lead = &reply.body["data"][0];
    for field in [
        "id",
        "name",
        "phone",
        "email",
        "status",
        "source",
        "score",
        "tags",
        "created_at",
        "updated_at",
    ] {
        assert!(lead.get(field).is_some(), "{field} missing from {lead}");
    }
}

#[tokio::test]
async fn every_sort_field_in_both_directions_has_a_total_order() {
    let app = demo(60).await;
    for name in ["ana lopez", "Ana Lopez", "ÁNGEL", "zoe", "ANA LOPEZ"] {
        assert_eq!(
            app.post(LeadBuilder::new(name).build()).await.status,
            StatusCode::CREATED
        );
    }
    app.patch("lead_061", json!({"status": "converted"})).await;
    let all = app.all().await;
    for field in ["created_at", "updated_at", "name", "score", "status"] {
        for sort in [field.to_owned(), format!("-{field}")] {
            let reply = app.get(&format!("/v1/leads?sort={sort}&limit=100")).await;
            assert_eq!(reply.status, StatusCode::OK, "{sort}");
            assert_eq!(reply.ids(), expected_order(&all, &sort), "sort={sort}");
        }
    }
}

#[tokio::test]
async fn null_scores_sort_last_in_both_directions() {
    let app = demo(30).await;
    // Leads created through the API have no score yet, so nulls exist.
    for name in ["Unscored One", "Unscored Two"] {
        app.post(LeadBuilder::new(name).build()).await;
    }
    for sort in ["score", "-score"] {
        let reply = app.get(&format!("/v1/leads?sort={sort}&limit=100")).await;
        let scores: Vec<Option<u64>> = reply.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["score"].as_u64())
            .collect();
        let first_null = scores
            .iter()
            .position(Option::is_none)
            .unwrap_or(scores.len());
        assert!(
            scores[first_null..].iter().all(Option::is_none),
            "{sort}: {scores:?}"
        );
        assert!(
            first_null > 0 && scores.len() - first_null >= 2,
            "{sort}: both scored and null scores are in the list: {scores:?}"
        );
    }
}

#[tokio::test]
async fn each_filter_returns_only_matching_leads_with_true_total() {
    let app = demo(120).await;
    let all = app.all().await;
    for status in ["new", "contacted", "qualified", "converted"] {
        let reply = app
            .get(&format!("/v1/leads?status={status}&limit=100"))
            .await;
        let expected: Vec<&Value> = all.iter().filter(|l| l["status"] == status).collect();
        assert_eq!(reply.body["meta"]["total"], expected.len(), "{status}");
        assert!(reply.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["status"] == status));
    }
    for source in ["call", "sms", "form", "facebook", "google"] {
        let reply = app
            .get(&format!("/v1/leads?source={source}&status=new&limit=100"))
            .await;
        let expected = all
            .iter()
            .filter(|l| l["source"] == source && l["status"] == "new")
            .count();
        assert_eq!(reply.body["meta"]["total"], expected, "{source}");
        assert!(reply.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["source"] == source));
    }
}

#[tokio::test]
async fn paging_never_repeats_or_skips_and_past_the_end_is_empty() {
    let app = demo(50).await;
    let mut seen = Vec::new();
    for page in 1..=8 {
        let reply = app
            .get(&format!("/v1/leads?limit=7&page={page}&sort=-score"))
            .await;
        assert_eq!(
            reply.body["meta"],
            json!({"page": page, "limit": 7, "total": 50})
        );
        seen.extend(reply.ids());
    }
    assert_eq!(seen, expected_order(&app.all().await, "-score"));
    let past = app.get("/v1/leads?page=1000000").await;
    assert_eq!(past.status, StatusCode::OK);
    assert_eq!(past.body["data"], json!([]));
    assert_eq!(past.body["meta"]["total"], 50);
}

#[tokio::test]
async fn invalid_list_parameters_are_400_naming_the_parameter() {
    let app = demo(3).await;
    for (query, param) in [
        ("status=NEW", "status"),
        ("status=", "status"),
        ("source=manual", "source"),
        ("sort=email", "sort"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=abc", "limit"),
        ("page=0", "page"),
        ("page=1000001", "page"),
        ("page=-1", "page"),
        ("page=1&page=2", "page"),
        ("status=new&status=new", "status"),
        ("q=", "q"),
        ("q=%20%09", "q"),
        ("q=a&q=b", "q"),
        ("tag=", "tag"),
        ("tag=vip&tag=VIP", "tag"),
    ] {
        let reply = app.get(&format!("/v1/leads?{query}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(reply.body["error"]["type"], "invalid_request");
        assert_eq!(reply.param(), Some(param), "{query}");
    }
    let ok = app
        .get("/v1/leads?unknown=1&status=new&limit=100&page=1000000")
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let long = format!("/v1/leads?q={}", "x".repeat(101));
    assert_eq!(app.get(&long).await.param(), Some("q"));
    let long = format!("/v1/leads?tag={}", "x".repeat(51));
    assert_eq!(app.get(&long).await.param(), Some("tag"));
}

#[tokio::test]
async fn a_search_and_a_tag_page_through_their_matches_with_exact_totals() {
    let app = TestApp::new().await;
    for (name, phone, email, tags) in [
        (
            "José Núñez",
            json!("+15550102030"),
            json!("jose@example.com"),
            json!(["VIP"]),
        ),
        (
            "Josie Park",
            Value::Null,
            json!("josie+leads@example.org"),
            json!(["vip", "hvac"]),
        ),
        ("Bo Jost", json!("+442071234567"), Value::Null, json!([])),
    ] {
        let reply = app
            .post(json!({"name": name, "phone": phone, "email": email, "tags": tags}))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    }
    let names = |reply: &support::Reply| -> Vec<String> {
        reply.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = app.get("/v1/leads?q=JOS&sort=name&limit=2").await;
    // Names sort by their lowercase, by code point: é after i.
    assert_eq!(names(&first), ["Bo Jost", "Josie Park"]);
    assert_eq!(
        first.body["meta"],
        json!({"page": 1, "limit": 2, "total": 3})
    );
    let second = app.get("/v1/leads?q=JOS&sort=name&limit=2&page=2").await;
    assert_eq!(names(&second), ["José Núñez"]);
    assert_eq!(
        names(&app.get("/v1/leads?q=%2B1%20(555)%20010").await),
        ["José Núñez"]
    );
    assert_eq!(
        names(&app.get("/v1/leads?q=josie%2Bleads").await),
        ["Josie Park"]
    );
    let tagged = app.get("/v1/leads?tag=Vip&sort=name").await;
    assert_eq!(names(&tagged), ["Josie Park", "José Núñez"]);
    let both = app.get("/v1/leads?tag=VIP&q=park&status=new").await;
    assert_eq!(
        (names(&both), both.body["meta"]["total"].clone()),
        (vec!["Josie Park".to_owned()], json!(1))
    );
    let none = app.get("/v1/leads?q=nobody").await;
    assert_eq!(
        (none.status, none.body["meta"]["total"].clone()),
        (StatusCode::OK, json!(0))
    );
}

#[tokio::test]
async fn create_normalises_and_stores_the_lead() {
    let app = TestApp::new().await;
    let reply = app
        .post(
            LeadBuilder::new("  John Doe ")
                .phone("+15559876543")
                .email(" john@example.com")
                .source("crm-import")
                .tags(["hvac-repair", "HVAC-Repair", " vip "])
                .build(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.headers[header::LOCATION], "/v1/leads/lead_001");
    let lead = &reply.body;
    assert_eq!(lead["id"], "lead_001");
    assert_eq!(lead["name"], "John Doe");
    assert_eq!(lead["email"], "john@example.com");
    assert_eq!(lead["tags"], json!(["hvac-repair", "vip"]));
    assert_eq!(lead["status"], "new");
    assert_eq!(lead["score"], Value::Null);
    assert_eq!(lead["created_at"], lead["updated_at"]);
    let stored = app.get("/v1/leads/lead_001").await;
    assert_eq!(&stored.body, lead);
    assert_eq!(app.get("/v1/leads").await.ids(), ["lead_001"]);
}

#[tokio::test]
async fn create_defaults_source_to_manual_and_accepts_nulls() {
    let app = TestApp::new().await;
    let reply = app
        .post(
            json!({"name": "Walk In", "phone": null, "email": null, "source": null, "tags": null}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.body["source"], "manual");
    assert_eq!(reply.body["tags"], json!([]));
    assert_eq!(reply.body["phone"], Value::Null);
}

#[tokio::test]
async fn ids_count_past_999() {
    let app = demo(999).await;
    let reply = app.post(LeadBuilder::new("Number 1000").build()).await;
    assert_eq!(reply.body["id"], "lead_1000");
    assert_eq!(app.get("/v1/leads?limit=1").await.ids(), ["lead_1000"]);
    assert_eq!(
        app.get("/v1/leads?sort=created_at&limit=1&page=1000")
            .await
            .ids(),
        ["lead_1000"]
    );
}

#[tokio::test]
async fn every_create_validation_error_names_its_field() {
    let app = TestApp::new().await;
    let long = "x".repeat(201);
    let tags: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
    for (body, param) in [
        (json!({}), "name"),
        (json!({"name": "  "}), "name"),
        (json!({"name": long}), "name"),
        (json!({"name": 7}), "name"),
        (json!({"name": "A", "phone": "555-0100"}), "phone"),
        (json!({"name": "A", "phone": ""}), "phone"),
        (json!({"name": "A", "email": "a@b"}), "email"),
        (json!({"name": "A", "email": "a@.com"}), "email"),
        (json!({"name": "A", "source": ""}), "source"),
        (json!({"name": "A", "source": "x".repeat(65)}), "source"),
        (json!({"name": "A", "tags": ["ok", ""]}), "tags"),
        (json!({"name": "A", "tags": ["x".repeat(51)]}), "tags"),
        (json!({"name": "A", "tags": tags}), "tags"),
        (json!({"name": "A", "tags": "vip"}), "tags"),
        (json!({"name": "A", "status": "new"}), "status"),
        (json!({"name": "A", "score": 5}), "score"),
        (
            json!({"name": "", "phone": "1", "nickname": "x"}),
            "nickname",
        ),
        (json!({"email": "bad", "phone": "bad"}), "name"),
        (
            json!({"name": "A", "tags": [""], "email": "bad", "phone": "bad"}),
            "phone",
        ),
    ] {
        let reply = app.post(body.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.param(), Some(param), "{body}");
        assert!(!reply.body["error"]["message"].as_str().unwrap().is_empty());
    }
    assert_eq!(
        app.get("/v1/leads").await.body["meta"]["total"],
        0,
        "nothing was stored"
    );
}

#[tokio::test]
async fn the_contracts_example_error_body_is_exact() {
    let app = TestApp::new().await;
    let reply = app.post(json!({"name": "A", "phone": "12"})).await;
    assert_eq!(
        reply.body,
        json!({"error": {"type": "invalid_request",
            "message": "phone must be in E.164 format, e.g. +15551234567", "param": "phone"}})
    );
}

#[tokio::test]
async fn patch_changes_only_what_is_sent_and_null_clears_contacts() {
    let app = TestApp::new().await;
    let created = app
        .post(
            LeadBuilder::new("Jane")
                .phone("+15551234567")
                .email("jane@example.com")
                .tags(["a", "b"])
                .build(),
        )
        .await
        .body;
    let reply = app
        .patch(
            "lead_001",
            json!({"status": "qualified", "phone": null, "tags": ["C", "c"]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let lead = reply.body;
    assert_eq!(lead["status"], "qualified");
    assert_eq!(lead["phone"], Value::Null);
    assert_eq!(lead["tags"], json!(["C"]));
    assert_eq!(lead["email"], created["email"]);
    assert_eq!(lead["name"], created["name"]);
    assert!(lead["updated_at"].as_str() >= created["updated_at"].as_str());
    assert_eq!(app.get("/v1/leads/lead_001").await.body, lead);
    let back = app.patch("lead_001", json!({"status": "new"})).await;
    assert_eq!(
        back.body["status"], "new",
        "any status may follow any other"
    );
}

#[tokio::test]
async fn patch_validation_errors_and_unknown_ids() {
    let app = TestApp::new().await;
    app.post(LeadBuilder::new("Jane").build()).await;
    let empty = app.patch("lead_001", json!({})).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert_eq!(empty.body["error"]["type"], "invalid_request");
    for (body, param) in [
        (json!({"name": null}), "name"),
        (json!({"status": null}), "status"),
        (json!({"status": "lost"}), "status"),
        (json!({"tags": null}), "tags"),
        (json!({"source": "x"}), "source"),
        (json!({"id": "lead_9"}), "id"),
        (json!({"email": "nope", "status": "nope"}), "email"),
    ] {
        let reply = app.patch("lead_001", body.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.param(), Some(param), "{body}");
    }
    let missing = app.patch("lead_999", json!({"status": "new"})).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.body["error"]["type"], "not_found");
    let invalid_and_missing = app.patch("lead_999", json!({"status": "nope"})).await;
    assert_eq!(
        invalid_and_missing.status,
        StatusCode::BAD_REQUEST,
        "validation comes before the id"
    );
    assert_eq!(
        app.get("/v1/leads/lead_01").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/v1/leads/lead_001").await.body["status"],
        "new",
        "nothing changed"
    );
}

#[tokio::test]
async fn transport_errors_in_contract_order() {
    let app = TestApp::new().await;
    let unknown = app.get("/v1/nothing").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.body["error"]["type"], "not_found");

    let method = app
        .send(
            app.request(Method::DELETE, "/v1/leads")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(method.body["error"]["type"], "method_not_allowed");

    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(70 * 1024));
    let too_large = app
        .send(
            app.request(Method::POST, "/v1/leads")
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Body::from(huge))
                .unwrap(),
        )
        .await;
    assert_eq!(
        too_large.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "size is checked before content type"
    );
    assert_eq!(too_large.body["error"]["type"], "payload_too_large");

    let text = app
        .send(
            app.request(Method::POST, "/v1/leads")
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(text.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(text.body["error"]["type"], "unsupported_media_type");
    let none = app
        .send(
            app.request(Method::PATCH, "/v1/leads/lead_001")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(none.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    for bad in ["{", "[]", "\"name\"", "null"] {
        let reply = app
            .send(
                app.request(Method::POST, "/v1/leads")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(bad))
                    .unwrap(),
            )
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(reply.param(), None);
    }

    let charset = app
        .send(
            app.request(Method::POST, "/v1/leads")
                .header(header::CONTENT_TYPE, "Application/JSON; charset=utf-8")
                .body(Body::from(r#"{"name":"Ünïcode"}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(charset.status, StatusCode::CREATED);
}

#[tokio::test]
async fn api_key_guards_v1_only_and_comes_first() {
    let app = TestApp::with(Options {
        api_key: Some("s3cret"),
        demo_leads: 5,
        ..Options::default()
    })
    .await;
    let bare = |method: Method, uri: &str| {
        axum::http::Request::builder()
            .method(method)
            .uri(uri.to_owned())
    };

    let missing = app
        .send(bare(Method::GET, "/v1/leads").body(Body::empty()).unwrap())
        .await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.headers[header::WWW_AUTHENTICATE], "Bearer");
    assert_eq!(missing.body["error"]["type"], "unauthorized");

    let wrong = app
        .send(
            bare(Method::GET, "/v1/nothing")
                .header(header::AUTHORIZATION, "Bearer nope")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "401 before 404");
    let root = app
        .send(bare(Method::POST, "/v1/").body(Body::empty()).unwrap())
        .await;
    assert_eq!(
        root.status,
        StatusCode::UNAUTHORIZED,
        "/v1/ is the API's too"
    );

    let in_url = app
        .send(
            bare(Method::GET, "/v1/leads?api_key=s3cret&key=s3cret")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        in_url.status,
        StatusCode::UNAUTHORIZED,
        "the key is never accepted in the URL"
    );

    let lower = app
        .send(
            bare(Method::GET, "/v1/leads")
                .header(header::AUTHORIZATION, "bearer s3cret")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(lower.status, StatusCode::OK);
    assert_eq!(app.get("/v1/leads").await.body["meta"]["total"], 5);

    let config = app
        .send(
            bare(Method::GET, "/config.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        config.body,
        json!({"api_base": "/v1", "auth": "bearer", "idempotency_keys": true, "search": true})
    );
    let page = app
        .send(bare(Method::GET, "/").body(Body::empty()).unwrap())
        .await;
    assert_eq!(
        page.status,
        StatusCode::OK,
        "the console itself needs no key"
    );
}

#[tokio::test]
async fn console_is_served_with_spa_fallback_and_open_config() {
    let app = TestApp::new().await;
    assert_eq!(
        app.get("/config.json").await.body,
        json!({"api_base": "/v1", "auth": "none", "idempotency_keys": true, "search": true})
    );
    for path in ["/", "/leads?status=new", "/some/deep/link"] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(reply.text.contains("<title>Leads</title>"), "{path}");
    }
}

#[tokio::test]
async fn stored_rows_survive_a_restart() {
    let app = TestApp::new().await;
    app.post(LeadBuilder::new("Durable").tags(["kept"]).build())
        .await;
    // The first server, and its connection, go away before the reopen.
    let dir = app.into_dir();
    let database = support::open(&support::postgres::location_in(dir.path())).await;
    let reopened = leads_server::store::Store::new(&database).unwrap();
    let lead = reopened.get("lead_001").await.unwrap().unwrap();
    assert_eq!(
        (lead.name.as_str(), lead.tags.as_slice()),
        ("Durable", &["kept".to_string()][..])
    );
}

/// `POST /v1/leads` with an `Idempotency-Key`.
async fn create_with_key(app: &TestApp, key: &str, body: &Value) -> support::Reply {
    app.send(
        app.request(Method::POST, "/v1/leads")
            .header(header::CONTENT_TYPE, "application/json")
            .header("idempotency-key", key)
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_create_repeated_with_its_idempotency_key_gets_the_first_answer() {
    let app = TestApp::new().await;
    let mut events = app.events.subscribe(None).await.live;
    let lead = LeadBuilder::new("Once Only").phone("+15550100300").build();
    let first = create_with_key(&app, "c0ffee-1", &lead).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let again = create_with_key(&app, "c0ffee-1", &lead).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.text, first.text, "the same body");
    assert_eq!(
        again.headers[header::LOCATION],
        first.headers[header::LOCATION]
    );
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert!(!first.headers.contains_key("idempotent-replayed"));
    assert_eq!(app.all().await.len(), 1, "one lead, not two");
    // A create after the repeat: the event after the first is its.
    let marker = app.post(LeadBuilder::new("Marker").build()).await;
    assert_eq!(
        next_event(&mut events).await.name,
        "lead.created",
        "the create was announced"
    );
    let after = next_event(&mut events).await;
    assert!(
        after.data.contains(marker.body["id"].as_str().unwrap()),
        "the repeat was not"
    );

    let other = create_with_key(&app, "c0ffee-1", &LeadBuilder::new("Someone Else").build()).await;
    assert_eq!(other.status, StatusCode::CONFLICT, "{}", other.text);
    assert_eq!(other.body["error"]["type"], "idempotency_conflict");

    // Without a key, or with another, each create is its own.
    let second = create_with_key(&app, "c0ffee-2", &lead).await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert_ne!(second.body["id"], first.body["id"]);
    assert_eq!(app.post(lead.clone()).await.status, StatusCode::CREATED);
    assert_eq!(app.all().await.len(), 4);

    for bad in ["", "has space", "naïve", &"k".repeat(256)] {
        let reply = app
            .send(
                app.request(Method::POST, "/v1/leads")
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(
                        "idempotency-key",
                        axum::http::HeaderValue::from_bytes(bad.as_bytes()).unwrap(),
                    )
                    .body(Body::from(lead.to_string()))
                    .unwrap(),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad:?}: {}",
            reply.text
        );
        assert_eq!(reply.param(), Some("Idempotency-Key"), "{bad:?}");
    }
    assert_eq!(app.all().await.len(), 4, "a refused key made nothing");
}

#[tokio::test]
async fn a_failed_create_frees_its_key_and_kept_keys_survive_a_restart() {
    let app = TestApp::new().await;
    let invalid = create_with_key(&app, "k-7", &json!({"name": "Fix Me", "phone": "555"})).await;
    assert_eq!(invalid.param(), Some("phone"));
    let fixed = LeadBuilder::new("Fix Me").phone("+15550100301").build();
    let created = create_with_key(&app, "k-7", &fixed).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);

    let dir = app.into_dir();
    let restarted = TestApp::reopen(dir).await;
    let again = create_with_key(&restarted, "k-7", &fixed).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body["id"], created.body["id"]);
    assert_eq!(restarted.all().await.len(), 1);
}

#[tokio::test]
async fn successful_creates_and_changing_updates_are_announced_once_each() {
    let app = TestApp::new().await;
    let mut events = app.events.subscribe(None).await.live;
    let created = app.post(json!({"name": "Event Lead"})).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let rejected = app.patch(&id, json!({"status": "won"})).await;
    assert_eq!(rejected.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.patch("lead_999", json!({"status": "contacted"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let updated = app
        .patch(&id, json!({"status": "contacted", "name": "Event Lead"}))
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    let unchanged = app.patch(&id, json!({"status": "contacted"})).await;
    assert_eq!(unchanged.status, StatusCode::OK);
    app.get(&format!("/v1/leads/{id}")).await;
    // A last change: the event after the update is its.
    app.patch(&id, json!({"name": "Marker"})).await;

    let first = next_event(&mut events).await;
    let data: Value = serde_json::from_str(&first.data).unwrap();
    assert_eq!(first.name, "lead.created");
    assert_eq!(
        (data["id"].as_str(), data["name"].as_str()),
        (Some(id.as_str()), Some("Event Lead"))
    );
    let second = next_event(&mut events).await;
    assert_eq!(second.name, "lead.updated");
    assert_eq!(second.id, first.id + 1);
    let data: Value = serde_json::from_str(&second.data).unwrap();
    assert_eq!(data["id"], json!(id));
    assert_eq!(
        data["fields"],
        json!(["status"]),
        "the name was sent but did not change"
    );
    assert_eq!(data["lead"]["status"], "contacted");
    let last = next_event(&mut events).await;
    assert_eq!(
        (last.id, last.data.contains("\"fields\":[\"name\"]")),
        (second.id + 1, true),
        "failed writes, unchanged updates and reads announce nothing"
    );
}

/// The next event a subscription hears (the server follows its log in a
/// task of its own, so it comes soon after the write, not with it).
async fn next_event(
    events: &mut tokio::sync::broadcast::Receiver<std::sync::Arc<leads_server::event::Numbered>>,
) -> std::sync::Arc<leads_server::event::Numbered> {
    tokio::time::timeout(std::time::Duration::from_secs(5), events.recv())
        .await
        .expect("an event within 5 s")
        .expect("an event")
}

#[cfg(not(feature = "test-faults"))]
#[tokio::test]
async fn a_normal_build_has_no_test_routes() {
    let app = TestApp::new().await;
    let requests = app.get("/_test/requests").await;
    assert!(
        !requests.text.trim_start().starts_with('['),
        "no request recorder: {}",
        requests.text
    );
    let fault = app
        .send_json(Method::POST, "/_test/faults", &json!({"matches": "GET"}))
        .await;
    assert_ne!(fault.status, StatusCode::NO_CONTENT, "no fault injector");
    assert_eq!(app.get("/v1/leads").await.status, StatusCode::OK);
}

#[tokio::test]
async fn routes_and_ids_the_api_cannot_know_get_its_json_errors() {
    let app = demo(3).await;
    for method in [Method::GET, Method::POST, Method::DELETE] {
        let reply = app
            .send(
                app.request(method.clone(), "/v1/")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} /v1/");
        assert_eq!(reply.body["error"]["type"], "not_found", "{method} /v1/");
    }
    // %FF decodes to no UTF-8: no lead can have that id.
    let reply = app.get("/v1/leads/%FF").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text);
    assert_eq!(reply.body["error"]["type"], "not_found");
    let invalid = app.patch("%FF", json!({"status": "won"})).await;
    assert_eq!(invalid.param(), Some("status"), "the body is checked first");
    let valid = app.patch("%FF", json!({"status": "contacted"})).await;
    assert_eq!(valid.status, StatusCode::NOT_FOUND, "{}", valid.text);
    // Ids outside leads-core's shape name no lead, and are not echoed.
    for id in [
        "lead_001%2F..",
        "..%2Flead_001",
        "lead.001",
        "-lead",
        &"a".repeat(129),
    ] {
        for reply in [
            app.get(&format!("/v1/leads/{id}")).await,
            app.patch(id, json!({"status": "contacted"})).await,
        ] {
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{id}: {}", reply.text);
            assert!(!reply.text.contains(id), "{id} echoed: {}", reply.text);
        }
    }
    let longest = "a".repeat(128);
    let reply = app.get(&format!("/v1/leads/{longest}")).await;
    assert!(
        reply.text.contains(&longest),
        "an id of the right shape is named: {}",
        reply.text
    );
}

#[tokio::test]
async fn a_storage_failure_is_a_500_that_reveals_nothing_and_is_logged() {
    capture_logs();
    let app = demo(3).await;
    // The table vanishes under the running server.
    let missing = support::postgres::drop_leads(app.dir.path()).await;
    let replies = [
        app.get("/v1/leads").await,
        app.get("/v1/leads/lead_001").await,
        app.post(LeadBuilder::new("Ada").build()).await,
    ];
    for reply in replies {
        assert_eq!(
            reply.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{}",
            reply.text
        );
        assert_eq!(
            reply.body,
            json!({"error": {"type": "internal",
                "message": "The server could not complete the request. Try again in a moment."}}),
            "the body says what to do and nothing of the database"
        );
    }
    assert!(
        captured_log().contains(missing),
        "the operator's log has the cause"
    );
}

#[tokio::test]
async fn filtered_totals_follow_every_create_and_update() {
    let app = demo(30).await;
    let total = |query: &'static str| {
        let app = &app;
        async move { app.get(&format!("/v1/leads?{query}")).await.body["meta"]["total"].clone() }
    };
    let new = total("status=new").await.as_u64().unwrap();
    let contacted = total("status=contacted&source=call")
        .await
        .as_u64()
        .unwrap();
    let all = total("").await.as_u64().unwrap();
    let contacted_all = total("status=contacted").await.as_u64().unwrap();

    let created = app.post(LeadBuilder::new("Counted Once").build()).await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(total("status=new").await, json!(new + 1), "a create counts");
    assert_eq!(total("").await, json!(all + 1));
    app.patch(&id, json!({"status": "contacted"})).await;
    assert_eq!(total("status=new").await, json!(new), "an update moves it");
    assert_eq!(
        total("status=contacted&source=call").await,
        json!(contacted),
        "a manual lead is not a call"
    );
    assert_eq!(total("status=contacted").await, json!(contacted_all + 1));
}
