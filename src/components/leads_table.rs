//! The table of leads: one keyed row per lead, in the order the API sent,
//! with sortable column headers.

use leads_core::{Channel, LeadStatus, PartialLead, Sort, SortField};
use leptos::prelude::*;

use crate::display::{self, ScoreBand, MISSING};

/// Column headers, in order.
pub const COLUMNS: [&str; 8] = [
    "Name", "Phone", "Email", "Status", "Source", "Score", "Tags", "Created",
];

/// The field a column header sorts by, and the direction a first click
/// picks: A–Z for words, highest and newest first for numbers and dates.
fn column_sort(column: &str) -> Option<Sort> {
    match column {
        "Name" => Some(Sort::asc(SortField::Name)),
        "Status" => Some(Sort::asc(SortField::Status)),
        "Score" => Some(Sort::desc(SortField::Score)),
        "Created" => Some(Sort::desc(SortField::CreatedAt)),
        _ => None,
    }
}

/// The leads table.
#[component]
pub fn LeadsTable(leads: Vec<PartialLead>, sort: Sort, on_sort: Callback<Sort>) -> impl IntoView {
    let headers = COLUMNS
        .map(|column| match column_sort(column) {
            Some(first) => {
                let active = sort.field == first.field;
                let aria_sort = match (active, sort.descending) {
                    (false, _) => "none",
                    (true, false) => "ascending",
                    (true, true) => "descending",
                };
                let next = if active { sort.toggled() } else { first };
                view! {
                    <th scope="col" aria-sort=aria_sort>
                        <button class="sort-button" type="button" on:click=move |_| on_sort.run(next)>
                            {column}
                        </button>
                    </th>
                }
                .into_any()
            }
            None => view! { <th scope="col">{column}</th> }.into_any(),
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="leads-table">
                <thead>
                    <tr>{headers}</tr>
                </thead>
                <tbody>
                    <For each=move || leads.clone() key=|lead| lead.id.clone() let(lead)>
                        <LeadRow lead />
                    </For>
                </tbody>
            </table>
        </div>
    }
}

/// A cell's contact value: a link when the value passes the rule, plain text
/// when it does not, a dash when there is none.
fn contact_view(value: Option<String>, href: fn(&str) -> Option<String>) -> AnyView {
    match value {
        Some(text) => match href(&text) {
            Some(href) => view! { <a href=href>{text}</a> }.into_any(),
            None => view! { <span>{text}</span> }.into_any(),
        },
        None => missing(),
    }
}

fn missing() -> AnyView {
    view! { <span class="missing">{MISSING}</span> }.into_any()
}

/// One lead. Every field may be missing (the vendor's API sends fewer), and
/// is then shown as a dash, never as a blank.
#[component]
fn LeadRow(lead: PartialLead) -> impl IntoView {
    let name = lead.name.clone().unwrap_or_else(|| MISSING.to_owned());
    let phone = contact_view(lead.phone.clone().flatten(), display::tel_href);
    let email = contact_view(lead.email.clone().flatten(), display::mailto_href);
    let status = match lead.status {
        Some(status) => view! {
            <span class=format!("status-badge status-badge--{}", status.as_str())>
                {LeadStatus::label(status)}
            </span>
        }
        .into_any(),
        None => missing(),
    };
    let source = match lead.source.as_deref() {
        Some(source) => Channel::display_source(source).to_owned().into_any(),
        None => missing(),
    };
    let score = match lead.score.flatten() {
        Some(score) => view! { <span class=ScoreBand::of(score).class()>{score}</span> }.into_any(),
        None => missing(),
    };
    let tags = lead.tags.clone().unwrap_or_default();
    let created = lead.created_at.clone();
    let created_view = match created.as_deref().and_then(display::created_texts) {
        Some((local, hint)) => view! {
            <time datetime=created.clone() title=created.clone()>
                {local}
                <span class="hint">{hint}</span>
            </time>
        }
        .into_any(),
        None => missing(),
    };
    view! {
        <tr data-lead-id=lead.id.clone()>
            <td class="cell-name" data-label="Name">{name}</td>
            <td data-label="Phone">{phone}</td>
            <td data-label="Email">{email}</td>
            <td data-label="Status">{status}</td>
            <td data-label="Source">{source}</td>
            <td data-label="Score">{score}</td>
            <td data-label="Tags">
                <ul class="tags">
                    {tags.into_iter().map(|tag| view! { <li class="tag">{tag}</li> }).collect_view()}
                </ul>
            </td>
            <td data-label="Created">{created_view}</td>
        </tr>
    }
}
