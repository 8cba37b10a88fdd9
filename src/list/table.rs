//! The table of leads: sortable headers and one keyed row per lead, in the
//! order the API sent. Rows stay mounted while their lead stays in the view,
//! so a save in progress or an open editor survives a reload.

use leads_core::{ListQuery, PartialLead, Sort};
use leptos::prelude::*;

use crate::bulk::selection::{PageChoice, Selection};
use crate::i18n::{msg, use_i18n};
use crate::list::columns::COLUMNS;
use crate::list::focus::RowFocus;
use crate::list::row::LeadRow;

/// The leads table. `sort` is the loaded page's order; `view` the view
/// the URL asks for (a row marks a lead its filter no longer matches).
#[component]
pub fn LeadsTable(
    rows: Memo<Vec<PartialLead>>,
    sort: impl Fn() -> Sort + Copy + Send + Sync + 'static,
    view: Memo<ListQuery>,
    on_sort: Callback<Sort>,
) -> impl IntoView {
    let i18n = use_i18n();
    let headers = COLUMNS
        .map(|(column, sort_on_click)| match sort_on_click {
            Some(first) => {
                let active = move || sort().field == first.field;
                let aria_sort = move || match (active(), sort().descending) {
                    (false, _) => "none",
                    (true, false) => "ascending",
                    (true, true) => "descending",
                };
                let next = move || {
                    if active() {
                        sort().toggled()
                    } else {
                        first
                    }
                };
                view! {
                    <th scope="col" aria-sort=aria_sort>
                        <button
                            class="sort-button"
                            type="button"
                            on:click=move |_| on_sort.run(next())
                        >
                            {i18n.text(column)}
                            // The arrow is drawn, not read: the sort state is
                            // in `aria-sort`, and the name stays the word.
                            <span class="sort-icon" aria-hidden="true"></span>
                        </button>
                    </th>
                }
                .into_any()
            }
            None => view! { <th scope="col">{i18n.text(column)}</th> }.into_any(),
        })
        .collect_view();
    let RowFocus(focus) = expect_context::<RowFocus>();
    // The view's search, once for every row that marks its matches.
    let q = Memo::new(move |_| view.with(|v| v.q.clone()));
    let active = Memo::new(move |_| {
        let wanted = focus.get();
        rows.with(|rows| {
            wanted
                .filter(|id| rows.iter().any(|l| l.id == *id))
                .or_else(|| rows.first().map(|l| l.id.clone()))
        })
    });
    view! {
        <div class="table-scroll">
            <table class="leads-table">
                <thead>
                    <tr>
                        {select_all(rows)}
                        {headers}
                    </tr>
                </thead>
                <tbody>
                    // A row's words are read as it is built: a new
                    // language builds the rows again.
                    {move || {
                        i18n.lang();
                        view! {
                    <For each=move || rows.get() key=|lead| lead.id.clone() let(lead)>
                        {
                            let id = lead.id.clone();
                            let base = Signal::derive({
                                let id = id.clone();
                                move || {
                                    rows.with(|rows| rows.iter().find(|l| l.id == id).cloned())
                                        .unwrap_or_else(|| lead.clone())
                                }
                            });
                            let active = {
                                let id = id.clone();
                                move || active.with(|a| a.as_deref() == Some(id.as_str()))
                            };
                            view! { <LeadRow id base view q active /> }
                        }
                    </For>
                        }
                    }}
                </tbody>
            </table>
        </div>
    }
}

/// The header's checkbox: every lead on this page chosen, some, or none.
fn select_all(rows: Memo<Vec<PartialLead>>) -> AnyView {
    let selection = expect_context::<Selection>();
    let i18n = use_i18n();
    let choice = Memo::new(move |_| rows.with(|rows| selection.page_choice(rows)));
    view! {
        // Its label shows beside it where the table is a list of cards.
        <th scope="col" class="cell-select" data-label=i18n.text(msg::TABLE_SELECT_ALL)>
            <input
                type="checkbox"
                aria-label=i18n.text(msg::TABLE_SELECT_ALL)
                prop:checked=move || choice.get() == PageChoice::All
                prop:indeterminate=move || choice.get() == PageChoice::Some
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    rows.with_untracked(|rows| selection.set_all(rows, on));
                }
            />
        </th>
    }
    .into_any()
}
