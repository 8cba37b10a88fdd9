//! The console inside a portal: the example portal's hostile CSS, a portal
//! on a second origin (allowed, and not), the portal's own sign-in through
//! `getToken`, the events it hears, two consoles on one page, and the dark
//! theme's contrast.

use fantoccini::key::Key;
use serde_json::{json, Value};

use crate::harness::{key, Harness, HostPage, ServerOptions};

/// The styles that make the console look as it does, read inside its
/// shadow root: the same on its own page and in any portal.
async fn console_styles(h: &Harness) -> Value {
    h.js(
        "const props = ['font-family', 'font-size', 'font-weight', 'color', \
            'background-color', 'line-height', 'letter-spacing', 'text-transform', \
            'padding-top', 'padding-left', 'border-top-width', 'border-top-style', \
            'border-top-color', 'border-radius'];
          const parts = ['.leads-console', 'h1', 'label', 'select', 'button.button--primary', \
            'th', 'td', 'tbody a'];
          return Object.fromEntries(parts.map(css => {
            const style = getComputedStyle(root.querySelector(css));
            return [css, Object.fromEntries(props.map(p => [p, style.getPropertyValue(p)]))];
          }));",
    )
    .await
}

/// What the example portal's own CSS says its elements look like.
async fn portal_styles(h: &Harness) -> Value {
    h.js(
        "const style = css => getComputedStyle(document.querySelector(css));
          return {
            rootFont: style('html').fontSize,
            button: style('.portal-button').backgroundColor,
            table: style('.portal-table').borderTopStyle,
            cell: style('.portal-table td').backgroundColor,
            heading: style('.portal-side h2').textTransform,
          };",
    )
    .await
}

/// What the example portal's event log shows, newest first.
async fn portal_events(h: &Harness) -> Vec<String> {
    let events = h
        .js("return [...document.querySelectorAll('#portal-events li')].map(li => li.textContent)")
        .await;
    events
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e.as_str().map(str::to_owned))
        .collect()
}

