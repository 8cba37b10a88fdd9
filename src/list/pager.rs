//! Where the reader is in the list, and the buttons to move through it.

use leads_core::PageMeta;
use leptos::prelude::*;

use crate::i18n::{msg, use_i18n, I18n};

/// The `21–40 of 250` text for a page that shows `shown` rows.
pub fn range_text(i18n: I18n, meta: PageMeta, shown: usize) -> String {
    let total = i18n.number(meta.total);
    match meta.range(shown) {
        Some((first, last)) => i18n.fill(
            msg::PAGER_RANGE,
            &[
                ("first", &i18n.number(first)),
                ("last", &i18n.number(last)),
                ("total", &total),
            ],
        ),
        None => i18n.fill(msg::PAGER_RANGE_NONE, &[("total", &total)]),
    }
}

/// Previous/next buttons and the page position, for the page on screen.
#[component]
pub fn Pager(
    meta: impl Fn() -> PageMeta + Copy + Send + Sync + 'static,
    shown: impl Fn() -> usize + Copy + Send + Sync + 'static,
    on_page: Callback<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let pages = move || meta().page_count();
    let page = move || meta().page;
    let page_of = move || {
        i18n.fill(
            msg::PAGER_PAGE_OF,
            &[
                ("page", &i18n.number(page().into())),
                ("pages", &i18n.number(pages().into())),
            ],
        )
    };
    view! {
        <nav class="pager" aria-label=i18n.text(msg::PAGER_LABEL)>
            <p class="pager__where">
                <span class="range">{move || range_text(i18n, meta(), shown())}</span>
                " · "
                <span>{page_of}</span>
            </p>
            <div class="pager__buttons">
                <button
                    class="button"
                    type="button"
                    disabled=move || { page() <= 1 }
                    on:click=move |_| on_page.run(page().saturating_sub(1).clamp(1, pages()))
                >
                    {i18n.text(msg::PAGER_PREVIOUS)}
                </button>
                <button
                    class="button"
                    type="button"
                    disabled=move || { page() >= pages() }
                    on:click=move |_| on_page.run(page() + 1)
                >
                    {i18n.text(msg::PAGER_NEXT)}
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
        crate::i18n::in_english(|i18n| {
            assert_eq!(range_text(i18n, meta(1, 20, 250), 20), "1–20 of 250");
            assert_eq!(range_text(i18n, meta(2, 20, 250), 20), "21–40 of 250");
            assert_eq!(range_text(i18n, meta(13, 20, 250), 10), "241–250 of 250");
            assert_eq!(range_text(i18n, meta(1, 20, 1_250), 20), "1–20 of 1,250");
            assert_eq!(range_text(i18n, meta(1, 20, 0), 0), "0 of 0");
        });
    }
}
