//! The store's behaviour, on SQLite or (with `LEADS_TEST_DATABASE=postgres`)
//! PostgreSQL: ids, search and tags, written and read through `Store`.

mod support;

use leads_core::search::Search;
use leads_core::{Lead, LeadPatch, ListQuery, NewLead};
use leads_server::store::{Adopted, Store};

/// The names a view lists, in order, and its total.
async fn names(store: &Store, query: &str) -> (Vec<String>, u64) {
    let query = ListQuery::from_query_string(query).unwrap();
    let (leads, total) = store.list(&query).await.unwrap();
    (leads.into_iter().map(|l| l.name).collect(), total)
}

/// A store on a new database of the engine under test.
async fn store_in(dir: &tempfile::TempDir) -> Store {
    let database = support::open(&support::postgres::location_for(dir.path()).await).await;
    Store::new(&database).unwrap()
}

fn new_lead(name: &str) -> NewLead {
    NewLead {
        name: name.into(),
        ..NewLead::default()
    }
}

#[tokio::test]
async fn a_webhook_lead_keeps_its_id_and_minting_passes_over_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir).await;
    let first = store.create(new_lead("First")).await.unwrap();
    assert_eq!(first.id, "lead_001");
    let vendor = new_lead("Caller").into_lead("lead_002".into(), "2026-11-26T10:00:00Z");
    assert_eq!(
        store.adopt(vendor.clone(), "ev_1").await.unwrap(),
        Adopted::Stored
    );
    assert_eq!(
        store.adopt(vendor.clone(), "ev_1").await.unwrap(),
        Adopted::Duplicate,
        "the same delivery twice"
    );
    assert_eq!(
        store.adopt(vendor, "ev_2").await.unwrap(),
        Adopted::LeadExists,
        "the same id in another delivery"
    );
    let third = store.create(new_lead("Third")).await.unwrap();
    assert_eq!(third.id, "lead_003");
    let odd = new_lead("Odd").into_lead("ld-9f/2".into(), "2026-11-26T10:00:00Z");
    assert_eq!(store.adopt(odd, "ev_3").await.unwrap(), Adopted::Stored);
    assert_eq!(store.get("ld-9f/2").await.unwrap().unwrap().name, "Odd");
    assert_eq!(store.get("lead_002").await.unwrap().unwrap().name, "Caller");
    let (leads, total) = store.list(&ListQuery::default()).await.unwrap();
    let names: Vec<&str> = leads.iter().map(|l| l.name.as_str()).collect();
    assert_eq!((names, total), (vec!["Third", "First", "Odd", "Caller"], 4));
}

fn lead(name: &str, phone: Option<&str>, email: Option<&str>, tags: &[&str]) -> NewLead {
    NewLead {
        name: name.into(),
        phone: phone.map(Into::into),
        email: email.map(Into::into),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        ..NewLead::default()
    }
}

async fn search_store(dir: &tempfile::TempDir) -> Store {
    let store = store_in(dir).await;
    for new in [
        lead(
            "José Núñez",
            Some("+15550102030"),
            Some("jose@example.com"),
            &["VIP", "hvac"],
        ),
        lead("Josephine Ng", Some("+442071234567"), None, &["vip"]),
        lead("Agent 007", None, Some("Ann+Leads@Example.com"), &[]),
        lead(
            "Łukasz Żółć",
            Some("+48501234567"),
            Some("lz@example.pl"),
            &["Ärger"],
        ),
        lead("Ann Lee", None, None, &["hvac"]),
    ] {
        store.create(new).await.unwrap();
    }
    store
}

#[tokio::test]
async fn a_search_matches_names_and_emails_folded_and_phones_by_digits() {
    let dir = tempfile::tempdir().unwrap();
    let store = search_store(&dir).await;
    let cases: [(&str, &[&str]); 14] = [
        ("q=jose", &["José Núñez", "Josephine Ng"]),
        ("q=JOSÉ", &["José Núñez", "Josephine Ng"]),
        ("q=nu%C3%B1ez", &["José Núñez"]),
        ("q=lodz", &[]),
        ("q=zolc", &["Łukasz Żółć"]),
        ("q=(555)%20010-20", &["José Núñez"]),
        ("q=555.010.2030", &["José Núñez"]),
        ("q=%2B44%2020%207123", &["Josephine Ng"]),
        ("q=007", &["Agent 007"]),
        ("q=ann%2Bleads", &["Agent 007"]),
        ("q=example.com", &["Agent 007", "José Núñez"]),
        ("q=ng", &["Josephine Ng"]),
        ("q=%22", &[]),
        (
            "q=a",
            &["Ann Lee", "Łukasz Żółć", "Agent 007", "José Núñez"],
        ),
    ];
    for (query, expected) in cases {
        let expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        let total = expected.len() as u64;
        assert_eq!(
            names(&store, &format!("{query}&sort=-created_at"))
                .await
                .0
                .len(),
            expected.len(),
            "{query}"
        );
        let (mut got, counted) = names(&store, query).await;
        let mut want = expected;
        got.sort();
        want.sort();
        assert_eq!((got, counted), (want, total), "{query}");
    }
}

#[tokio::test]
async fn search_and_tag_combine_with_filters_sorts_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let store = search_store(&dir).await;
    assert_eq!(
        names(&store, "tag=VIP&sort=-created_at").await,
        (vec!["Josephine Ng".into(), "José Núñez".into()], 2)
    );
    assert_eq!(
        names(&store, "tag=%C3%A4rger").await.1,
        1,
        "Unicode lowercase"
    );
    assert_eq!(
        names(&store, "tag=hvac&q=ann").await,
        (vec!["Ann Lee".into()], 1)
    );
    assert_eq!(names(&store, "tag=nope").await, (vec![], 0));
    assert_eq!(
        names(&store, "q=jos&sort=created_at&limit=1&page=2").await,
        (vec!["Josephine Ng".into()], 2)
    );
    assert_eq!(names(&store, "q=jos&status=contacted").await, (vec![], 0));
    assert_eq!(names(&store, "q=jos&status=new&sort=-score").await.1, 2);
}

