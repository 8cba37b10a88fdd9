//! Where the reader is in the list, and the buttons to move through it.

use leads_core::PageMeta;
use leptos::prelude::*;

/// The `21–40 of 250` text for a page that shows `shown` rows.
///
/// ```
/// use leads_core::PageMeta;
/// let meta = PageMeta { page: 2, limit: 20, total: 250 };
/// assert_eq!(leads_console::list::pager::range_text(meta, 20), "21–40 of 250");
/// ```
pub fn range_text(meta: PageMeta, shown: usize) -> String {
    match meta.range(shown) {
        Some((first, last)) => format!("{first}–{last} of {}", meta.total),
        None => format!("0 of {}", meta.total),
    }
}

/// Previous/next buttons and the page position, for the page on screen.
#[component]
pub fn Pager(
    meta: impl Fn() -> PageMeta + Copy + Send + Sync + 'static,
    shown: impl Fn() -> usize + Copy + Send + Sync + 'static,
    on_page: Callback<u32>,
) -> impl IntoView {
    let pages = move || meta().page_count();
    let page = move || meta().page;
    view! {
        <nav class="pager" aria-label="Pages">
            <p class="pager__where">
                <span class="range">{move || range_text(meta(), shown())}</span>
                " · "
                <span>{move || format!("Page {} of {}", page(), pages())}</span>
            </p>
            <div class="pager__buttons">
                <button
                    class="button"
                    type="button"
                    disabled=move || { page() <= 1 }
                    on:click=move |_| on_page.run(page().saturating_sub(1).clamp(1, pages()))
                >
                    "Previous page"
                </button>
                <button
                    class="button"
                    type="button"
                    disabled=move || { page() >= pages() }
                    on:click=move |_| on_page.run(page() + 1)
                >
                    "Next page"
                </button>
            </div>
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(page: u32, limit: u32, total: u64) -> PageMeta {
        PageMeta { page, limit, total }
    }

    #[test]
    fn range_text_counts_what_is_shown() {
        assert_eq!(range_text(meta(1, 20, 250), 20), "1–20 of 250");
        assert_eq!(range_text(meta(13, 20, 250), 10), "241–250 of 250");
        assert_eq!(range_text(meta(1, 20, 0), 0), "0 of 0");
    }
}
