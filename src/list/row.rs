//! One lead in the table: its cells, the status select (saved by the
//! page's [`StatusSaves`]) and the switch into the row editor.

use leads_core::{LeadStatus, ListQuery, PartialLead};
use leptos::prelude::*;

use crate::bulk::selection::Selection;
use crate::edit::edit_row::lead_edit_row;
use crate::edit::lead_edits::LeadEdits;
use crate::edit::lead_form::LeadForm;
use crate::edit::status_save::StatusSaves;
use crate::i18n::{msg, status, use_i18n, I18n};
use crate::keys::shortcuts::{self, Shortcut};
use crate::list::columns::ROW_SPAN;
use crate::list::focus::{move_focus, RowFocus, Step};
use crate::list::search::{Marking, TagFilter};
use crate::ui::deferred::{Deferred, Missing};
use crate::ui::display::{self, ScoreBand, MISSING};

/// The row. `base` is the lead as the loaded page has it.
#[component]
pub fn LeadRow(
    id: String,
    base: Signal<PartialLead>,
    /// The view the URL asks for.
    view: Memo<ListQuery>,
    /// Its search, whose matches the row marks (one for the table).
    q: Memo<Option<String>>,
    /// True for the row keyboard triage is on.
    active: impl Fn() -> bool + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let edits = expect_context::<LeadEdits>();
    let lead = Memo::new(move |_| base.with(|base| edits.lead(base)));
    let name = Signal::derive(move || {
        lead.with(|l| l.name.clone())
            .unwrap_or_else(|| MISSING.to_owned())
    });

    let saves = expect_context::<StatusSaves>();
    let on_status = Callback::new(move |status| {
        saves.choose(lead.get_untracked(), name.get_untracked(), status);
    });

    let editing = {
        let id = id.clone();
        Memo::new(move |_| edits.is_editing(&id))
    };
    let start_edit = {
        let id = id.clone();
        Callback::new(move |()| edits.set_draft(&id, LeadForm::from_lead(&lead.get_untracked())))
    };
    // One closure, not a `Show`: its memo would repeat `editing`'s, and
    // every reactive node counts once per row.
    move || {
        if editing.get() {
            let id = id.clone();
            view! {
                <Deferred
                    missing=Missing::NoticeInRow(ROW_SPAN)
                    load=move || lead_edit_row(id.clone(), lead, ROW_SPAN)
                />
            }
            .into_any()
        } else {
            view! {
                <LeadCells
                    id=id.clone()
                    lead
                    name
                    view
                    q
                    on_status
                    on_edit=start_edit
                    active=active.clone()
                />
            }
            .into_any()
        }
    }
}

/// The row's checkbox for a bulk change.
fn select_cell(i18n: I18n, id: String, lead: Memo<PartialLead>, name: Signal<String>) -> AnyView {
    let selection = expect_context::<Selection>();
    view! {
        <td class="cell-select" data-label=i18n.t(msg::COLUMN_SELECT)>
            <input
                type="checkbox"
                aria-label=move || i18n.fill(msg::ROW_SELECT, &[("name", &name.get())])
                prop:checked=move || selection.contains(&id)
                on:change=move |ev| selection.set(&lead.get_untracked(), event_target_checked(&ev))
            />
        </td>
    }
    .into_any()
}

/// A cell's contact value: a link when the value passes the rule, plain text
/// when it does not, a dash when there is none. The link keeps the value;
/// its text is the value as people read it (`shown`). `q` is the view's
/// search, whose matches in the text are marked (`marking`).
fn contact_view(
    value: Option<String>,
    href: fn(&str) -> Option<String>,
    shown: fn(&str) -> String,
    q: Option<&str>,
    marking: Option<Marking>,
) -> AnyView {
    match value {
        Some(value) => {
            let text = shown(&value);
            match href(&value) {
                Some(href) => {
                    view! { <a href=href>{Marking::show(marking, text, q)}</a> }.into_any()
                }
                None => view! { <span>{Marking::show(marking, text, q)}</span> }.into_any(),
            }
        }
        None => missing(),
    }
}

fn missing() -> AnyView {
    view! { <span class="missing">{MISSING}</span> }.into_any()
}