/// Every lead of `query`'s view, through every page.
async fn all_pages(store: &Store, query: &ListQuery) -> Vec<Lead> {
    let mut all = Vec::new();
    for page in 1.. {
        let (leads, total) = store
            .list(&query.clone().with_limit(100).with_page(page))
            .await
            .unwrap();
        all.extend(leads);
        if all.len() as u64 >= total {
            return all;
        }
    }
    unreachable!()
}

#[tokio::test]
async fn both_ways_of_reading_a_search_list_what_the_rule_says_in_the_views_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir).await;
    store.seed_if_empty(600).await.unwrap();
    let views = [
        "",
        "status=new",
        "sort=name",
        "sort=-score&source=sms",
        "sort=updated_at&status=contacted",
    ];
    // Common texts take the walk along the sort index on early pages,
    // rare ones and later pages read the matches: all must agree.
    for q in [
        "son",
        "a",
        "example.com",
        "smith",
        "jane.smith",
        "555 01",
        "zzz",
    ] {
        for view in views {
            let base = ListQuery::from_query_string(view).unwrap();
            let search = Search::new(q);
            let expected: Vec<String> = all_pages(&store, &base)
                .await
                .into_iter()
                .filter(|l| search.matches(&l.name, l.phone.as_deref(), l.email.as_deref()))
                .map(|l| l.id)
                .collect();
            let searched = base.with_q(q);
            for (limit, page) in [(10, 1), (20, 1), (20, 3), (100, 1)] {
                let (leads, total) = store
                    .list(&searched.clone().with_limit(limit).with_page(page))
                    .await
                    .unwrap();
                let ids: Vec<String> = leads.into_iter().map(|l| l.id).collect();
                let from = ((page - 1) * limit) as usize;
                let want: Vec<String> = expected
                    .iter()
                    .skip(from)
                    .take(limit as usize)
                    .cloned()
                    .collect();
                assert_eq!(
                    (ids, total),
                    (want, expected.len() as u64),
                    "q={q} {view} limit={limit} page={page}"
                );
            }
        }
    }
}

#[tokio::test]
async fn any_text_can_be_searched_for_controls_and_quotes_included() {
    let dir = tempfile::tempdir().unwrap();
    let store = search_store(&dir).await;
    store
        .create(lead("Nul\u{0}Byte \"Quoted\" {col}: *", None, None, &[]))
        .await
        .unwrap();
    for (q, found) in [
        ("\u{0}by", 1),
        ("l\u{0}b", 1),
        ("¥\u{0}¼Ä", 0),
        ("\"quoted\"", 1),
        ("{col}:", 1),
        (": *", 1),
        ("NEAR(a b)", 0),
        // A control character reads as a space, typed or stored.
        ("nul byte", 1),
        ("nul\tbyte", 1),
        ("\u{0} 555 010", 1),
    ] {
        let query = ListQuery::default().with_q(q);
        let (_, total) = store
            .list(&query)
            .await
            .unwrap_or_else(|e| panic!("{q:?}: {e:?}"));
        assert_eq!(total, found, "{q:?}");
    }
}

/// How many leads the view `query` counts.
async fn total(store: &Store, query: &str) -> u64 {
    names(store, query).await.1
}

/// Applies the patch `json` to lead `id`.
async fn patch(store: &Store, id: &str, json: &str) {
    let patch: LeadPatch = serde_json::from_str(json).unwrap();
    store.update(id, patch).await.unwrap();
}

#[tokio::test]
async fn every_write_keeps_the_search_index_in_step() {
    let dir = tempfile::tempdir().unwrap();
    let store = search_store(&dir).await;
    assert_eq!(total(&store, "q=zoe").await, 0, "counted before the writes");
    let id = store
        .create(lead("Zoë Quinn", None, None, &[]))
        .await
        .unwrap()
        .id;
    assert_eq!(total(&store, "q=zoe").await, 1, "a create");
    patch(&store, &id, r#"{"name": "Zed Quinn"}"#).await;
    assert_eq!(
        (total(&store, "q=zoe").await, total(&store, "q=zed").await),
        (0, 1),
        "a name"
    );
    patch(&store, &id, r#"{"email": "zq@quinn.io"}"#).await;
    assert_eq!(total(&store, "q=quinn.io").await, 1, "an email");
    patch(&store, &id, r#"{"email": null, "phone": "+15559998877"}"#).await;
    let after = (
        total(&store, "q=quinn.io").await,
        total(&store, "q=999-88").await,
    );
    assert_eq!(after, (0, 1), "a phone");
    patch(&store, &id, r#"{"tags": ["Gold"]}"#).await;
    assert_eq!(total(&store, "tag=gold").await, 1, "tags");
    patch(&store, &id, r#"{"tags": []}"#).await;
    assert_eq!(total(&store, "tag=gold").await, 0, "tags removed");
    let vendor = lead("Webhook Wanda", Some("+15551112222"), None, &["Gold"])
        .into_lead("ld-77".into(), "2026-11-26T10:00:00Z");
    store.adopt(vendor, "ev_wanda").await.unwrap();
    assert_eq!(
        names(&store, "q=wanda&tag=GOLD").await,
        (vec!["Webhook Wanda".into()], 1),
        "a webhook lead"
    );
}
