//! The leads list: the view from the URL, exactly one fetch per view, what
//! to show while it loads, when it is empty and when it fails, and the
//! create dialog and row editors that change it.

use leads_core::{ListQuery, Page, PageMeta, PartialLead};
use leptos::html;
use leptos::prelude::*;
use leptos::wasm_split::wasm_split;
use wasm_bindgen::JsCast;

use crate::bulk::bar::BulkBar;
use crate::bulk::selection::Selection;
use crate::edit::lead_edits::{LeadEdits, Told};
use crate::edit::lead_form::LeadForm;
use crate::edit::new_lead::NewLeadDialog;
use crate::edit::status_save::StatusSaves;
use crate::export::controls::ExportButton;
use crate::export::controls::ExportStatus;
use crate::export::walk::Export;
use crate::i18n::{msg, use_i18n};
use crate::keys::help::ShortcutsDialog;
use crate::keys::shortcuts::{self, Shortcut};
use crate::list::empty::{Emptiness, EmptyState};
use crate::list::filters::ListFilters;
use crate::list::focus::{RowFocus, TAB_STOP_ROW};
use crate::list::pager::Pager;
use crate::list::search::{Marking, TagFilter};
use crate::list::skeleton::TableSkeleton;
use crate::list::stale::StaleNotice;
use crate::list::table::LeadsTable;
use crate::live::attention::Attention;
use crate::live::bar::{fresh_leads, live_status, NotifyToggle};
use crate::live::stream::{Live, LivePage};
use crate::net::api::Freshness;
use crate::net::error::RequestError;
use crate::net::pause;
use crate::net::session::Session;
use crate::ui::announcements::Announcements;
use crate::ui::announcer::Announcer;
use crate::ui::deferred::{Deferred, Extra, Missing};
use crate::ui::key_focus::focus_by_key;
use crate::ui::load_error::LoadError;
use crate::views::bar::ViewsBar;
use crate::views::list_state::{use_list_state, ListState};

/// How long a view may take to load before the rows on screen dim: most
/// answers come well within it, and rows that dimmed and came back at once
/// would only flicker.
const DIM_AFTER: std::time::Duration = std::time::Duration::from_millis(150);

/// A loaded view: the query it answers, and the answer.
type Loaded = (ListQuery, Result<Page<PartialLead>, RequestError>);