/// The Phone and Email cells, the email's match of the search `q` marked
/// (a phone matches by its digits, which are not marked). A row's
/// read-only cells are built together, two closures for the row rather
/// than one per cell: each reactive closure costs its own code in the
/// download and its own effect per row.
fn contact_cells(
    i18n: I18n,
    lead: &PartialLead,
    q: Option<&str>,
    marking: Option<Marking>,
) -> AnyView {
    let phone = lead.phone.clone().flatten();
    let email = lead.email.clone().flatten();
    view! {
        <td class="cell-phone" data-label=i18n.t(msg::COLUMN_PHONE)>
            {contact_view(phone, display::tel_href, display::phone_text, None, None)}
        </td>
        <td class="cell-email" data-label=i18n.t(msg::COLUMN_EMAIL)>
            {contact_view(email, display::mailto_href, str::to_owned, q, marking)}
        </td>
    }
    .into_any()
}

/// The Source, Score, Tags and Created cells; each tag a button that
/// filters by it where the API can (`tag_filter`).
fn detail_cells(i18n: I18n, lead: &PartialLead, tag_filter: Option<TagFilter>) -> AnyView {
    let source = match &lead.source {
        Some(source) => i18n.source(source).into_any(),
        None => missing(),
    };
    let score = match lead.score.flatten() {
        Some(score) => view! { <span class=ScoreBand::of(score).class()>{score}</span> }.into_any(),
        None => missing(),
    };
    let tags = lead
        .tags
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|tag| {
            let title = tag.clone();
            let shown = match tag_filter {
                Some(TagFilter(filter)) => {
                    let label = i18n.fill(msg::ROW_TAG_FILTER, &[("tag", &tag)]);
                    let chosen = tag.clone();
                    view! {
                        <button
                            class="tag-button"
                            type="button"
                            aria-label=label
                            on:click=move |_| filter.run(chosen.clone())
                        >
                            <bdi>{tag}</bdi>
                        </button>
                    }
                    .into_any()
                }
                None => view! { <bdi>{tag}</bdi> }.into_any(),
            };
            view! {
                <li class="tag" title=title>
                    {shown}
                </li>
            }
        })
        .collect_view();
    let created = lead.created_at.clone();
    let lang = i18n.lang();
    let created = match created
        .as_deref()
        .and_then(|at| display::created_texts(at, lang))
    {
        // Date and time each stay whole, and wrap apart in a narrow column.
        Some(texts) => view! {
            <time datetime=created.clone() title=created>
                <span class="nowrap">{texts.date}</span>
                " "
                <span class="nowrap">{texts.time}</span>
                <span class="hint">{texts.hint}</span>
            </time>
        }
        .into_any(),
        None => missing(),
    };
    view! {
        <td data-label=i18n.t(msg::COLUMN_SOURCE)>{source}</td>
        <td data-label=i18n.t(msg::COLUMN_SCORE)>{score}</td>
        <td data-label=i18n.t(msg::COLUMN_TAGS)>
            <ul class="tags">{tags}</ul>
        </td>
        <td data-label=i18n.t(msg::COLUMN_CREATED)>{created}</td>
    }
    .into_any()
}

