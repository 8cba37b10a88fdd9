//! Search leads and the tag filter: typing that the list follows after a
//! pause (an older answer never replacing a newer one, the focus and the
//! caret staying put), the marks, Escape, Clear filters, Back and Forward,
//! tag buttons and the active tag, the empty result, the `s` key, saved
//! views and export; and none of it where the API cannot search.

use fantoccini::key::Key;
use serde_json::{json, Value};

use crate::export::{downloaded, parse};
use crate::harness::{key, Harness, ServerOptions};

/// The search field's id, its text, and where its caret is.
const FIELD_STATE: &str = "const e = focused(); \
    return e ? [e.id, e.value, e.selectionStart, e.selectionEnd] : null;";

/// The texts of the marks in the table's names and emails.
async fn marks(h: &Harness) -> Vec<String> {
    let marks = h
        .js("return all('tbody mark').map(m => m.textContent);")
        .await;
    serde_json::from_value(marks).unwrap_or_default()
}

/// The list requests the console made for a search, as the server got them.
async fn searches(h: &Harness) -> Vec<String> {
    h.wait_for_received("GET /v1/leads?q=", 0)
        .await
        .iter()
        .filter_map(|r| r["uri"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn typing_is_followed_after_a_pause_and_an_older_answer_never_replaces_a_newer_one() {
    let h = Harness::start().await;
    // A sort after `q` in the requests tells `q=fe` from `q=fernandez`.
    let all_rows = h.open_view("/?sort=name", "sort=name").await;
    let expected = h.api_ids("q=fernandez&sort=name").await;
    assert!(!expected.is_empty(), "the demo leads include a Fernández");
    // The answer to the first pause's search is held until the end.
    let older = "GET /v1/leads?q=fe&sort=name";
    h.inject(json!({"matches": older, "hold": "older-search", "times": 1}))
        .await;
    h.type_into(".filters", "Search leads", "fe").await;
    h.wait_for_received(older, 1).await;
    // A key at a time, each its own WebDriver round trip (milliseconds,
    // well inside the pause): a list that followed every key would ask
    // seven more times.
    for c in "rnandez".chars() {
        h.press(&c.to_string()).await;
    }
    assert_eq!(
        h.wait_for_rows(&expected).await,
        expected,
        "the newer search shows"
    );
    assert_eq!(
        h.wait_for_query("q=fernandez&sort=name").await,
        "q=fernandez&sort=name"
    );
    assert_eq!(
        h.js(FIELD_STATE).await,
        json!(["filter-search", "fernandez", 9, 9]),
        "the focus, the text and the caret stayed in the field"
    );
    let typed: Vec<String> = searches(&h)
        .await
        .into_iter()
        .filter(|uri| uri.ends_with("&sort=name"))
        .collect();
    // q=fe, q=fernandez (twice: the test asked too), and room for one slow
    // round trip on a busy machine; without the pause there were six.
    assert!(
        typed.len() <= 4,
        "the list follows pauses, not every key: {typed:?}"
    );
    // Names and emails are marked where they matched, accents and all.
    let marked = marks(&h).await;
    assert!(!marked.is_empty(), "nothing marked");
    for text in &marked {
        assert!(
            ["Fernández", "fernandez"].contains(&text.as_str()),
            "{text:?} is marked"
        );
    }
    assert!(
        marked.iter().any(|m| m == "Fernández"),
        "the name's own spelling is marked: {marked:?}"
    );

    h.release("older-search").await;
    h.wait_until_answered(older).await;
    h.find(".results[aria-busy='false']").await;
    assert_eq!(
        h.table_ids().await,
        expected,
        "the older answer was dropped"
    );
    assert_eq!(
        h.js(FIELD_STATE).await[1],
        json!("fernandez"),
        "the text stayed"
    );

    // Escape empties the field and the list follows at once.
    h.press(&key(Key::Escape)).await;
    assert_eq!(h.wait_for_query("sort=name").await, "sort=name");
    assert_eq!(h.wait_for_rows(&all_rows).await, all_rows);
    assert_eq!(h.js(FIELD_STATE).await, json!(["filter-search", "", 0, 0]));
    h.finish().await;
}

/// Waits until the URL holds `query` and the search field says `typed`.
async fn shows(h: &Harness, query: &str, typed: &str) {
    assert_eq!(h.wait_for_query(query).await, query);
    let what = format!("the search field reading {typed:?} at ?{query}");
    h.wait_for_js(
        &what,
        "return all('#filter-search')[0].value;",
        json!(typed),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn clear_filters_back_and_forward_carry_the_search_with_the_view() {
    let h = Harness::start().await;
    h.open_view("/?status=new", "status=new").await;
    h.type_into(".filters", "Search leads", "smith").await;
    let smiths = h.api_ids("status=new&q=smith").await;
    shows(&h, "status=new&q=smith", "smith").await;
    assert_eq!(h.wait_for_rows(&smiths).await, smiths);
    h.click("Clear filters").await;
    shows(&h, "", "").await;
    h.browser.back().await.expect("back");
    shows(&h, "status=new&q=smith", "smith").await;
    assert_eq!(h.wait_for_rows(&smiths).await, smiths);
    // Typing on refines the search in place: Back leaves it, in one step.
    h.type_into(".filters", "Search leads", " jo").await;
    shows(&h, "status=new&q=smith+jo", "smith jo").await;
    h.browser.back().await.expect("back");
    shows(&h, "status=new", "").await;
    h.browser.forward().await.expect("forward");
    shows(&h, "status=new&q=smith+jo", "smith jo").await;
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tag_button_filters_by_its_tag_and_the_active_tag_removes_it() {
    let h = Harness::start().await;
    let first = h.open_view("/", "").await;
    let tag = h
        .js("return all('tbody .tag-button')[0].textContent;")
        .await
        .as_str()
        .expect("a row with a tag")
        .to_owned();
    h.click(&format!("Show leads tagged {tag}")).await;
    let tagged = h.api_ids(&format!("tag={tag}")).await;
    assert_eq!(
        h.wait_for_query(&format!("tag={tag}")).await,
        format!("tag={tag}")
    );
    assert_eq!(h.wait_for_rows(&tagged).await, tagged);
    let rows_with_it = h
        .js(&format!(
            "return all('tbody tr[data-lead-id]').every(r => \
                [...r.querySelectorAll('.tag-button')].some(b => b.textContent === {tag:?}));"
        ))
        .await;
    assert_eq!(rows_with_it, json!(true), "every row has the tag");
    h.click(&format!("Remove tag filter {tag}")).await;
    assert_eq!(h.wait_for_query("").await, "");
    assert_eq!(h.wait_for_rows(&first).await, first);
    assert!(!h.has_button(&format!("Remove tag filter {tag}")).await);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_search_with_no_match_says_so_and_clear_filters_brings_the_leads_back() {
    let h = Harness::start().await;
    let all_rows = h.open_view("/", "").await;
    h.type_into(".filters", "Search leads", "<b>zq</b>").await;
    assert!(
        h.wait_for_text("No leads match “<b>zq</b>”.").await,
        "the empty result names the search, literally; the page reads:\n{}",
        h.text().await
    );
    assert!(
        h.first(".notice--empty b").await.is_none(),
        "the search was shown as text, not markup"
    );
    let clear = h.all(".notice--empty button").await;
    assert_eq!(clear.len(), 1, "the empty result offers Clear filters");
    clear[0].click().await.expect("click Clear filters");
    assert_eq!(h.wait_for_rows(&all_rows).await, all_rows);
    assert_eq!(h.query().await, "");
    h.finish().await;
}

/// A click on the page's heading, which leaves the focus in the list, where
/// its keys work.
async fn click_heading(h: &Harness) {
    let heading = h.find("#leads-heading").await;
    heading.click().await.expect("click the heading");
}

#[tokio::test(flavor = "multi_thread")]
async fn s_goes_to_the_search_field_and_the_shortcuts_list_says_so() {
    let h = Harness::start().await;
    h.open_view("/", "").await;
    click_heading(&h).await;
    h.press("s").await;
    assert_eq!(h.wait_for_focus("Search leads").await, "Search leads");
    h.press(&key(Key::Escape)).await;
    click_heading(&h).await;
    h.press("?").await;
    assert!(
        h.wait_for_text("Go to Search leads").await,
        "the ? list names the s key"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn saved_views_and_the_export_carry_the_search_and_the_tag() {
    let h = Harness::with(ServerOptions {
        demo_leads: 400,
        ..ServerOptions::default()
    })
    .await;
    let view = "q=a&tag=high-intent&sort=name";
    let rows = h.open_view(&format!("/?{view}"), view).await;
    assert!(!rows.is_empty());
    h.click("Save view").await;
    let name = h.labelled("View name").await;
    h.keys(&name, "High intent with an a").await;
    h.press(&key(Key::Enter)).await;
    h.wait_for_focus("Save view").await;
    let href = h
        .js("return all(\"ul[aria-label='Views'] a\")[0].getAttribute('href')")
        .await;
    assert_eq!(
        href,
        json!(format!("/?{view}")),
        "the saved view keeps q and tag"
    );

    let dir = h.downloads().await;
    h.click("Export CSV").await;
    let file = downloaded(&dir).await;
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("leads-search-a-tag-high-intent-"),
        "{name}"
    );
    let text = String::from_utf8(std::fs::read(&file).unwrap()[3..].to_vec()).expect("UTF-8");
    let exported: Vec<String> = parse(&text)
        .into_iter()
        .skip(1)
        .map(|row| row[0].clone())
        .collect();
    let everything = h
        .api("GET", &format!("/v1/leads?{view}&limit=100"), None)
        .await;
    let expected: Vec<String> = everything.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        exported, expected,
        "the file holds the searched, tagged view"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn against_the_vendors_api_there_is_no_search_and_tags_are_plain() {
    let h = Harness::with(ServerOptions {
        upstream_key: Some("vendor-key-search-3f1e"),
        ..ServerOptions::default()
    })
    .await;
    h.open_view("/", "").await;
    let present = h
        .js("return [all('#filter-search').length, all('.tag').length, all('.tag-button').length];")
        .await;
    let counts: Vec<u64> = serde_json::from_value(present).unwrap();
    assert_eq!(counts[0], 0, "no search field");
    assert!(counts[1] > 0, "the leads have tags");
    assert_eq!(counts[2], 0, "tags are not buttons");
    click_heading(&h).await;
    h.press("?").await;
    assert!(h.wait_for_text("Keyboard shortcuts").await);
    assert!(!h.text().await.contains("Search leads"), "no s key listed");
    let asked: Vec<Value> = h.wait_for_received("q=", 0).await;
    assert!(asked.is_empty(), "nothing asked for a search: {asked:?}");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_searched_and_tagged_view_with_its_marks_passes_axe() {
    let h = Harness::start().await;
    let view = "q=an&tag=high-intent";
    let rows = h.open_view(&format!("/?{view}"), view).await;
    assert!(!rows.is_empty(), "the view has rows to check");
    h.button("Remove tag filter high-intent").await;
    h.find("tbody mark").await;
    let found = h.axe_violations().await;
    assert!(found.is_empty(), "{view}:\n{}", found.join("\n"));
    // And the empty result of a search.
    h.open("/?q=zzqx").await;
    assert!(h.wait_for_text("No leads match “zzqx”.").await);
    let found = h.axe_violations().await;
    assert!(found.is_empty(), "an empty search:\n{}", found.join("\n"));
    h.finish().await;
}
