//! The whole path works: SQLite, the API, the wasm console, the DOM.

use crate::harness::Harness;

#[tokio::test(flavor = "multi_thread")]
async fn first_page_matches_the_api_with_no_console_errors() {
    let h = Harness::start().await;
    let expected = h.api_ids("").await;
    assert_eq!(expected.len(), 20);
    h.open("/").await;
    h.find("h1").await;
    let shown = h.wait_for_rows(&expected).await;
    assert_eq!(shown, expected, "server log:\n{}", h.server_log());
    let headers = h
        .browser
        .find_all(fantoccini::Locator::Css("thead th"))
        .await
        .unwrap();
    let mut texts = Vec::new();
    for th in headers {
        texts.push(th.text().await.unwrap());
    }
    assert_eq!(
        texts,
        ["Name", "Phone", "Email", "Status", "Source", "Score", "Tags", "Created"]
    );
    assert_eq!(h.console_errors().await, Vec::<String>::new());
    h.finish().await;
}
