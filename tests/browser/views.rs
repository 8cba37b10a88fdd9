//! Saved views: a name for the view in the URL, kept in this browser,
//! shown as a link that opens that view, and deleted on request.

use fantoccini::key::Key;

use crate::harness::{key, Harness};

/// The names of the links in the "Views" list, once the views bar (which
/// comes with the rest of the console, after the rows) is on the page.
async fn saved(h: &Harness) -> Vec<String> {
    h.find(".views").await;
    let links = h.all("ul[aria-label='Views'] a").await;
    let mut names = Vec::new();
    for link in links {
        names.push(link.text().await.unwrap_or_default());
    }
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_view_survives_a_reload_opens_its_view_and_can_be_deleted() {
    let h = Harness::start().await;
    let view = "status=new&sort=-score&limit=50";
    let rows = h.open_view(&format!("/?{view}"), view).await;

    h.click("Save view").await;
    h.wait_for_focus("View name").await;
    h.press(&key(Key::Enter)).await;
    assert!(h.wait_for_text("Give the view a name.").await);
    assert_eq!(
        saved(&h).await,
        Vec::<String>::new(),
        "nothing saved unnamed"
    );
    let name = h.labelled("View name").await;
    h.keys(&name, "Hot new leads").await;
    h.press(&key(Key::Enter)).await;
    h.wait_for_focus("Save view").await;
    assert_eq!(saved(&h).await, ["Hot new leads"]);
    let href = h
        .js("return all(\"ul[aria-label='Views'] a\")[0].getAttribute('href')")
        .await;
    assert_eq!(href, format!("/?{view}"), "a saved view is a link");

    // Another view, a reload: the link is still there and opens its view.
    h.open_view("/?source=call", "source=call").await;
    assert_eq!(saved(&h).await, ["Hot new leads"]);
    h.find("ul[aria-label='Views'] a")
        .await
        .click()
        .await
        .unwrap();
    assert_eq!(h.wait_for_query(view).await, view);
    assert_eq!(h.wait_for_rows(&rows).await, rows);
    let current = h
        .find("ul[aria-label='Views'] a[aria-current='page']")
        .await;
    assert_eq!(
        current.text().await.unwrap(),
        "Hot new leads",
        "the view on screen is marked"
    );

    h.click("Delete view Hot new leads").await;
    h.wait_for_focus("Save view").await;
    assert_eq!(saved(&h).await, Vec::<String>::new());
    h.open_view("/", "").await;
    assert_eq!(saved(&h).await, Vec::<String>::new(), "deleted for good");
    h.finish().await;
}