/// The read-only cells, with the status select and the Edit button. Every
/// field may be missing (the vendor's API sends fewer) and then reads as a
/// dash, never as a blank.
#[component]
fn LeadCells(
    id: String,
    lead: Memo<PartialLead>,
    name: Signal<String>,
    view: Memo<ListQuery>,
    q: Memo<Option<String>>,
    on_status: Callback<LeadStatus>,
    on_edit: Callback<()>,
    active: impl Fn() -> bool + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let edits = expect_context::<LeadEdits>();
    let saves = expect_context::<StatusSaves>();
    let i18n = use_i18n();
    let tag_filter = use_context::<TagFilter>();
    let marking = use_context::<Marking>();
    let shown_status = {
        let id = id.clone();
        move || saves.shown(&id).or_else(|| lead.with(|l| l.status))
    };
    let saving = {
        let id = id.clone();
        move || saves.saving(&id)
    };
    let saving_busy = {
        let saving = saving.clone();
        move || saving().to_string()
    };
    let selection = expect_context::<Selection>();
    let RowFocus(focus) = expect_context::<RowFocus>();
    let on_focus = {
        let id = id.clone();
        move |_| {
            if focus.with_untracked(|f| f.as_deref() != Some(id.as_str())) {
                focus.set(Some(id.clone()));
            }
        }
    };
    // Keys for this lead; the others bubble to the page.
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let handled = match shortcuts::from_event(&ev) {
            Some(Shortcut::NextRow) => move_focus(&ev, Step::Next),
            Some(Shortcut::PreviousRow) => move_focus(&ev, Step::Previous),
            Some(Shortcut::Status(status)) => {
                on_status.run(status);
                true
            }
            Some(Shortcut::ToggleSelected) => {
                selection.toggle(&lead.get_untracked());
                true
            }
            Some(Shortcut::Edit) => {
                on_edit.run(());
                true
            }
            _ => false,
        };
        if handled {
            ev.prevent_default();
            ev.stop_propagation();
        }
    };
    let status_id = format!("{id}-status");
    let edit_button = NodeRef::<leptos::html::Button>::new();
    // Built again as its editor closes: the Edit button takes the focus
    // back once it is in the page (no effect for the other rows).
    if edits.take_return_focus(&id) {
        edit_button.on_load(|button| {
            let _ = button.focus();
        });
    }
    let no_longer_matches = {
        let id = id.clone();
        Memo::new(move |_| {
            view.with(|view| view.status).is_some_and(|wanted| {
                edits.changed_here(&id) && lead.with(|l| l.status) != Some(wanted)
            })
        })
    };
    // The row's classes in one closure: one effect rather than one each.
    let row_class = {
        let id = id.clone();
        move || match (no_longer_matches.get(), edits.is_highlighted(&id)) {
            (true, true) => "row--stale row--new",
            (true, false) => "row--stale",
            (false, true) => "row--new",
            (false, false) => "",
        }
    };
    let status_class = {
        let shown_status = shown_status.clone();
        move || {
            shown_status()
                .map(|s| format!("status-select status-select--{}", s.as_str()))
                .unwrap_or_else(|| "status-select".to_owned())
        }
    };
    let status_value = {
        let shown_status = shown_status.clone();
        move || shown_status().map(LeadStatus::as_str).unwrap_or("")
    };
    view! {
        <tr
            tabindex=move || if active() { "0" } else { "-1" }
            on:focusin=on_focus
            on:keydown=on_key
            data-lead-id=id
            class=row_class
            aria-busy=saving_busy
        >
            {select_cell(i18n, id.clone(), lead, name)}
            <td class="cell-name" data-label=i18n.t(msg::COLUMN_NAME)>
                <div class="cell-name__line">
                    <bdi>{move || q.with(|q| Marking::show(marking, name.get(), q.as_deref()))}</bdi>
                    <button
                        class="icon-button"
                        type="button"
                        node_ref=edit_button
                        aria-label=move || i18n.fill(msg::ROW_EDIT, &[("name", &name.get())])
                        title=move || i18n.fill(msg::ROW_EDIT, &[("name", &name.get())])
                        on:click=move |_| on_edit.run(())
                    >
                        <span aria-hidden="true">"✎"</span>
                    </button>
                </div>
                {move || {
                    no_longer_matches
                        .get()
                        .then(|| {
                            view! {
                                <span class="row-note">{i18n.t(msg::ROW_NO_LONGER_MATCHES)}</span>
                            }
                        })
                }}
            </td>
            {move || q.with(|q| lead.with(|l| contact_cells(i18n, l, q.as_deref(), marking)))}
            <td data-label=i18n.t(msg::COLUMN_STATUS)>
                <select
                    id=status_id
                    class=status_class
                    aria-label=move || i18n.fill(msg::ROW_STATUS, &[("name", &name.get())])
                    prop:value=status_value
                    on:change=move |ev| {
                        if let Ok(status) = event_target_value(&ev).parse::<LeadStatus>() {
                            on_status.run(status);
                        }
                    }
                >
                    {move || {
                        shown_status().is_none().then(|| view! { <option value="">{MISSING}</option> })
                    }}
                    {LeadStatus::ALL
                        .map(|s| view! { <option value=s.as_str()>{i18n.t(status(s))}</option> })
                        .collect_view()}
                </select>
                {move || {
                    saving().then(|| view! { <span class="saving-hint">{i18n.t(msg::ROW_SAVING)}</span> })
                }}
            </td>
            {move || lead.with(|l| detail_cells(i18n, l, tag_filter))}
        </tr>
    }
}
