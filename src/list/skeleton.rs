//! A light placeholder for the very first load, shaped like the table.

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::list::columns::COLUMNS;

/// How many placeholder rows to draw.
const ROWS: usize = 8;

/// Grey bars where rows will be; hidden from screen readers, which hear the
/// busy state instead.
#[component]
pub fn TableSkeleton() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-scroll" aria-hidden="true">
            <table class="leads-table">
                <thead>
                    <tr>{COLUMNS.map(|(name, _)| view! { <th>{i18n.text(name)}</th> }).collect_view()}</tr>
                </thead>
                <tbody>
                    {(0..ROWS)
                        .map(|_| {
                            view! {
                                <tr class="skeleton-row">
                                    {COLUMNS.map(|_| view! { <td><span></span></td> }).collect_view()}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
