//! Live leads: the vendor's signed webhook reaches an open console, which
//! counts the leads that belong in its view behind "Show {n} new leads";
//! colleagues' changes show in place, an open editor asks before anything
//! moves; a cut connection resumes with what it missed, and so does one to
//! a server that restarted (the events are kept in its database).

use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::wd::WindowHandle;
use serde_json::{json, Value};

use crate::harness::{key, webhook_signature, Harness, ServerOptions, PATIENCE};

const SECRET: &str = "whsec-browser-test";

fn live_server() -> ServerOptions {
    ServerOptions {
        demo_leads: 40,
        webhook_secret: Some(SECRET),
        ..ServerOptions::default()
    }
}

/// A live server, and a browser whose pages note in `window.__created`
/// every `leads-console:lead-created` they hear.
async fn live_console_heard() -> Harness {
    let h = Harness::with(live_server()).await;
    h.on_every_page(
        "window.__created = []; document.addEventListener('leads-console:lead-created', \
         e => window.__created.push(e.detail.id));",
    )
    .await;
    h
}

/// Waits until `script` (run in the page) returns `true`.
async fn wait_until(h: &Harness, what: &str, script: &str) {
    h.wait_for_js(what, script, Value::Bool(true)).await;
}

/// Waits until the console says it is connected.
async fn wait_live(h: &Harness) {
    wait_until(
        h,
        "Live",
        "return all('.live-status').some(s => s.textContent.trim() === 'Live');",
    )
    .await;
}

/// The text of lead `id`'s row.
async fn row_text(h: &Harness, id: &str) -> String {
    h.find(&format!("tr[data-lead-id='{id}']"))
        .await
        .text()
        .await
        .unwrap_or_default()
}

fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_lead_waits_behind_a_button_and_joins_the_view_when_asked() {
    let h = live_console_heard().await;
    let before = h.open_view("/?source=call", "source=call").await;
    wait_live(&h).await;

    // Unsigned, forged and stale deliveries: refused, stored nowhere, shown nowhere.
    let forged = json!({"type": "new_lead", "id": "evt_forged",
                        "data": {"id": "forged_1", "name": "Forged Caller", "source": "call"}})
    .to_string();
    assert_eq!(h.post_webhook(&forged, &[]).await, 401);
    let now = now_seconds().to_string();
    let wrong = webhook_signature("not-the-secret", &now, &forged);
    let headers = [
        ("X-Leads-Timestamp", now.as_str()),
        ("X-Leads-Signature", wrong.as_str()),
    ];
    assert_eq!(h.post_webhook(&forged, &headers).await, 401);
    let old = (now_seconds() - 400).to_string();
    let stale = webhook_signature(SECRET, &old, &forged);
    let headers = [
        ("X-Leads-Timestamp", old.as_str()),
        ("X-Leads-Signature", stale.as_str()),
    ];
    assert_eq!(h.post_webhook(&forged, &headers).await, 401);

    // A text lead is not in a view of calls; a call is, once, however often
    // the vendor retries it.
    let carl = json!({"id": "call_1", "name": "Calling Carl", "source": "call",
                      "phone": "+15550007777"});
    assert_eq!(
        h.deliver(
            "evt_sms",
            json!({"id": "sms_1", "name": "Texting Tina", "source": "sms"})
        )
        .await,
        202
    );
    assert_eq!(h.deliver("evt_call", carl.clone()).await, 202);
    assert_eq!(h.deliver("evt_call", carl).await, 200);
    assert_eq!(
        h.deliver("evt_sms_2", json!({"id": "sms_2", "source": "sms"}))
            .await,
        202
    );
    // Events arrive in order: once the last is in, so is anything before it.
    wait_until(
        &h,
        "sms_2 announced",
        "return window.__created.includes('sms_2');",
    )
    .await;
    assert_eq!(
        h.js("return window.__created;").await,
        json!(["sms_1", "call_1", "sms_2"]),
        "every live lead is announced to the host page, once"
    );
    h.button("Show 1 new lead").await;
    assert_eq!(h.table_ids().await, before, "no row moved by itself");

    h.click("Show 1 new lead").await;
    let expected = h.api_ids("source=call").await;
    assert_eq!(expected[0], "call_1");
    assert_eq!(h.wait_for_rows(&expected).await, expected);
    assert!(row_text(&h, "call_1").await.contains("Calling Carl"));
    assert_eq!(
        h.js("return all('tr[data-lead-id=\"call_1\"]')[0].classList.contains('row--new');")
            .await,
        json!(true),
        "the new lead is highlighted"
    );
    assert!(!h.has_button("Show 1 new lead").await);
    assert_eq!(h.api("GET", "/v1/leads/forged_1", None).await.status, 404);
    h.finish().await;
}

