//! The table of leads: one keyed row per lead, in the order the API sent.

use leads_core::{Channel, PartialLead};
use leptos::prelude::*;

use crate::display::{self, ScoreBand, MISSING};

/// Column headers, in order.
const COLUMNS: [&str; 8] = [
    "Name", "Phone", "Email", "Status", "Source", "Score", "Tags", "Created",
];

/// The leads table.
#[component]
pub fn LeadsTable(leads: Vec<PartialLead>) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="leads-table">
                <thead>
                    <tr>
                        {COLUMNS.map(|name| view! { <th scope="col">{name}</th> }).collect_view()}
                    </tr>
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

/// One lead. Every field may be missing (the vendor's API sends fewer), and
/// is then shown as a dash, never as a blank.
#[component]
fn LeadRow(lead: PartialLead) -> impl IntoView {
    let name = lead.name.clone().unwrap_or_else(|| MISSING.to_owned());
    let phone = match lead.phone.clone().flatten() {
        Some(phone) => match display::tel_href(&phone) {
            Some(href) => view! { <a href=href>{phone}</a> }.into_any(),
            None => view! { <span>{phone}</span> }.into_any(),
        },
        None => view! { <span class="missing">{MISSING}</span> }.into_any(),
    };
    let email = match lead.email.clone().flatten() {
        Some(email) => match display::mailto_href(&email) {
            Some(href) => view! { <a href=href>{email}</a> }.into_any(),
            None => view! { <span>{email}</span> }.into_any(),
        },
        None => view! { <span class="missing">{MISSING}</span> }.into_any(),
    };
    let status = lead.status.map(|s| s.label()).unwrap_or(MISSING);
    let source = lead
        .source
        .as_deref()
        .map(|s| Channel::display_source(s).to_owned())
        .unwrap_or_else(|| MISSING.to_owned());
    let score = match lead.score.flatten() {
        Some(score) => view! { <span class=ScoreBand::of(score).class()>{score}</span> }.into_any(),
        None => view! { <span class="missing">{MISSING}</span> }.into_any(),
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
        None => view! { <span class="missing">{MISSING}</span> }.into_any(),
    };
    view! {
        <tr data-lead-id=lead.id.clone()>
            <td class="cell-name">{name}</td>
            <td>{phone}</td>
            <td>{email}</td>
            <td>{status}</td>
            <td>{source}</td>
            <td>{score}</td>
            <td>
                <ul class="tags">
                    {tags.into_iter().map(|tag| view! { <li class="tag">{tag}</li> }).collect_view()}
                </ul>
            </td>
            <td>{created_view}</td>
        </tr>
    }
}
