//! Export CSV: the downloaded file holds exactly the API's leads for the
//! view's filter and order, across pages, quoted and guarded as the
//! contract says; a lead arriving mid-export is neither lost nor doubled;
//! Cancel saves nothing.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::{Harness, ServerOptions, PATIENCE};

const HEADER: [&str; 10] = [
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
];

/// Waits for the one finished download in `dir`.
pub(crate) async fn downloaded(dir: &Path) -> PathBuf {
    let started = Instant::now();
    loop {
        let files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        let done: Vec<&PathBuf> = files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "csv"))
            .collect();
        // Chromium's and Firefox's files while they are written.
        let partial = files.iter().any(|p| {
            p.extension()
                .is_some_and(|e| e == "crdownload" || e == "part")
        });
        if done.len() == 1 && !partial {
            return done[0].clone();
        }
        assert!(
            started.elapsed() < PATIENCE,
            "no download in {dir:?}: {files:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// RFC 4180 records, as a spreadsheet reads them.
pub(crate) fn parse(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut cell) = (Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    rows
}

/// What a cell of `value` must read once a spreadsheet opened the file.
fn guarded(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// The API's leads for `query`, every page, in order.
async fn all_leads(h: &Harness, query: &str) -> Vec<Value> {
    let mut leads = Vec::new();
    for page in 1.. {
        let reply = h
            .api(
                "GET",
                &format!("/v1/leads?{query}&limit=100&page={page}"),
                None,
            )
            .await;
        let data = reply.body["data"].as_array().cloned().unwrap_or_default();
        if data.is_empty() {
            break;
        }
        leads.extend(data);
    }
    leads
}

/// The row a lead must have in the file.
fn expected_row(lead: &Value) -> Vec<String> {
    HEADER
        .iter()
        .map(|field| {
            let value = &lead[*field];
            let text = match value {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                Value::Array(tags) => tags
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(";"),
                other => other.to_string(),
            };
            guarded(&text)
        })
        .collect()
}

async fn create_converted(h: &Harness, body: Value) -> String {
    let created = h.api("POST", "/v1/leads", Some(body)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let updated = h
        .api(
            "PATCH",
            &format!("/v1/leads/{id}"),
            Some(json!({"status": "converted"})),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    id
}

#[tokio::test(flavor = "multi_thread")]
async fn the_file_holds_the_filtered_view_across_pages_quoted_and_guarded() {
    let h = Harness::with(ServerOptions {
        demo_leads: 900,
        ..ServerOptions::default()
    })
    .await;
    let tricky = [
        json!({"name": "Ana, \"the boss\" Núñez 🌶", "tags": ["a,b", "say \"hi\""]}),
        json!({"name": "=HYPERLINK(\"http://evil.example\",\"click\")", "phone": "+15551234567"}),
        json!({"name": "@SUM(A1:A9)", "email": "at@example.com", "tags": ["-1", "+2"]}),
        json!({"name": "Line one\nline two"}),
    ];
    for body in tricky {
        create_converted(&h, body).await;
    }
    let dir = h.downloads().await;
    h.open_view("/?status=converted&sort=name", "status=converted&sort=name")
        .await;
    h.click("Export CSV").await;
    let file = downloaded(&dir).await;
    assert!(
        h.wait_for_text("Exported ").await,
        "no outcome; the page reads:\n{}",
        h.text().await
    );

    let today = h
        .js("const d = new Date(); return [d.getFullYear(), String(d.getMonth() + 1).padStart(2, '0'), String(d.getDate()).padStart(2, '0')].join('-');")
        .await;
    assert_eq!(
        file.file_name().unwrap().to_string_lossy(),
        format!("leads-status-converted-{}.csv", today.as_str().unwrap())
    );
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(&bytes[..3], b"\xef\xbb\xbf", "UTF-8 with a byte order mark");
    let text = String::from_utf8(bytes[3..].to_vec()).expect("UTF-8");
    assert!(
        text.contains("\"Ana, \"\"the boss\"\" Núñez 🌶\""),
        "quoted as RFC 4180 says"
    );
    let rows = parse(&text);
    assert_eq!(rows[0], HEADER);

    // The console's requests, before the test's own below.
    let pages: Vec<String> = h
        .wait_for_received("GET /v1/leads?", 0)
        .await
        .iter()
        .filter_map(|r| r["uri"].as_str().map(str::to_owned))
        .filter(|uri| uri.contains("limit=100"))
        .collect();
    assert_eq!(
        pages.len(),
        (rows.len() - 1).div_ceil(100),
        "one request per page of 100: {pages:?}"
    );
    let leads = all_leads(&h, "status=converted&sort=name").await;
    assert!(
        leads.len() > 100,
        "the view spans several export pages: {}",
        leads.len()
    );
    let expected: Vec<Vec<String>> = leads.iter().map(expected_row).collect();
    assert_eq!(rows[1..].len(), expected.len(), "one row per lead");
    assert_eq!(
        rows[1..],
        expected[..],
        "the API's leads, in the view's order"
    );
    assert!(
        rows.iter()
            .any(|r| r[1] == "'=HYPERLINK(\"http://evil.example\",\"click\")"),
        "a formula is defused"
    );

    h.finish().await;
}

/// An export of all 300 leads, started, with the answer for its second
/// page held at `gate` (once, or for every walk).
async fn export_held_at_page_two(gate: &str, once: bool) -> (Harness, PathBuf) {
    export_held_at(300, 2, gate, once).await
}

/// An export of all `leads`, started, with the answer for its `page`
/// held at `gate` (once, or for every walk).
async fn export_held_at(leads: u32, page: u32, gate: &str, once: bool) -> (Harness, PathBuf) {
    let h = Harness::with(ServerOptions {
        demo_leads: leads,
        ..ServerOptions::default()
    })
    .await;
    let dir = h.downloads().await;
    h.open_view("/", "").await;
    // Page 1 is the default, left out of the query.
    let held = match page {
        1 => "limit=100".to_owned(),
        _ => format!("limit=100&page={page}"),
    };
    let mut rule = json!({"matches": held, "hold": gate});
    if once {
        rule["times"] = json!(1);
    }
    h.inject(rule).await;
    h.click("Export CSV").await;
    h.find("progress[aria-label='Exporting leads']").await;
    h.wait_for_received(&held, 1).await;
    (h, dir)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lead_arriving_mid_export_is_neither_lost_nor_doubled() {
    let (h, dir) = export_held_at_page_two("arrival", true).await;
    // Newest first: the new lead pushes every other one a place down.
    let arrived = h
        .api("POST", "/v1/leads", Some(json!({"name": "Late Arrival"})))
        .await;
    assert_eq!(arrived.status, 201);
    h.release("arrival").await;
    let file = downloaded(&dir).await;
    let text = String::from_utf8(std::fs::read(&file).unwrap()[3..].to_vec()).unwrap();
    let ids: Vec<String> = parse(&text)[1..].iter().map(|r| r[0].clone()).collect();
    let api: Vec<String> = all_leads(&h, "")
        .await
        .iter()
        .filter_map(|l| l["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(ids, api, "every lead of the view now, each once, in order");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_export_saves_nothing() {
    let (h, dir) = export_held_at_page_two("cancel", false).await;
    h.click("Cancel export").await;
    h.release("cancel").await;
    assert!(
        h.wait_for_text("Export cancelled; nothing was saved.")
            .await
    );
    h.settle().await;
    assert_eq!(
        h.wait_for_received("limit=100&page=3", 0).await.len(),
        0,
        "no page was asked for after Cancel"
    );
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert!(files.is_empty(), "nothing was downloaded: {files:?}");
    h.finish().await;
}

/// Cancel pressed while the view's last (here its only) page is on its way:
/// the answer arrives, and still nothing is saved.
#[tokio::test(flavor = "multi_thread")]
async fn cancel_while_the_last_page_loads_saves_nothing() {
    let (h, dir) = export_held_at(40, 1, "last", false).await;
    h.click("Cancel export").await;
    h.release("last").await;
    assert!(
        h.wait_for_text("Export cancelled; nothing was saved.")
            .await
    );
    h.settle().await;
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert!(files.is_empty(), "nothing was downloaded: {files:?}");
    h.finish().await;
}

/// An export whose code could not be downloaded says why once the console
/// has its code again, in the console's language, and again in another
/// once the language changes.
#[tokio::test(flavor = "multi_thread")]
async fn an_export_that_could_not_start_says_why_in_the_consoles_language() {
    let h = Harness::start().await;
    // Every download of the module fails until Export CSV's has.
    let extras = "/split-extras-";
    h.inject(json!({"files": true, "matches": extras, "status": 503}))
        .await;
    h.expect_page_error(h.engine.failed_module_download());
    h.open_view("/", "").await;
    assert!(h.wait_for_text("Retry").await, "the page's download failed");
    let tried = h.wait_until_answered(extras).await.len();
    h.click("Export CSV").await;
    h.wait_for_received(extras, tried + 1).await;
    h.wait_until_answered(extras).await;
    let cleared = h.api("DELETE", "/_test/faults", None).await;
    assert_eq!(cleared.status, 204);
    h.click("Retry").await;
    let failed = "The export stopped: This part of the console could not be loaded. Check \
        the connection, then retry. Nothing was saved; press Export CSV to try again.";
    let said = "return all('.export[role=alert]').map(e => e.textContent.trim());";
    h.wait_for_js("the export's failure", said, json!([failed]))
        .await;
    h.js("document.querySelector('leads-console').setAttribute('lang', 'de');")
        .await;
    h.wait_for_js(
        "the failure in German",
        said,
        json!([
            "Der Export wurde abgebrochen: Dieser Teil der Konsole konnte nicht geladen \
            werden. Prüfen Sie die Verbindung und versuchen Sie es dann erneut. Es wurde nichts \
            gespeichert; klicken Sie auf „Als CSV exportieren“, um es noch einmal zu versuchen."
        ]),
    )
    .await;
    h.finish().await;
}