async fn wait_for_portal_event(h: &Harness, expected: &str) -> Vec<String> {
    let started = std::time::Instant::now();
    loop {
        let events = portal_events(h).await;
        if events.first().map(String::as_str) == Some(expected)
            || started.elapsed() > std::time::Duration::from_secs(15)
        {
            return events;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A console server that allows a portal on a second origin, and that
/// portal's (still empty) page.
pub(crate) async fn with_portal(options: ServerOptions) -> (HostPage, Harness) {
    let host = HostPage::bind().await;
    let h = Harness::with(ServerOptions {
        allow_origins: vec![host.origin.clone()],
        ..options
    })
    .await;
    (host, h)
}

/// Serves `page` at the portal and opens it at `path` (a query of the
/// portal's own, say).
pub(crate) async fn open_portal(h: &Harness, host: &HostPage, path: &str, page: &str) {
    host.set(page);
    h.goto(&format!("{}{path}", host.origin)).await;
}

/// Picks `label` in the status select of lead `id`'s row.
async fn choose_status(h: &Harness, id: &str, label: &str) {
    let name = h.lead(id).await["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    h.named(&format!("Status for {name}"))
        .await
        .select_by_label(label)
        .await
        .unwrap_or_else(|err| panic!("choose {label} for {name}: {err}"));
}

/// A portal page that loads the console from `base` with `element`.
pub(crate) fn portal_page(base: &str, element: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><title>Portal</title>\
         <script type=\"module\" src=\"{base}/embed.js\"></script></head>\
         <body><main>{element}</main></body></html>"
    )
}

/// The example portal (`public/embed-example.html`) as a portal on its own
/// origin serves it: its files and the loader from the console's server.
fn example_portal(base: &str) -> String {
    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/public/embed-example.html"
    ))
    .expect("public/embed-example.html");
    page.replace("=\"/embed", &format!("=\"{base}/embed"))
}

/// The example portal on a second origin: paging, every filter, Back,
/// create, an inline status change and a row edit, with the portal's
/// hostile CSS kept out of the console and the console's out of the portal.
#[tokio::test(flavor = "multi_thread")]
async fn the_example_portal_hosts_a_working_console_and_keeps_its_own_styles() {
    let (host, h) = with_portal(ServerOptions::default()).await;
    h.open_view("/", "").await;
    let standalone = console_styles(&h).await;

    let all = h.api_ids("").await;
    open_portal(&h, &host, "/?tab=leads", &example_portal(&h.base)).await;
    assert_eq!(h.wait_for_rows(&all).await, all);
    assert_eq!(
        console_styles(&h).await,
        standalone,
        "the portal's CSS does not reach the console"
    );
    assert_eq!(
        portal_styles(&h).await,
        json!({"rootFont": "10px", "button": "rgb(255, 0, 0)", "table": "dashed",
               "cell": "rgb(255, 255, 0)", "heading": "uppercase"}),
        "the console's CSS does not reach the portal"
    );

    // Paging: the portal's own parameter stays.
    h.click("Next page").await;
    assert_eq!(
        h.wait_for_query("tab=leads&page=2").await,
        "tab=leads&page=2"
    );
    let second = h.api_ids("page=2").await;
    assert_eq!(h.wait_for_rows(&second).await, second, "page 2");
    h.click("Previous page").await;
    assert_eq!(h.wait_for_query("tab=leads").await, "tab=leads");
    assert_eq!(h.wait_for_rows(&all).await, all, "page 1");

    // Every filter: the portal's own parameter stays, and so does Back.
    let mut view = String::new();
    for (label, option, param) in [
        ("Status", "Contacted", "status=contacted"),
        ("Source", "Call", "source=call"),
        ("Sort by", "Highest score", "sort=-score"),
        ("Per page", "50", "limit=50"),
    ] {
        h.select(label, option).await;
        view = if view.is_empty() {
            param.to_owned()
        } else {
            format!("{view}&{param}")
        };
        let url = format!("tab=leads&{view}");
        assert_eq!(h.wait_for_query(&url).await, url);
        let expected = h.api_ids(&view).await;
        assert_eq!(h.wait_for_rows(&expected).await, expected, "{label}");
    }
    h.browser.back().await.unwrap();
    let before = "tab=leads&status=contacted&source=call&sort=-score";
    assert_eq!(h.wait_for_query(before).await, before);
    let expected = h.api_ids("status=contacted&source=call&sort=-score").await;
    assert_eq!(h.wait_for_rows(&expected).await, expected, "Back");
    h.click("Clear filters").await;
    let cleared = "tab=leads&sort=-score";
    assert_eq!(
        h.wait_for_query(cleared).await,
        cleared,
        "filters go, the sort stays"
    );
    let expected = h.api_ids("sort=-score").await;
    assert_eq!(h.wait_for_rows(&expected).await, expected);
    h.select("Sort by", "Newest first").await;
    assert_eq!(h.wait_for_query("tab=leads").await, "tab=leads");
    assert_eq!(h.wait_for_rows(&all).await, all);

    // Create: the dialog works inside the shadow root, and the portal hears.
    h.click("New lead").await;
    h.type_into(
        "dialog[open]",
        "Name",
        &format!("Portal Person{}", key(Key::Enter)),
    )
    .await;
    assert!(h.wait_for_text("Portal Person").await);
    let created = h.api("GET", "/v1/leads?limit=1", None).await.body["data"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let heard = format!("lead-created {{\"id\":\"{created}\"}}");
    assert_eq!(wait_for_portal_event(&h, &heard).await[0], heard);

    // An inline status change and a row edit, each heard with its fields.
    let id = all[0].clone();
    let name = h.lead(&id).await["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    choose_status(&h, &id, "Qualified").await;
    h.wait_for_lead(&id, |l| l["status"] == "qualified").await;
    let heard = format!("lead-updated {{\"id\":\"{id}\",\"fields\":[\"status\"]}}");
    assert_eq!(wait_for_portal_event(&h, &heard).await[0], heard);

    h.click(&format!("Edit {name}")).await;
    let email = h
        .field(&format!("tr[data-lead-id='{id}'] form"), "Email")
        .await;
    email.clear().await.unwrap();
    h.keys(&email, &format!("portal@example.com{}", key(Key::Enter)))
        .await;
    h.wait_for_lead(&id, |l| l["email"] == "portal@example.com")
        .await;
    let heard = format!("lead-updated {{\"id\":\"{id}\",\"fields\":[\"email\"]}}");
    assert_eq!(wait_for_portal_event(&h, &heard).await[0], heard);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_portal_on_another_origin_works_when_allowed() {
    let (host, h) = with_portal(ServerOptions {
        demo_leads: 5,
        ..ServerOptions::default()
    })
    .await;
    let page = portal_page(&h.base, "<leads-console></leads-console>");
    open_portal(&h, &host, "/?portal=1", &page).await;
    let expected = h.api_ids("").await;
    assert_eq!(h.wait_for_rows(&expected).await, expected);
    // A PATCH from another origin: a preflight, then the change.
    choose_status(&h, &expected[0], "Converted").await;
    let lead = h
        .wait_for_lead(&expected[0], |l| l["status"] == "converted")
        .await;
    assert_eq!(lead["status"], "converted");
    let url = h.browser.current_url().await.unwrap();
    assert_eq!(url.query(), Some("portal=1"), "the portal's URL is its own");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_console_says_so_while_its_settings_load_and_when_they_cannot() {
    let (host, h) = with_portal(ServerOptions {
        demo_leads: 3,
        ..ServerOptions::default()
    })
    .await;
    let page = portal_page(&h.base, "<leads-console></leads-console>");
    h.inject(json!({"files": true, "matches": "/config.json", "hold": "settings", "times": 1}))
        .await;
    open_portal(&h, &host, "/", &page).await;
    assert!(
        h.wait_for_text("Loading the console…").await,
        "{}",
        h.text().await
    );
    h.release("settings").await;
    let expected = h.api_ids("").await;
    assert_eq!(h.wait_for_rows(&expected).await, expected);

    // The browser reports the failed load; that is the point here.
    h.expect_page_error("config.json");
    h.inject(
        json!({"files": true, "matches": "/config.json", "status": 503, "html": true, "times": 1}),
    )
    .await;
    open_portal(&h, &host, "/?again", &page).await;
    let alert = h.find("[role='alert']").await.text().await.unwrap();
    assert!(
        alert.starts_with("The console could not load its settings.") && alert.contains("503"),
        "says what failed: {alert}"
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_portal_on_an_origin_not_allowed_sees_why_not_a_blank_box() {
    let host = HostPage::bind().await;
    let h = Harness::with(ServerOptions {
        demo_leads: 5,
        ..ServerOptions::default()
    })
    .await;
    // The browser reports the load it refuses; that is the point here.
    h.expect_page_error("CORS policy");
    let page = portal_page(&h.base, "<leads-console></leads-console>");
    open_portal(&h, &host, "/", &page).await;
    let advice = format!("--allow-origin {}", host.origin);
    assert!(h.wait_for_text(&advice).await, "{}", h.text().await);
    assert!(h.wait_for_text("could not load from").await);
    let alert = h.find("[role='alert']").await.text().await.unwrap();
    assert!(
        alert.contains(&h.base),
        "names the console's origin: {alert}"
    );
    h.finish().await;
}

/// A portal that signs people in itself: `getToken` answers `token`, and
/// the page counts the calls and what it heard.
fn signed_in_portal(base: &str, token: &str) -> String {
    let script = format!(
        "<script type=\"module\">
           window.tokenCalls = 0; window.heard = [];
           document.querySelector('leads-console').getToken = async () => {{
             window.tokenCalls += 1; return '{token}'; }};
           document.addEventListener('leads-console:unauthorized',
             e => window.heard.push(JSON.stringify(e.detail)));
         </script>"
    );
    // The element first, so the script above finds it before the console
    // starts.
    format!(
        "<!doctype html><html lang=\"en\"><head><title>Portal</title></head><body><main>\
         <leads-console></leads-console></main>{script}\
         <script type=\"module\" src=\"{base}/embed.js\"></script></body></html>"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_portals_get_token_signs_in_and_a_refused_token_is_reported() {
    const KEY: &str = "portal-key-0b7e";
    let (host, h) = with_portal(ServerOptions {
        demo_leads: 5,
        api_key: Some(KEY),
        ..ServerOptions::default()
    })
    .await;

    open_portal(&h, &host, "/", &signed_in_portal(&h.base, KEY)).await;
    let expected = h.api_ids("").await;
    assert_eq!(h.wait_for_rows(&expected).await, expected);
    assert!(!h.text().await.contains("API key"), "no Connect form");
    choose_status(&h, &expected[0], "Contacted").await;
    h.wait_for_lead(&expected[0], |l| l["status"] == "contacted")
        .await;
    assert_eq!(
        h.js("return window.tokenCalls").await,
        1,
        "the token is kept until refused"
    );

    let refused = signed_in_portal(&h.base, "not-the-key");
    open_portal(&h, &host, "/?refused", &refused).await;
    let started = std::time::Instant::now();
    while h.js("return window.heard.length").await == 0
        && started.elapsed() < std::time::Duration::from_secs(15)
    {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(h.js("return window.heard").await, json!(["{}"]));
    assert_eq!(
        h.js("return window.tokenCalls").await,
        2,
        "asked once more after the 401, then told the portal"
    );
    let text = h.text().await;
    assert!(!text.contains("API key"), "still no Connect form: {text}");
    assert!(text.contains("Sign in again in the portal"), "{text}");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_consoles_in_memory_filter_independently() {
    let (host, h) = with_portal(ServerOptions {
        demo_leads: 40,
        ..ServerOptions::default()
    })
    .await;
    let page = portal_page(
        &h.base,
        "<leads-console url-state=\"none\"></leads-console>\
         <leads-console url-state=\"none\"></leads-console>",
    );
    open_portal(&h, &host, "/?desk=7", &page).await;
    let all = h.api_ids("").await;
    let shows = |n: usize, expected: Vec<String>| {
        let h = &h;
        async move {
            let started = std::time::Instant::now();
            loop {
                let ids = h.console_ids(n).await;
                if ids == expected || started.elapsed() > std::time::Duration::from_secs(15) {
                    return ids;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    };
    assert_eq!(shows(0, all.clone()).await, all);
    assert_eq!(shows(1, all.clone()).await, all);

    h.in_console(0, "#filter-status")
        .await
        .select_by_label("New")
        .await
        .unwrap();
    let new = h.api_ids("status=new").await;
    assert_eq!(shows(0, new.clone()).await, new);
    h.in_console(1, "#filter-source")
        .await
        .select_by_label("Call")
        .await
        .unwrap();
    let calls = h.api_ids("source=call").await;
    assert_eq!(shows(1, calls.clone()).await, calls);
    assert_eq!(h.console_ids(0).await, new, "the first kept its own view");
    let url = h.browser.current_url().await.unwrap();
    assert_eq!(url.query(), Some("desk=7"), "neither touched the URL");
    h.finish().await;
}

/// The shipped build aborts on a panic: the module traps, the page gets a
/// `WebAssembly.RuntimeError`, and every console on the page says so. The
/// portal's own failing script is not the console stopping. (The throws
/// come from the portal's script: errors from WebDriver's are muted.)
#[tokio::test(flavor = "multi_thread")]
async fn a_trap_in_the_module_shows_the_notice_in_every_console_and_portal_errors_do_not() {
    let (host, h) = with_portal(ServerOptions {
        demo_leads: 5,
        ..ServerOptions::default()
    })
    .await;
    let page = portal_page(
        &h.base,
        "<button id=\"portal-fails\">Portal fails</button>\
         <button id=\"module-traps\">Module traps</button>\
         <leads-console url-state=\"none\"></leads-console>\
         <leads-console url-state=\"none\"></leads-console>\
         <script>\
           document.getElementById('portal-fails').onclick = () => { \
             throw new Error('a portal script failing'); };\
           document.getElementById('module-traps').onclick = () => { \
             Promise.reject(new WebAssembly.RuntimeError('unreachable')); };\
         </script>",
    );
    open_portal(&h, &host, "/", &page).await;
    h.in_console(1, "tbody tr[data-lead-id]").await;

    h.expect_page_error("a portal script failing");
    h.find("#portal-fails").await.click().await.unwrap();
    let started = std::time::Instant::now();
    while !h
        .console_errors()
        .await
        .concat()
        .contains("a portal script failing")
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(15),
            "no error logged"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        h.first(".panic-notice").await.is_none(),
        "a portal's error is not the console stopping"
    );

    h.expect_page_error("unreachable");
    h.find("#module-traps").await.click().await.unwrap();
    for n in 0..2 {
        let notice = h
            .in_console(n, ".leads-console > .panic-notice[role='alert']")
            .await;
        assert_eq!(
            notice.text().await.unwrap(),
            "Something went wrong — reload the page."
        );
    }
    h.finish().await;
}

/// The background of the first console's surface.
async fn surface(h: &Harness) -> Value {
    h.js("return getComputedStyle(root.querySelector('.leads-console')).backgroundColor")
        .await
}

const LIGHT: &str = "rgb(245, 247, 250)";
const DARK: &str = "rgb(18, 22, 28)";

/// Chromium only: the system's colour scheme changes at run time only
/// through DevTools' media emulation (Firefox and WebKit read it once, at
/// start).
#[tokio::test(flavor = "multi_thread")]
async fn the_theme_follows_the_system_unless_the_portal_chooses() {
    let h = Harness::start().await;
    h.open_view("/", "").await;
    assert_eq!(surface(&h).await, LIGHT);
    // No theme attribute: the console follows the system's choice...
    h.cdp(
        "Emulation.setEmulatedMedia",
        json!({"features": [{"name": "prefers-color-scheme", "value": "dark"}]}),
    )
    .await;
    assert_eq!(surface(&h).await, DARK, "auto follows prefers-color-scheme");
    // ...unless the portal says otherwise.
    h.js("document.querySelector('leads-console').setAttribute('theme', 'light')")
        .await;
    assert_eq!(surface(&h).await, LIGHT, "theme=light wins over the system");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dark_theme_passes_the_contrast_check() {
    let h = Harness::start().await;
    h.open_view("/", "").await;
    assert_eq!(surface(&h).await, LIGHT);
    // A portal's own accent, set on the element.
    h.js("document.querySelector('leads-console').style.setProperty('--leads-accent', 'rgb(10, 110, 20)')")
        .await;
    let accent = h
        .js("return getComputedStyle(root.querySelector('button.button--primary')).backgroundColor")
        .await;
    assert_eq!(
        accent, "rgb(10, 110, 20)",
        "--leads-accent restyles the console"
    );
    h.js("document.querySelector('leads-console').style.removeProperty('--leads-accent')")
        .await;
    h.js("document.querySelector('leads-console').setAttribute('theme', 'dark')")
        .await;
    assert_eq!(surface(&h).await, DARK, "the dark palette is on");
    let found = h.axe_violations().await;
    assert!(found.is_empty(), "the list, dark:\n{}", found.join("\n"));

    h.click("New lead").await;
    h.click("Create lead").await;
    h.find("dialog[open] [aria-invalid='true']").await;
    let found = h.axe_violations().await;
    assert!(
        found.is_empty(),
        "the dialog with errors, dark:\n{}",
        found.join("\n")
    );
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_elements_attributes_come_before_config_json() {
    let (host, h) = with_portal(ServerOptions {
        demo_leads: 3,
        ..ServerOptions::default()
    })
    .await;
    // The server is open (its config.json says auth none), but the
    // element asks for a key: the attribute wins.
    let element = format!(
        "<leads-console api-base=\"{}/v1\" auth=\"bearer\"></leads-console>",
        h.base
    );
    open_portal(&h, &host, "/", &portal_page(&h.base, &element)).await;
    h.labelled("API key").await;
    // And with auth none and the API base given, the leads come straight.
    let element = format!(
        "<leads-console api-base=\"{}/v1\" auth=\"none\"></leads-console>",
        h.base
    );
    open_portal(&h, &host, "/?again", &portal_page(&h.base, &element)).await;
    let expected = h.api_ids("").await;
    assert_eq!(h.wait_for_rows(&expected).await, expected);
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_embedded_console_is_live_with_the_portals_sign_in_and_tells_the_portal() {
    const KEY: &str = "portal-key-live-4c1d";
    let (host, h) = with_portal(ServerOptions {
        demo_leads: 5,
        api_key: Some(KEY),
        webhook_secret: Some("whsec-portal"),
        ..ServerOptions::default()
    })
    .await;
    let page = signed_in_portal(&h.base, KEY).replace(
        "window.heard = [];",
        "window.heard = []; window.created = []; \
         document.addEventListener('leads-console:lead-created', e => window.created.push(e.detail.id));",
    );
    open_portal(&h, &host, "/", &page).await;
    let expected = h.api_ids("").await;
    assert_eq!(h.wait_for_rows(&expected).await, expected);
    assert!(h.wait_for_text("Live").await);

    assert_eq!(
        h.deliver("evt_p1", json!({"id": "portal_1", "name": "Portal Pat"}))
            .await,
        202
    );
    h.button("Show 1 new lead").await;
    assert_eq!(h.js("return window.created").await, json!(["portal_1"]));

    // Cross-origin, a resumed stream sends Last-Event-ID (which CORS must
    // allow) and catches up on what arrived while it was away.
    h.inject(json!({"matches": "GET /v1/events", "hold": "back", "times": 1}))
        .await;
    h.cut_streams().await;
    h.wait_for_received("GET /v1/events", 2).await;
    assert_eq!(h.deliver("evt_p2", json!({"id": "portal_2"})).await, 202);
    h.release("back").await;
    h.button("Show 2 new leads").await;
    assert_eq!(
        h.js("return window.created").await,
        json!(["portal_1", "portal_2"])
    );
    assert!(
        h.server_log().lines().all(|line| !line.contains(KEY)),
        "the key is in no log line"
    );
    h.finish().await;
}