/// The leads list page.
#[component]
pub fn LeadsPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let i18n = session.i18n();
    let list = use_list_state();
    let host = session.host();
    let edits = LeadEdits::new(move |told| match told {
        Told::Created(id) => host.lead_created(id),
        Told::Updated(id, fields) => host.lead_updated(id, fields),
    });
    provide_context(edits);
    let announcer = Announcer::new();
    provide_context(announcer);
    provide_context(StatusSaves::new(session, edits, announcer));
    provide_context(Selection::new());
    provide_context(Export::new());
    provide_context(RowFocus(RwSignal::new(None)));
    let searches = session.searches();
    let marking = searches.then(Marking::default);
    if let Some(marking) = marking {
        provide_context(marking);
        provide_context(TagFilter(Callback::new(move |tag| {
            list.navigate(list.query.get_untracked().with_tag(Some(tag)));
        })));
    }
    let help_open = RwSignal::new(false);
    let results = NodeRef::<html::Div>::new();

    // The client aborts the request for an older view as soon as a newer
    // one is wanted, so a slow old answer neither lands on top of the new
    // view nor keeps it waiting.
    let freshness = RwSignal::new(Freshness::default());
    let page = LocalResource::new(move || {
        let query = list.query.get();
        let client = session.client();
        async move {
            let answer = client.list_leads(&query).await.map(|(page, fresh)| {
                // The page may be gone by the time its answer comes.
                freshness.try_set(fresh);
                page
            });
            (query, session.checked(answer))
        }
    });
    // The lead as the loaded page has it, if it is there.
    let rows_now = move |id: &str| {
        page.with_untracked(|loaded| match loaded {
            Some((_, Ok(page))) => page.data.iter().find(|l| l.id == id).cloned(),
            _ => None,
        })
    };
    let attention = Attention::watch();
    provide_context(attention);
    let live = Live::follow(
        session,
        Memo::new(move |_| page.with(|loaded| matches!(loaded, Some((_, Ok(_)))))),
        LivePage {
            list,
            edits,
            attention,
            on_screen: Box::new(rows_now),
            reload: Callback::new(move |()| page.refetch()),
        },
    );
    provide_context(live);
    Effect::new(move |_| {
        let wanted = list.query.get();
        session.client_untracked().supersede_lists(&wanted);
        live.view_changed();
    });
    // A reload makes the server's rows the truth again.
    Effect::new(move |_| {
        page.track();
        edits.forget_saved();
        live.loaded();
    });
    // True from the first answer (rows or an error) on.
    let answered = Memo::new(move |was: Option<&bool>| {
        was.copied().unwrap_or(false) || page.with(Option::is_some)
    });
    // The page's views from the extras module wait for the first answer,
    // so the rows never wait for the module, and share one Retry.
    let extras_attempt = RwSignal::new(0);
    // Busy while the rows on screen belong to another view than the URL's.
    let pending = Memo::new(move |_| {
        list.query.with(|wanted| {
            page.with(|loaded| loaded.as_ref().is_none_or(|(shown, _)| shown != wanted))
        })
    });
    // The old rows dim only when the next view is slow to come.
    let slow = pause::lasting(pending, DIM_AFTER);

    let recheck = Callback::new(move |()| page.refetch());
    let new_lead_open = RwSignal::new(false);
    let new_lead_form = RwSignal::new(LeadForm::default());
    let new_lead_button = NodeRef::<html::Button>::new();
    let on_created = Callback::new(move |lead: PartialLead| {
        let heard = live.created_here(&lead.id);
        edits.record_created(lead.id, heard);
        page.refetch();
    });

    // Leaving with unsaved typing asks first; nothing typed is lost silently.
    let guard = window_event_listener(leptos::ev::beforeunload, move |ev| {
        let unsaved = edits.has_unsaved(rows_now)
            || new_lead_form.with_untracked(|f| *f != LeadForm::default());
        if unsaved {
            ev.prevent_default();
            ev.set_return_value(&i18n.t(msg::LEADS_UNSAVED));
        }
    });
    on_cleanup(move || guard.remove());

    // The page's own shortcuts; a row handles its lead's before they get here.
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let Some(page) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let focus = |css: &str| {
            page.query_selector(css)
                .ok()
                .flatten()
                .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
                .map(|el| focus_by_key(&el))
                .is_some()
        };
        let handled = match shortcuts::from_event(&ev) {
            Some(Shortcut::NewLead) => {
                new_lead_open.set(true);
                true
            }
            Some(Shortcut::Help) => {
                help_open.set(true);
                true
            }
            Some(Shortcut::FocusFilter) => focus("#filter-status"),
            Some(Shortcut::FocusSearch) => focus("#filter-search"),
            Some(Shortcut::NextRow | Shortcut::PreviousRow) => focus(TAB_STOP_ROW),
            _ => false,
        };
        if handled {
            ev.prevent_default();
        }
    };

    // Focusable, so a click on its heading or plain text puts the focus
    // here (browsers focus the nearest focusable ancestor) and its keys
    // work; keys typed in the portal's own page never reach it.
    view! {
        <section class="leads" aria-labelledby="leads-heading" tabindex="-1" on:keydown=on_key>
            <header class="topbar">
                <h1 id="leads-heading">{i18n.text(msg::LEADS_HEADING)}</h1>
                <Deferred load=live_status when=answered missing=Missing::Silent attempt=extras_attempt />
                <div class="topbar__actions">
                    <NotifyToggle />
                    <Show when=move || session.uses_key()>
                        <button
                            class="button button--quiet"
                            type="button"
                            on:click=move |_| session.disconnect()
                        >
                            {i18n.text(msg::LEADS_DISCONNECT)}
                        </button>
                    </Show>
                    <ExportButton list />
                    <button
                        class="button button--primary"
                        type="button"
                        node_ref=new_lead_button
                        aria-haspopup="dialog"
                        on:click=move |_| new_lead_open.set(true)
                    >
                        {i18n.text(msg::LEADS_NEW_LEAD)}
                    </button>
                </div>
            </header>
            <ListFilters list marking answered attempt=extras_attempt />
            // The extras module's bars keep their room until it comes, so
            // nothing below them moves when they do.
            <div class="page-bars">
                <Deferred
                    load=move || page_bars(list, freshness, recheck)
                    when=answered
                    attempt=extras_attempt
                />
            </div>
            <Deferred
                load=move || fresh_leads(results)
                when=answered
                missing=Missing::Silent
                attempt=extras_attempt
            />
            <div
                class="results"
                tabindex="-1"
                node_ref=results
                aria-busy=move || pending.get().to_string()
                class:results--slow=move || slow.get()
            >
                <Transition fallback=TableSkeleton>
                    <Results page list />
                </Transition>
            </div>
            <Deferred
                load=move || {
                    page_dialogs(
                        new_lead_open,
                        new_lead_form,
                        new_lead_button,
                        on_created,
                        help_open,
                        searches,
                    )
                }
                when=answered
                missing=Missing::Silent
                attempt=extras_attempt
            />
            <Announcements when=answered />
        </section>
    }
}

