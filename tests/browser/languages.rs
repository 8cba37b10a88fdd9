//! The console in the portal's language: which language it picks (the
//! element's `lang`, the nearest ancestor's, the browser's), that only the
//! catalog in use is fetched, that a change of `lang` keeps what was typed,
//! and that every word on screen comes from the catalog and fits where it
//! is shown (a pseudo-language, bracketed and lengthened, stands in for a
//! catalog).

use fantoccini::key::Key;
use serde_json::{json, Value};

use crate::embed::{open_portal, portal_page, with_portal};
use crate::harness::{key, Harness, ServerOptions};

/// The catalogs this page fetched, by path, in order.
async fn catalogs_fetched(h: &Harness) -> Vec<String> {
    let paths = h
        .js("return performance.getEntriesByType('resource')
               .map(e => new URL(e.name).pathname).filter(p => p.startsWith('/i18n/'));")
        .await;
    serde_json::from_value(paths).unwrap_or_default()
}

/// The `lang` of the portal's page and of the console's root.
async fn langs(h: &Harness) -> (String, String) {
    let found = h
        .js("return [document.documentElement.lang, all('.console')[0].lang];")
        .await;
    let text = |i: usize| found[i].as_str().unwrap_or_default().to_owned();
    (text(0), text(1))
}

/// A script for a portal's page, before the console's: it records in
/// `window.englishSeen` each English word the console's shadow root ever
/// held, as the browser would have painted it.
const ENGLISH_WATCH: &str = "<script>
  window.englishSeen = [];
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    const look = () => {
      for (const word of ['Loading', 'New lead', 'Previous page']) {
        if (root.textContent.includes(word) && !englishSeen.includes(word)) englishSeen.push(word);
      }
    };
    new MutationObserver(look).observe(root, { subtree: true, childList: true, characterData: true });
    return root;
  };
</script>";

