//! The built console, with SPA fallback and its settings written into its
//! page; `/config.json` with the same settings for consoles in portals; and
//! `/embed.js`, the loader portals paste.

use std::path::Path;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{ACCEPT_LANGUAGE, ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE, VARY};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Json;
use leads_core::config::{pick_language, FIRST_LIST_ID, PAGE_SETTINGS_ID};
use leads_core::{AuthMode, ConsoleConfig, ListQuery};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

use crate::auth::SignIn;

/// Where this server's API is, for its own console.
const API_BASE: &str = "/v1";

/// What the console needs to know of this server: its API, sign-in, and
/// whether it can search (the store can; the vendor's API cannot).
pub fn console_config(sign_in: &SignIn, search: bool) -> ConsoleConfig {
    ConsoleConfig {
        api_base: API_BASE.to_owned(),
        auth: if sign_in.required() {
            AuthMode::Bearer
        } else {
            AuthMode::None
        },
        idempotency_keys: true,
        search,
    }
}

/// `GET /config.json`, for consoles in portals.
pub async fn config_json(State(settings): State<ConsoleConfig>) -> impl IntoResponse {
    Json(settings)
}

/// The console's page, `page`, with its settings inside as a JSON script
/// element (never run, so the CSP needs no exception): the console starts
/// without waiting for `/config.json`.
pub fn console_page(page: &str, config: &ConsoleConfig) -> Bytes {
    // `<` escaped, so no value can close the element early.
    let json = serde_json::to_string(config)
        .unwrap_or_default()
        .replace('<', "\\u003c");
    let settings =
        format!(r#"<script type="application/json" id="{PAGE_SETTINGS_ID}">{json}</script>"#);
    Bytes::from(in_head(page, &settings))
}

/// `page` with `html` first in its `<head>` (first in the page, if it has
/// none): before the start-up script, which reads it as soon as the parser
/// reaches it (scripts/build-dist.sh).
fn in_head(page: &str, html: &str) -> String {
    const HEAD: &str = "<head>";
    let at = page.find(HEAD).map_or(0, |at| at + HEAD.len());
    format!("{}{html}{}", &page[..at], &page[at..])
}

/// The list request the console makes first on a page whose query string
/// is `query`, for the page's start-up script to send at once: the answer
/// is on its way while the wasm is still downloading and compiling, and the
/// console's own request is answered with it. (A `<link rel="preload">`
/// would do in Chromium and Firefox, but WebKit never hands a preloaded
/// answer to `fetch()`, and so asked twice.) The view is read by the
/// console's own reader (`ListQuery::from_query_string_lenient`), so both
/// name the same URL.
pub fn first_list_element(query: Option<&str>) -> String {
    let (view, _) = ListQuery::from_query_string_lenient(query.unwrap_or_default());
    let search = view.to_query_string();
    let sep = if search.is_empty() { "" } else { "?" };
    // A JSON string, `<` escaped so it cannot close the element early.
    let url = serde_json::to_string(&format!("{API_BASE}/leads{sep}{search}"))
        .unwrap_or_default()
        .replace('<', "\\u003c");
    format!(r#"<script type="application/json" id="{FIRST_LIST_ID}">{url}</script>"#)
}

/// Files from `dist`; any other path gets the console's page, so a deep
/// link such as `/?status=new` or `/leads` opens the console. With
/// `first_list` (no sign-in: the request needs no token) the page also
/// names its first list request ([`first_list_element`]), and it is in
/// the browser's language ([`in_language`]). The page is gzipped
/// for browsers that ask, small as it is: every cold load fetches it, and
/// it halves (the built files come precompressed).
pub fn console(dist: &Path, page: Option<Bytes>, first_list: bool) -> ServeDir<MethodRouter> {
    let page = get(move |uri: Uri, headers: HeaderMap| {
        let page = page.clone();
        async move {
            match page {
                Some(page) => {
                    let wanted = headers
                        .get(ACCEPT_LANGUAGE)
                        .and_then(|value| value.to_str().ok());
                    let mut page = in_language(&String::from_utf8_lossy(&page), wanted);
                    if first_list {
                        page = in_head(&page, &first_list_element(uri.query()));
                    }
                    // The page differs by the browser's language.
                    ([(VARY, "Accept-Language")], Html(page)).into_response()
                }
                None => (
                    StatusCode::NOT_FOUND,
                    "No built console here: run make build, or pass --dist.",
                )
                    .into_response(),
            }
        }
    })
    .layer(CompressionLayer::new());
    ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        .fallback(page)
}

/// `page` in the language of the console's that the browser asks for
/// first (`accept`, an `Accept-Language`; English without one): its
/// `<html lang>`, which the console on its own page speaks, as it does
/// the `lang` of a portal's page.
fn in_language(page: &str, accept: Option<&str>) -> String {
    let lang = pick_language(accept_language(accept.unwrap_or_default()));
    let open = "<html lang=\"";
    match page.find(open) {
        Some(at) => {
            let from = at + open.len();
            let to = page[from..].find('"').map_or(from, |end| from + end);
            format!("{}{lang}{}", &page[..from], &page[to..])
        }
        None => page.to_owned(),
    }
}

/// An `Accept-Language`'s tags, the most wanted first (by `q`, then by
/// place); tags with `q=0` are not wanted at all.
///
/// ```
/// # use leads_server::static_files::accept_language;
/// assert_eq!(accept_language("fr;q=0.5, de-AT, en;q=0.8"), ["de-AT", "en", "fr"]);
/// assert_eq!(accept_language("es;q=0, *"), ["*"]);
/// ```
pub fn accept_language(header: &str) -> Vec<&str> {
    let mut tags: Vec<(f32, &str)> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(1.0, |q| q.trim().parse().unwrap_or(0.0));
            (!tag.is_empty() && q > 0.0).then_some((q, tag))
        })
        .collect();
    // Stable: equal weights keep their order.
    tags.sort_by(|a, b| b.0.total_cmp(&a.0));
    tags.into_iter().map(|(_, tag)| tag).collect()
}