/// What the results area shows; it changes only when the kind of answer
/// changes, so the table and its rows stay mounted across reloads.
#[derive(Debug, Clone, PartialEq)]
enum ResultsShown {
    Rows,
    Empty(Emptiness),
    Failed {
        message: String,
        /// Seconds after which to load again by itself (a `429`).
        retry_after: Option<u32>,
    },
    Nothing,
}

/// The rows and pager, an empty state, or an error with Retry. Rendered
/// inside the `Transition`, so reading the resource here is what keeps the
/// old rows on screen while the next view loads.
#[component]
fn Results(page: LocalResource<Loaded>, list: ListState) -> impl IntoView {
    let i18n = use_i18n();
    // Each reads only its part of the answer: a page of a hundred leads is
    // cloned once, for the rows, not once per reader.
    let rows = Memo::new(move |_| {
        page.with(|loaded| match loaded {
            Some((_, Ok(page))) => page.data.clone(),
            _ => Vec::new(),
        })
    });
    let meta = Memo::new(move |_| {
        page.with(|loaded| match loaded {
            Some((query, Ok(page))) => (query.clone(), page.meta),
            _ => (
                ListQuery::default(),
                PageMeta {
                    page: 1,
                    limit: 1,
                    total: 0,
                },
            ),
        })
    });
    let shown = Memo::new(move |_| {
        page.with(|loaded| match loaded {
            None | Some((_, Err(RequestError::Superseded))) => ResultsShown::Nothing,
            Some((_, Err(err))) => ResultsShown::Failed {
                message: err.message(i18n),
                retry_after: err.retry_after(),
            },
            Some((query, Ok(page))) if page.data.is_empty() => {
                ResultsShown::Empty(if page.meta.total > 0 {
                    Emptiness::PastEnd {
                        last_page: page.meta.page_count(),
                    }
                } else if query.has_filters() {
                    Emptiness::NoMatches {
                        search: query.q.clone(),
                        others: query.clone().with_q("").has_filters(),
                    }
                } else {
                    Emptiness::NoLeads
                })
            }
            Some(_) => ResultsShown::Rows,
        })
    });
    // Actions read the view at click time: while a new view loads the old
    // rows stay on screen, and a click on them must build on the new view.
    let current = move || list.query.get_untracked();
    let on_page = Callback::new(move |n: u32| list.navigate(current().with_page(n)));
    let on_clear = Callback::new(move |()| list.navigate(current().cleared()));
    let on_sort = Callback::new(move |sort| list.navigate(current().with_sort(sort)));
    let on_retry = Callback::new(move |()| page.refetch());
    // What is loaded is what the chosen leads are now, for a batch's Undo.
    let selection = expect_context::<Selection>();
    Effect::new(move |_| rows.with(|rows| selection.refresh(rows)));
    // Plain closures and memos, not derived signals: each type a `Signal`
    // is read as costs its own code in the download.
    let sort = move || meta.with(|(query, _)| query.sort);
    let page_meta = move || meta.with(|(_, meta)| *meta);
    let shown_rows = move || rows.with(Vec::len);
    move || match shown.get() {
        ResultsShown::Nothing => ().into_any(),
        ResultsShown::Failed {
            message,
            retry_after,
        } => view! { <LoadError message retry_after on_retry /> }.into_any(),
        ResultsShown::Empty(why) => view! { <EmptyState why on_clear on_page /> }.into_any(),
        ResultsShown::Rows => view! {
            <LeadsTable rows sort view=list.query on_sort />
            <Pager meta=page_meta shown=shown_rows on_page />
        }
        .into_any(),
    }
}

/// The bars above the results, from the extras module: the saved views,
/// and those only some moments need, the notice over a stale copy, the
/// bulk bar and the export's progress.
#[wasm_split(extras, wasm_split_path = ::leptos::wasm_split, fallible)]
fn page_bars(list: ListState, freshness: RwSignal<Freshness>, recheck: Callback<()>) -> Extra {
    Ok(view! {
        <StaleNotice freshness recheck />
        <ViewsBar list />
        <BulkBar />
        <ExportStatus />
    }
    .into_any())
}

/// The New lead and shortcuts dialogs, from the extras module. The page
/// opens them through `new_lead_open` and `help_open`, so a press before
/// the module is here opens the dialog once it is.
#[wasm_split(extras, wasm_split_path = ::leptos::wasm_split, fallible)]
fn page_dialogs(
    new_lead_open: RwSignal<bool>,
    new_lead_form: RwSignal<LeadForm>,
    new_lead_button: NodeRef<html::Button>,
    on_created: Callback<PartialLead>,
    help_open: RwSignal<bool>,
    searches: bool,
) -> Extra {
    Ok(view! {
        <NewLeadDialog
            open=new_lead_open
            form=new_lead_form
            opener=new_lead_button
            on_created
        />
        <ShortcutsDialog open=help_open searches />
    }
    .into_any())
}