#[tokio::test(flavor = "multi_thread")]
async fn a_portal_in_german_gets_the_console_in_german_and_only_the_german_catalog() {
    let (host, h) = with_portal(ServerOptions::default()).await;
    let ids = h.api_ids("").await;
    let page = portal_page(&h.base, "<leads-console></leads-console>")
        .replace("<html lang=\"en\">", "<html lang=\"de\">")
        .replace("</title>", &format!("</title>{ENGLISH_WATCH}"));
    open_portal(&h, &host, "/", &page).await;
    h.button("Neuer Lead").await;
    assert_eq!(h.wait_for_rows(&ids).await, ids);
    // Never a flash of English while the German catalog came.
    assert_eq!(h.js("return window.englishSeen;").await, json!([]));
    h.labelled("Quelle").await;
    assert!(h.wait_for_text("Seite 1 von").await);
    assert_eq!(catalogs_fetched(&h).await, ["/i18n/de.json"]);
    assert_eq!(langs(&h).await, ("de".to_owned(), "de".to_owned()));

    // Phones read grouped, and call the number as stored.
    let links = h
        .js("return all('a[href^=\"tel:\"]').map(a => [a.getAttribute('href'), a.textContent]);")
        .await;
    let links: Vec<(String, String)> = serde_json::from_value(links).unwrap_or_default();
    assert!(!links.is_empty(), "the demo leads have phones");
    for (href, text) in links {
        let digits = href.trim_start_matches("tel:+1");
        assert_eq!(
            text,
            format!("+1 {}-{}-{}", &digits[..3], &digits[3..6], &digits[6..]),
            "{href}"
        );
    }

    // A form's checks speak German too.
    h.click("Neuer Lead").await;
    let phone = h.field(".dialog", "Telefon").await;
    h.keys(&phone, &format!("555{}", key(Key::Tab))).await;
    assert!(
        h.wait_for_text("Die Telefonnummer muss im Format E.164 sein")
            .await
    );
    h.click("Abbrechen").await;
    let violations = h.axe_violations().await;
    assert!(violations.is_empty(), "{violations:#?}");
    h.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_elements_lang_comes_first_and_a_change_keeps_what_was_typed() {
    let (host, h) = with_portal(ServerOptions::default()).await;
    let ids = h.api_ids("").await;
    let lead = h.lead(&ids[0]).await;
    let name = lead["name"].as_str().unwrap_or_default().to_owned();
    let page = portal_page(&h.base, "<leads-console lang=\"fr\"></leads-console>")
        .replace("<html lang=\"en\">", "<html lang=\"de\">");
    open_portal(&h, &host, "/", &page).await;
    h.button("Nouveau prospect").await;
    assert_eq!(h.wait_for_rows(&ids).await, ids);

    // A row editor open, with typing in it, when the language changes.
    h.click(&format!("Modifier {name}")).await;
    let scope = format!("tr[data-lead-id='{}'] form", ids[0]);
    let field = h.field(&scope, "Nom").await;
    h.keys(&field, " Typé").await;
    h.js("document.querySelector('leads-console').setAttribute('lang', 'es');")
        .await;
    h.button("Nuevo lead").await;
    // The rows' own words too: the next lead's status choices.
    let options = h
        .js(&format!(
            "return [...all(\"tr[data-lead-id='{}'] select option\")].map(o => o.textContent);",
            ids[1]
        ))
        .await;
    assert_eq!(
        options,
        json!(["Nuevo", "Contactado", "Cualificado", "Convertido"]),
        "the rows are in Spanish"
    );
    let field = h.field(&scope, "Nombre").await;
    assert_eq!(
        field.prop("value").await.unwrap().as_deref(),
        Some(format!("{name} Typé").as_str()),
        "the typing survives the change of language"
    );
    h.click("Guardar").await;
    let saved = h
        .wait_for_lead(&ids[0], |l| l["name"] == json!(format!("{name} Typé")))
        .await;
    assert_eq!(saved["name"], json!(format!("{name} Typé")));
    assert_eq!(langs(&h).await, ("de".to_owned(), "es".to_owned()));

    // Without its own lang, the console reads the page's.
    h.js("document.querySelector('leads-console').removeAttribute('lang');")
        .await;
    h.button("Neuer Lead").await;
    assert_eq!(
        catalogs_fetched(&h).await,
        ["/i18n/fr.json", "/i18n/es.json", "/i18n/de.json"]
    );
    assert_eq!(langs(&h).await, ("de".to_owned(), "de".to_owned()));
    h.finish().await;
}

/// Chromium only: the browser's language is set through DevTools. Its own
/// page's language is the one the browser asks for; an element whose
/// `lang` is empty takes the browser's languages over the page's.
#[tokio::test(flavor = "multi_thread")]
async fn on_its_own_page_the_console_speaks_the_browsers_language() {
    let h = Harness::start().await;
    let ids = h.open_view("/", "").await;
    assert!(h.has_button("New lead").await);
    assert_eq!(
        catalogs_fetched(&h).await,
        Vec::<String>::new(),
        "English needs no catalog"
    );
    assert_eq!(langs(&h).await, ("en".to_owned(), "en".to_owned()));

    h.set_locale("es-ES").await;
    h.open("/").await;
    h.button("Nuevo lead").await;
    assert_eq!(h.wait_for_rows(&ids).await, ids);
    assert_eq!(langs(&h).await, ("es".to_owned(), "es".to_owned()));
    // Dates as Spanish writes them, and numbers too.
    let shown = h
        .js("const time = all('tbody time')[0];
             const at = new Date(time.getAttribute('datetime'));
             return [time.querySelector('.nowrap').textContent,
                     new Intl.DateTimeFormat('es-ES', { dateStyle: 'medium' }).format(at)];")
        .await;
    assert_eq!(shown[0], shown[1], "{shown}");

    // An empty `lang` on the element says its language is unknown: the
    // browser's languages decide, not the page's (German here).
    h.js("document.documentElement.lang = 'de';
          document.querySelector('leads-console').setAttribute('lang', 'fr');")
        .await;
    h.button("Nouveau prospect").await;
    h.js("document.querySelector('leads-console').setAttribute('lang', '');")
        .await;
    h.button("Nuevo lead").await;
    assert_eq!(langs(&h).await, ("de".to_owned(), "es".to_owned()));
    h.finish().await;
}

/// `text` in the pseudo-language: every letter accented, a third longer,
/// in brackets, its `{placeholders}` kept.
fn pseudo(text: &str) -> String {
    let mut out = String::from("⟦");
    let mut in_placeholder = false;
    for c in text.chars() {
        in_placeholder = match c {
            '{' => true,
            '}' => false,
            _ => in_placeholder,
        };
        out.push(if in_placeholder {
            c
        } else {
            match c {
                'a' => 'á',
                'e' => 'é',
                'i' => 'í',
                'o' => 'ö',
                'u' => 'ü',
                'A' => 'Å',
                'E' => 'É',
                'O' => 'Ø',
                'n' => 'ñ',
                'c' => 'ç',
                other => other,
            }
        });
    }
    out.push(' ');
    out.push_str(&"·".repeat(text.chars().count().div_ceil(3)));
    out.push('⟧');
    out
}

/// What on screen did not come from the catalog (visible text, accessible
/// names, placeholders, cell labels, styled text), with `words`, and what
/// overflows, is clipped or leaves the screen; `data` are the leads' own
/// values, which are not words of ours. A real catalog's words may read as
/// English's ("Status"), so only the pseudo-language's are checked.
async fn problems_on_screen(h: &Harness, data: &[String], words: bool) -> Vec<String> {
    let found = h
        .browser
        .execute(
            "const [data, checkWords] = [new Set(arguments[0]), arguments[1]];
             const root = document.querySelector('leads-console').shadowRoot;
             const ours = t => t.includes('⟦') || t.includes('⟧');
             const words = t => /\\p{L}{2,}/u.test(t);
             const isData = t => data.has(t) || [...data].some(d => d && d.length > 2 && t.includes(d));
             const shown = el => el.getClientRects().length > 0 || el.closest('select');
             const where = el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '');
             const problems = [];
             if (checkWords) {
               const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
               for (let node; (node = walker.nextNode());) {
                 const text = node.textContent.trim();
                 const el = node.parentElement;
                 if (!el || !text || !words(text) || !shown(el)) continue;
                 if (el.closest('time, kbd, bdi, mark, .tag, a[href^=\"tel:\"], a[href^=\"mailto:\"]')) continue;
                 if (ours(text) || isData(text)) continue;
                 problems.push('text ' + JSON.stringify(text) + ' in ' + where(el));
               }
               for (const el of root.querySelectorAll('[aria-label], [title], [placeholder], [data-label]')) {
                 for (const name of ['aria-label', 'title', 'placeholder', 'data-label']) {
                   const text = el.getAttribute(name);
                   if (text && words(text) && !ours(text) && !isData(text)) {
                     problems.push(name + ' ' + JSON.stringify(text) + ' on ' + where(el));
                   }
                 }
               }
               for (const el of root.querySelectorAll('*')) {
                 for (const part of ['::before', '::after']) {
                   const content = getComputedStyle(el, part).content;
                   if (/^\".*\"$/.test(content) && words(content) && !ours(content)) {
                     problems.push('generated ' + content + ' on ' + where(el) + part);
                   }
                 }
               }
             }
             if (document.documentElement.scrollWidth > innerWidth + 1) {
               problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + innerWidth);
             }
             // Hidden but for screen readers (clipped to a pixel on purpose).
             const forReadersOnly = el => {
               for (let at = el; at && at !== root; at = at.parentNode) {
                 const style = at.nodeType === 1 && getComputedStyle(at);
                 if (style && (style.clipPath !== 'none' || style.clip !== 'auto')) return true;
               }
               return false;
             };
             for (const el of root.querySelectorAll('*')) {
               const own = [...el.childNodes].some(n => n.nodeType === 3 && words(n.textContent));
               if (!own || !el.getClientRects().length || forReadersOnly(el)) continue;
               const style = getComputedStyle(el);
               const box = el.getBoundingClientRect();
               const text = JSON.stringify(el.textContent.trim().slice(0, 60));
               if (box.right > innerWidth + 1 || box.left < -1) {
                 problems.push('off the screen: ' + where(el) + ' ' + text +
                   ' (' + Math.round(box.left) + '–' + Math.round(box.right) + ' of ' + innerWidth + ')');
               }
               if (style.display === 'inline' || ['auto', 'scroll'].includes(style.overflowX)) continue;
               if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1 && style.overflowY !== 'visible') {
                 problems.push('overflows: ' + where(el) + ' ' + text +
                   ' (' + el.scrollWidth + ' > ' + el.clientWidth + ')');
               }
             }
             return problems;",
            vec![json!(data), json!(words)],
        )
        .await
        .expect("read the page's words");
    serde_json::from_value(found).unwrap_or_default()
}