/// `/embed.js`: the fixed name a portal loads. It starts the current build
/// from the origin it came from, or, when that fails (the server does not
/// allow the portal's origin, say), says so inside each `<leads-console>`
/// instead of leaving a blank box. It carries nothing secret, so any page
/// may load it (`Access-Control-Allow-Origin: *`); the build it imports
/// and the API answer only `--allow-origin` origins.
pub async fn embed_js(State(script): State<Option<Bytes>>) -> Response {
    match &script {
        Some(script) => (
            [
                (CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            ],
            script.clone(),
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            [(CONTENT_TYPE, "text/javascript; charset=utf-8")],
            "console.error(\"This leads-server has no built console; run make build.\");",
        )
            .into_response(),
    }
}

/// The loader for the build in `dist`: scripts/build-dist.sh names its
/// script `leads-console-<hash>.js` and the module `…_bg.wasm` beside it.
pub fn embed_script(dist: &Path) -> Option<Bytes> {
    let script = std::fs::read_dir(dist)
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .find(|name| name.starts_with("leads-console-") && name.ends_with(".js"))?;
    let wasm = format!("{}_bg.wasm", script.trim_end_matches(".js"));
    Some(Bytes::from(format!(
        r#"// Leads Console loader: a fixed name that starts the current build.
const base = new URL(".", import.meta.url);
try {{
  const {{ default: init }} = await import(new URL("{script}", base).href);
  await init({{ module_or_path: new URL("{wasm}", base).href }});
}} catch (error) {{
  const message = "The leads console could not load from " + base.origin + ". The server may " +
    "be down, or it does not allow pages on " + location.origin + ": its administrator can " +
    "start it with --allow-origin " + location.origin + ".";
  for (const element of document.querySelectorAll("leads-console")) {{
    const root = element.shadowRoot || element.attachShadow({{ mode: "open" }});
    const notice = document.createElement("p");
    notice.setAttribute("role", "alert");
    notice.style.cssText = "margin:0;padding:12px 16px;border:1px solid #b3261e;color:#b3261e;" +
      "background:#fdecea;font:15px/1.45 system-ui,sans-serif";
    notice.textContent = message;
    root.replaceChildren(notice);
  }}
  console.warn(message, error);
}}
"#
    )))
}