/// Opens a second console in a new tab of the same browser, leaving the
/// first one's tab in the background.
async fn second_console(h: &Harness, path: &str) -> (WindowHandle, WindowHandle) {
    let first = h.browser.window().await.expect("the first tab");
    let second = h.browser.new_window(true).await.expect("a new tab").handle;
    h.browser
        .switch_to_window(second.clone())
        .await
        .expect("switch");
    h.open(path).await;
    (first, second)
}

async fn switch(h: &Harness, to: &WindowHandle) {
    h.browser
        .switch_to_window(to.clone())
        .await
        .expect("switch tabs");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_colleagues_changes_show_in_place_and_an_open_editor_keeps_every_keystroke() {
    let h = Harness::with(live_server()).await;
    let ids = h.open_view("/", "").await;
    wait_live(&h).await;
    let id = ids[0].clone();
    let lead = h.lead(&id).await;
    let name = lead["name"].as_str().unwrap().to_owned();
    let (mine, theirs) = second_console(&h, "/").await;
    h.wait_for_rows(&ids).await;
    wait_live(&h).await;
    let loads = h.list_requests().await;

    // A status change and a tag edit over there…
    let (status, label) = if lead["status"] == "qualified" {
        ("converted", "Converted")
    } else {
        ("qualified", "Qualified")
    };
    h.named(&format!("Status for {name}"))
        .await
        .select_by_label(label)
        .await
        .unwrap();
    h.wait_for_lead(&id, |l| l["status"] == status).await;
    h.click(&format!("Edit {name}")).await;
    let tags = h
        .field(&format!("tr[data-lead-id='{id}'] form"), "Tags")
        .await;
    h.keys(&tags, &format!("call-back-friday{}", key(Key::Enter)))
        .await;
    h.click("Save").await;
    h.wait_for_lead(&id, |l| l["tags"].to_string().contains("call-back-friday"))
        .await;

    // …show here without a reload.
    switch(&h, &mine).await;
    wait_until(
        &h,
        "the new status in place",
        &format!("return all('[aria-label=\"Status for {name}\"]')[0].value === '{status}';"),
    )
    .await;
    wait_until(
        &h,
        "the new tag in place",
        &format!(
            "return all('tr[data-lead-id=\"{id}\"]')[0].textContent.includes('call-back-friday');"
        ),
    )
    .await;
    assert_eq!(h.list_requests().await, loads, "no reload");

    // An open editor with typing in it: a colleague's change asks first.
    h.click(&format!("Edit {name}")).await;
    let phone = h
        .field(&format!("tr[data-lead-id='{id}'] form"), "Phone")
        .await;
    phone.clear().await.unwrap();
    h.keys(&phone, "+15550101010").await;
    h.api(
        "PATCH",
        &format!("/v1/leads/{id}"),
        Some(json!({"status": "new"})),
    )
    .await;
    assert!(
        h.wait_for_text("This lead was changed by someone else.")
            .await
    );
    h.click("Keep editing").await;
    assert!(!h.has_button("Keep editing").await);
    assert_eq!(
        phone.prop("value").await.unwrap().as_deref(),
        Some("+15550101010")
    );

    // A second change, to a field the form holds; their version comes in
    // where nothing was typed, and the typing stays.
    switch(&h, &theirs).await;
    h.click(&format!("Edit {name}")).await;
    h.click("Remove tag call-back-friday").await;
    h.click("Save").await;
    h.wait_for_lead(&id, |l| !l["tags"].to_string().contains("call-back-friday"))
        .await;
    switch(&h, &mine).await;
    assert!(
        h.wait_for_text("This lead was changed by someone else.")
            .await
    );
    h.click("Load their version").await;
    assert_eq!(
        phone.prop("value").await.unwrap().as_deref(),
        Some("+15550101010")
    );
    wait_until(
        &h,
        "their tags in the form",
        &format!("return !all('tr[data-lead-id=\"{id}\"] form')[0].textContent.includes('call-back-friday');"),
    )
    .await;
    h.click("Save").await;
    let stored = h.wait_for_lead(&id, |l| l["phone"] == "+15550101010").await;
    assert_eq!(stored["status"], "new", "their status kept");
    assert!(
        !stored["tags"].to_string().contains("call-back-friday"),
        "their tags kept"
    );
    let patches = h.sent("PATCH").await;
    assert_eq!(
        patches.last(),
        Some(&json!({"phone": "+15550101010"})),
        "only the typing"
    );
    h.finish().await;
}

/// A field changed on both sides: "Load their version" shows theirs there,
/// keeps the typing where only the person typed, and "Use my text" brings
/// back what theirs replaced.
#[tokio::test(flavor = "multi_thread")]
async fn load_their_version_replaces_a_field_both_changed_and_keeps_my_text_one_press_away() {
    let h = Harness::with(live_server()).await;
    let ids = h.open_view("/", "").await;
    wait_live(&h).await;
    let id = ids[0].clone();
    let name = h.lead(&id).await["name"].as_str().unwrap().to_owned();
    h.click(&format!("Edit {name}")).await;
    let form = format!("tr[data-lead-id='{id}'] form");
    let name_field = h.field(&form, "Name").await;
    let email_field = h.field(&form, "Email").await;
    name_field.clear().await.unwrap();
    h.keys(&name_field, "Mine Typed").await;
    email_field.clear().await.unwrap();
    h.keys(&email_field, "mine@example.com").await;
    h.api(
        "PATCH",
        &format!("/v1/leads/{id}"),
        Some(json!({"name": "Their Name", "phone": "+15550102222"})),
    )
    .await;
    assert!(
        h.wait_for_text("This lead was changed by someone else.")
            .await
    );
    h.click("Load their version").await;
    let value = |field: &fantoccini::elements::Element| {
        let field = field.clone();
        async move { field.prop("value").await.unwrap().unwrap_or_default() }
    };
    assert_eq!(
        value(&name_field).await,
        "Their Name",
        "theirs where both changed"
    );
    assert_eq!(
        value(&h.field(&form, "Phone").await).await,
        "+15550102222",
        "theirs where only they changed"
    );
    assert_eq!(
        value(&email_field).await,
        "mine@example.com",
        "mine where only I typed"
    );
    assert!(
        h.wait_for_text("Their version replaced what you typed in Name.")
            .await
    );
    h.click("Use my text").await;
    assert_eq!(value(&name_field).await, "Mine Typed", "my text is back");
    assert!(!h.has_button("Use my text").await);
    h.click("Save").await;
    let stored = h.wait_for_lead(&id, |l| l["name"] == "Mine Typed").await;
    assert_eq!(stored["phone"], "+15550102222", "their phone kept");
    assert_eq!(stored["email"], "mine@example.com");
    assert_eq!(
        h.sent("PATCH").await.last(),
        Some(&json!({"name": "Mine Typed", "email": "mine@example.com"})),
        "only what I changed"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cut_stream_catches_up_and_so_does_one_to_a_restarted_server() {
    let mut h = Harness::with(live_server()).await;
    h.open_view("/", "").await;
    wait_live(&h).await;
    h.js("const s = all('.live-status')[0]; window.__states = []; \
         new MutationObserver(() => window.__states.push(s.textContent.trim())) \
           .observe(s, {subtree: true, childList: true, characterData: true}); return true;")
        .await;

    // The connection drops; the reconnect is held while a lead arrives.
    h.inject(json!({"matches": "GET /v1/events", "hold": "reconnect", "times": 1}))
        .await;
    h.cut_streams().await;
    let streams = h.wait_for_received("GET /v1/events", 2).await;
    assert_eq!(streams.len(), 2, "the console asked again");
    assert!(
        streams[1]["headers"]
            .as_array()
            .unwrap()
            .contains(&json!("last-event-id")),
        "resuming from the last event: {}",
        streams[1]
    );
    assert_eq!(
        h.deliver("evt_missed", json!({"id": "missed_1", "name": "Missed Mo"}))
            .await,
        202
    );
    assert!(h.wait_for_text("Reconnecting…").await);
    h.release("reconnect").await;
    h.button("Show 1 new lead").await;
    wait_live(&h).await;

    // A crash and a restart: the new process reads the events from the
    // database, so the console resumes where it was, reloading nothing.
    h.restart_server();
    let resumed = h.wait_for_received("GET /v1/events", 1).await;
    assert!(
        resumed[0]["headers"]
            .as_array()
            .unwrap()
            .contains(&json!("last-event-id")),
        "resuming from the last event: {}",
        resumed[0]
    );
    wait_live(&h).await;
    let states = h.js("return window.__states;").await;
    let states: Vec<&str> = states
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let reconnecting = states.iter().rposition(|s| *s == "Reconnecting…");
    assert!(
        reconnecting.is_some_and(|at| states[at..].contains(&"Live")),
        "Reconnecting…, then Live: {states:?}"
    );
    assert_eq!(h.deliver("evt_after", json!({"id": "after_1"})).await, 202);
    h.button("Show 2 new leads").await;
    assert_eq!(
        h.wait_for_received("GET /v1/leads", 0).await,
        Vec::<Value>::new(),
        "the view was not reloaded"
    );
    h.finish().await;
}

/// Chromium only: granting the notification permission and reading a
/// background tab's title take DevTools (WebDriver can do neither without
/// switching to the tab, which would show it).
#[tokio::test(flavor = "multi_thread")]
async fn a_hidden_tab_counts_new_leads_in_its_title_and_notifies_once_asked() {
    let h = Harness::with(live_server()).await;
    h.on_every_page(
        "window.__asked = 0; window.__shown = []; const Real = window.Notification; \
         window.Notification = class extends Real { \
           constructor(title, options) { super(title, options); window.__shown.push(title); } \
           static requestPermission() { window.__asked += 1; return Real.requestPermission(); } };",
    )
    .await;
    h.open_view("/", "").await;
    wait_live(&h).await;
    assert_eq!(
        h.js("return window.__asked;").await,
        json!(0),
        "nothing asked on load"
    );
    h.cdp(
        "Browser.grantPermissions",
        json!({"origin": h.base, "permissions": ["notifications"]}),
    )
    .await;
    h.click("Notify me of new leads").await;
    wait_until(
        &h,
        "notifications on",
        "return buttons('Notify me of new leads')[0].getAttribute('aria-pressed') === 'true';",
    )
    .await;
    let title = h.browser.title().await.unwrap();

    let (mine, _) = second_console(&h, "/config.json").await;
    assert_eq!(
        h.deliver("evt_1", json!({"id": "hidden_1", "name": "Quiet Quinn"}))
            .await,
        202
    );
    assert_eq!(
        h.deliver("evt_2", json!({"id": "hidden_2", "name": "Late Lou"}))
            .await,
        202
    );
    let counted = format!("(2) {title}");
    let started = Instant::now();
    loop {
        let targets = h.cdp_value("Target.getTargets", json!({})).await;
        let titles: Vec<String> = targets["targetInfos"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t["title"].as_str().map(str::to_owned))
            .collect();
        if titles.contains(&counted) {
            break;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "no tab titled {counted:?}: {titles:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    switch(&h, &mine).await;
    wait_until(
        &h,
        "the title back",
        &format!("return document.title === {title:?};"),
    )
    .await;
    assert_eq!(
        h.js("return window.__shown;").await,
        json!(["New lead: Quiet Quinn", "New lead: Late Lou"])
    );
    h.button("Show 2 new leads").await;
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_status_save_in_flight_is_not_undone_by_a_colleagues_earlier_change() {
    let h = Harness::with(live_server()).await;
    let ids = h.open_view("/", "").await;
    wait_live(&h).await;
    let id = ids[1].clone();
    let lead = h.lead(&id).await;
    let name = lead["name"].as_str().unwrap().to_owned();
    let (mine, label, theirs) = if lead["status"] == "converted" {
        ("qualified", "Qualified", "contacted")
    } else {
        ("converted", "Converted", "contacted")
    };
    h.inject(json!({"matches": format!("PATCH /v1/leads/{id}"), "hold": "mine", "times": 1}))
        .await;
    let select = h.named(&format!("Status for {name}")).await;
    select.select_by_label(label).await.unwrap();
    h.wait_for_received(&format!("PATCH /v1/leads/{id}"), 1)
        .await;
    // A colleague's change lands first; its event reaches the console
    // before the webhook lead that follows it.
    h.api(
        "PATCH",
        &format!("/v1/leads/{id}"),
        Some(json!({"status": theirs})),
    )
    .await;
    assert_eq!(h.deliver("evt_a", json!({"id": "after_a"})).await, 202);
    h.button("Show 1 new lead").await;
    assert_eq!(
        select.prop("value").await.unwrap().as_deref(),
        Some(mine),
        "the choice stays"
    );

    h.release("mine").await;
    h.wait_for_lead(&id, |l| l["status"] == mine).await;
    assert_eq!(h.deliver("evt_b", json!({"id": "after_b"})).await, 202);
    h.button("Show 2 new leads").await;
    assert_eq!(
        select.prop("value").await.unwrap().as_deref(),
        Some(mine),
        "and is what was saved"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn through_the_proxy_the_vendors_webhook_reaches_the_console() {
    const VENDOR_KEY: &str = "vendor-key-live-91ad";
    let h = Harness::with(ServerOptions {
        upstream_key: Some(VENDOR_KEY),
        ..live_server()
    })
    .await;
    let before = h.open_view("/", "").await;
    wait_live(&h).await;
    // The vendor captured a call, so it has the lead; then it tells us.
    let created = h
        .vendor_api(
            "POST",
            "/v1/leads",
            Some(json!({"name": "Vendor Vic", "source": "call"})),
        )
        .await;
    assert_eq!(created.status, 201);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let data = json!({"id": id, "name": "Vendor Vic", "source": "call"});
    assert_eq!(h.deliver("evt_vendor", data).await, 202);
    h.button("Show 1 new lead").await;
    assert_eq!(h.table_ids().await, before, "no row moved by itself");
    h.click("Show 1 new lead").await;
    let expected = h.api_ids("").await;
    assert_eq!(expected[0], id, "the vendor's lead, through the proxy");
    assert_eq!(h.wait_for_rows(&expected).await, expected);
    assert!(
        !h.server_log().contains(VENDOR_KEY),
        "the vendor's key is in no log line"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lead_created_here_is_not_new_here_even_when_its_event_comes_first() {
    let h = live_console_heard().await;
    h.open_view("/", "").await;
    wait_live(&h).await;
    // The lead is stored and announced; its answer waits.
    h.inject(json!({"matches": "POST /v1/leads", "hold": "reply", "after": true, "times": 1}))
        .await;
    h.click("New lead").await;
    h.type_into("dialog[open]", "Name", "Echo Ed").await;
    h.click("Create lead").await;
    wait_until(
        &h,
        "the live event first",
        "return window.__created.length === 1;",
    )
    .await;
    h.release("reply").await;
    assert!(h.wait_for_text("Lead created").await);
    let expected = h.api_ids("").await;
    assert_eq!(h.wait_for_rows(&expected).await, expected);
    assert_eq!(h.lead(&expected[0]).await["name"], "Echo Ed");
    assert!(
        !h.has_button("Show 1 new lead").await,
        "one's own lead is not news"
    );
    assert_eq!(
        h.js("return window.__created;").await,
        json!([expected[0]]),
        "the host page hears of it once"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_copy_of_the_vendors_leads_shows_its_changes_in_place_and_says_when_it_is_away() {
    const VENDOR_KEY: &str = "vendor-key-mirror-5c2b";
    let mut h = Harness::with(ServerOptions {
        upstream_key: Some(VENDOR_KEY),
        mirror: true,
        ..live_server()
    })
    .await;
    // Search answers once the copy is complete.
    let deadline = Instant::now() + PATIENCE;
    while h.api("GET", "/v1/leads?q=a", None).await.status != 200 {
        assert!(Instant::now() < deadline, "the copy is complete");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ids = h.open_view("/", "").await;
    wait_live(&h).await;
    assert!(
        h.first("#filter-search").await.is_some(),
        "search over the copy"
    );
    let loads = h.list_requests().await;

    // A change made in the vendor's own app shows in place.
    let id = ids[0].clone();
    let lead = h.lead(&id).await;
    let status = if lead["status"] == "qualified" {
        "converted"
    } else {
        "qualified"
    };
    let changed = h
        .vendor_api(
            "PATCH",
            &format!("/v1/leads/{id}"),
            Some(json!({"name": "Renamed By Vendor", "status": status})),
        )
        .await;
    assert_eq!(changed.status, 200);
    wait_until(
        &h,
        "the vendor's change in place",
        &format!(
            "return all('[aria-label=\"Status for Renamed By Vendor\"]')[0]?.value === '{status}';"
        ),
    )
    .await;
    assert_eq!(h.table_ids().await, ids, "no row moved");
    assert_eq!(h.list_requests().await, loads, "no reload");

    // The vendor goes away: the copy still lists, and says as of when.
    h.kill_upstream();
    let deadline = Instant::now() + PATIENCE;
    while !h.server_log().contains("the copy cannot follow the vendor") {
        assert!(Instant::now() < deadline, "the sync notices");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(h.open_view("/", "").await, ids);
    assert!(h.wait_for_text("Showing leads as of").await);
    assert!(h.wait_for_text("the leads service is not answering").await);
    let violations = h.axe_violations().await;
    assert!(
        violations.is_empty(),
        "axe with the notice: {violations:#?}"
    );
    // A save says why it failed.
    let other = h.lead(&ids[1]).await;
    let name = other["name"].as_str().unwrap().to_owned();
    let label = if other["status"] == "new" {
        "Contacted"
    } else {
        "New"
    };
    h.named(&format!("Status for {name}"))
        .await
        .select_by_label(label)
        .await
        .unwrap();
    assert!(h.wait_for_text("could not be reached").await);
    assert_eq!(h.lead(&ids[1]).await, other, "nothing saved");

    // Back: the copy catches up, and the notice goes by itself.
    h.restart_upstream();
    wait_until(
        &h,
        "the notice gone",
        "return all('.stale-notice').length === 0;",
    )
    .await;
    h.finish().await;
}