/// Clicks the first element matching `css`, once there is one.
async fn click_on(h: &Harness, css: &str) {
    h.find(css)
        .await
        .click()
        .await
        .unwrap_or_else(|err| panic!("click {css}: {err}"));
}

/// Opens the console's page `width` pixels wide and looks at every view:
/// the list, a selection's bulk bar, a row editor, a saved status with its
/// Undo, the Save view form, the New lead dialog with a field's error, the
/// shortcuts, a failed load with Retry and an empty result.
async fn every_view(
    h: &Harness,
    ids: &[String],
    data: &[String],
    width: u32,
    words: bool,
) -> Vec<String> {
    h.open_at_width("/", width).await;
    assert_eq!(h.wait_for_rows(ids).await, ids);
    let mut problems = Vec::new();
    let lang = h.js("return document.documentElement.lang;").await;
    let mut look = |view: &str, found: Vec<String>| {
        problems.extend(
            found
                .into_iter()
                .map(|p| format!("{lang} {width} px, {view}: {p}")),
        );
    };
    look("the list", problems_on_screen(h, data, words).await);

    click_on(h, "tbody input[type=checkbox]").await;
    h.find(".bulk").await;
    look("the bulk bar", problems_on_screen(h, data, words).await);

    click_on(h, "tr[data-lead-id] .icon-button").await;
    h.find(".row-editor").await;
    look("a row editor", problems_on_screen(h, data, words).await);
    h.press(&key(Key::Escape)).await;

    h.js("const select = all('tbody tr[data-lead-id] select')[1];
          select.value = select.value === 'converted' ? 'new' : 'converted';
          select.dispatchEvent(new Event('change', { bubbles: true }));")
        .await;
    h.find(".toast--success button").await;
    look("a saved status", problems_on_screen(h, data, words).await);
    click_on(h, ".toast .button--quiet").await;

    click_on(h, ".views > .button").await;
    h.find(".views__form").await;
    look("Save view", problems_on_screen(h, data, words).await);
    h.press(&key(Key::Escape)).await;

    click_on(h, ".topbar__actions .button--primary").await;
    let phone = h.find("#new-lead-phone").await;
    h.keys(&phone, &format!("555{}", key(Key::Tab))).await;
    h.find("#new-lead-phone-error").await;
    look("New lead", problems_on_screen(h, data, words).await);
    h.press(&key(Key::Escape)).await;

    h.press("?").await;
    h.find("dialog[open] .shortcuts").await;
    look("the shortcuts", problems_on_screen(h, data, words).await);
    h.press(&key(Key::Escape)).await;

    // A proxy's page, not the API's own words: the console says what happened.
    h.inject(json!({"matches": "GET /v1/leads", "status": 500, "html": true, "times": 1}))
        .await;
    let search = h.find("#filter-search").await;
    h.keys(&search, "qqqqqqqq").await;
    h.find(".notice--error").await;
    look("a failed load", problems_on_screen(h, data, words).await);
    click_on(h, ".notice--error .button").await;
    h.find(".notice--empty").await;
    look("an empty result", problems_on_screen(h, data, words).await);
    problems
}

/// Every view in a pseudo-language (every message bracketed and a third
/// longer, served as German), at 1280 and 360 pixels: any word that is not
/// the catalog's, or that does not fit, fails it; then every view in each
/// real language, which must fit too. Chromium only: the browser's
/// language is set through DevTools.
#[tokio::test(flavor = "multi_thread")]
async fn in_a_pseudo_language_every_word_is_the_catalogs_and_every_language_fits() {
    let catalog_text = |lang: &str| {
        let path = format!("{}/i18n/{lang}.json", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
    };
    let english: serde_json::Map<String, Value> =
        serde_json::from_str(&catalog_text("en")).expect("the English catalog");
    let pseudo_catalog: serde_json::Map<String, Value> = english
        .iter()
        .map(|(key, text)| {
            (
                key.clone(),
                json!(pseudo(text.as_str().unwrap_or_default())),
            )
        })
        .collect();
    let h = Harness::start().await;
    let ids = h.api_ids("").await;
    let mut data = Vec::new();
    for id in &ids {
        let lead = h.lead(id).await;
        for field in ["name", "email", "phone", "source"] {
            if let Some(text) = lead[field].as_str() {
                data.push(text.to_owned());
            }
        }
        for tag in lead["tags"].as_array().into_iter().flatten() {
            data.extend(tag.as_str().map(str::to_owned));
        }
    }
    let mut problems = Vec::new();
    h.serve_catalog("de", &Value::Object(pseudo_catalog).to_string());
    h.set_locale("de-DE").await;
    for width in [1280, 360] {
        problems.extend(every_view(&h, &ids, &data, width, true).await);
    }
    h.serve_catalog("de", &catalog_text("de"));
    for locale in ["de-DE", "fr-FR", "es-ES", "en-US"] {
        h.set_locale(locale).await;
        for width in [1280, 360] {
            problems.extend(every_view(&h, &ids, &data, width, false).await);
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    h.finish().await;
}
