//! The console runs under the server's strict Content-Security-Policy:
//! walking through it triggers no violation.

use base64::Engine;
use fantoccini::key::Key;
use sha2::{Digest, Sha256};

use crate::harness::{key, Harness};

/// What the server must send: `index.html`'s inline start-up script
/// allowed by its hash, nothing inline otherwise.
fn expected_policy() -> String {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/dist/index.html"))
        .expect("dist/index.html; run `make build`");
    let start = page.find("<script>").expect("the page's start-up script") + "<script>".len();
    let end = start + page[start..].find("</script>").expect("its end");
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&page[start..end]));
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}'; \
         style-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'self'"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_works_under_its_content_security_policy() {
    let h = Harness::start().await;
    let headers = h.headers_of("/").await;
    assert_eq!(
        headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok()),
        Some(expected_policy().as_str())
    );
    h.on_every_page(
        "window.cspViolations = []; \
         document.addEventListener('securitypolicyviolation', \
           e => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));",
    )
    .await;
    h.open("/").await;
    h.find("tbody tr[data-lead-id]").await;
    h.select("Status", "New").await;
    assert_eq!(h.wait_for_query("status=new").await, "status=new");

    h.click("New lead").await;
    {
        let field = h.field("dialog[open]", "Name").await;
        h.keys(&field, &format!("Policy Check{}", key(Key::Enter)))
            .await;
    }
    assert!(h.wait_for_text("Lead created").await);

    let row = h
        .find("tbody tr[data-lead-id]")
        .await
        .attr("data-lead-id")
        .await
        .unwrap();
    let id = row.unwrap_or_default();
    let name = h.lead(&id).await["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    h.click(&format!("Edit {name}")).await;
    {
        let field = h
            .field(&format!("tr[data-lead-id='{id}'] form"), "Email")
            .await;
        h.keys(&field, &format!("policy@example.com{}", key(Key::Enter)))
            .await;
    }
    assert!(h.wait_for_text("Lead updated").await);

    let violations = h.js("return window.cspViolations").await;
    assert_eq!(violations, serde_json::json!([]), "no policy violation");
    h.finish().await;
}
