//! The parts of the console that the first rows do not need: the saved
//! views, the live stream's status and its new leads, the New lead and
//! shortcuts dialogs, the row editor, the bulk bar, the export's progress
//! and its walk through the view, the live event stream's reader, and the
//! sending of a row's status change. They are built into a second wasm
//! module, `extras`, which the build splits off (`scripts/split-wasm.sh`)
//! and the page fetches once its first view has answered, so the first
//! load carries only the list.
//!
//! Each function here builds one of those views (or, for the stream, the
//! export and a status save, the future that runs it) and is a split
//! point: a call fetches the module first (once; a failed fetch is tried
//! again on the next call) and answers [`Unavailable`] when it cannot be
//! fetched. Off wasm (unit tests) the calls are plain calls.

use std::future::Future;
use std::pin::Pin;

use leads_core::{ListQuery, PartialLead};
use leptos::html;
use leptos::prelude::*;
use leptos::wasm_split::{wasm_split, SplitLoaderError};

use crate::api::EventStream;
use crate::components::bulk_bar::BulkBar;
use crate::components::export_csv::ExportStatus;
use crate::components::lead_edit_row::LeadEditRow;
use crate::components::live_bar::{FreshLeads, LiveStatus};
use crate::components::new_lead_dialog::NewLeadDialog;
use crate::components::shortcuts_dialog::ShortcutsDialog;
use crate::components::views_bar::ViewsBar;
use crate::export::{Export, ExportState};
use crate::lead_form::LeadForm;
use crate::list_state::ListState;
use crate::live::Live;
use crate::mounted::Mounted;
use crate::session::Session;
use crate::status_save::{StatusChange, StatusSaves};

/// The extras module could not be fetched: the connection dropped, or the
/// server answered with an error instead of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unavailable;

impl From<SplitLoaderError> for Unavailable {
    fn from(_: SplitLoaderError) -> Self {
        Self
    }
}

/// What a person reads when the extras module cannot be fetched.
pub const UNAVAILABLE: &str = "This part of the console could not be loaded. \
    Check the connection, then retry.";

/// What an extras view answers.
pub type Extra = Result<AnyView, Unavailable>;

/// The bars above the results: the saved views, and those only some
/// moments need, the bulk bar and the export's progress.
#[wasm_split(extras, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn page_bars(list: ListState) -> Extra {
    Ok(view! {
        <ViewsBar list />
        <BulkBar />
        <ExportStatus />
    }
    .into_any())
}

/// The live stream's status beside the heading ([`LiveStatus`]): the
/// stream itself starts with this module.
#[wasm_split(extras, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn live_status() -> Extra {
    Ok(view! { <LiveStatus /> }.into_any())
}

/// "Show {n} new leads" above the results ([`FreshLeads`]): leads arrive
/// only through the stream, which starts with this module.
#[wasm_split(extras, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn fresh_leads(results: NodeRef<html::Div>) -> Extra {
    Ok(view! { <FreshLeads results /> }.into_any())
}

/// The New lead and shortcuts dialogs. The page opens them through
/// `new_lead_open` and `help_open`, so a press before the module is here
/// opens the dialog once it is.
#[wasm_split(extras, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn page_dialogs(
    new_lead_open: RwSignal<bool>,
    new_lead_form: RwSignal<LeadForm>,
    new_lead_button: NodeRef<html::Button>,
    on_created: Callback<PartialLead>,
    help_open: RwSignal<bool>,
) -> Extra {
    Ok(view! {
        <NewLeadDialog
            open=new_lead_open
            form=new_lead_form
            opener=new_lead_button
            on_created
        />
        <ShortcutsDialog open=help_open />
    }
    .into_any())
}

/// See [`LeadEditRow`].
#[wasm_split(extras, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn lead_edit_row(id: String, lead: Memo<PartialLead>) -> Extra {
    Ok(view! { <LeadEditRow id lead /> }.into_any())
}

/// The live event stream's connection loop ([`crate::live`]), to run.
#[wasm_split(extras, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn live_stream(
    session: Session,
    live: Live,
    mounted: Mounted,
    open: StoredValue<Option<EventStream>, LocalStorage>,
) -> Result<Pin<Box<dyn Future<Output = ()>>>, Unavailable> {
    Ok(Box::pin(crate::live::run(session, live, mounted, open)))
}

/// A row's status save and those queued behind it
/// ([`StatusSaves::send`]), to run.
#[wasm_split(extras, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn status_sending(
    saves: StatusSaves,
    lead: PartialLead,
    name: String,
    change: StatusChange,
) -> Result<Pin<Box<dyn Future<Output = ()>>>, Unavailable> {
    Ok(Box::pin(saves.send(lead, name, change)))
}

/// The export's walk through every page of `view` ([`Export`]), to run.
#[wasm_split(extras, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn export_walk(
    export: Export,
    view: ListQuery,
    session: Session,
) -> Result<Pin<Box<dyn Future<Output = ExportState>>>, Unavailable> {
    Ok(Box::pin(async move { export.walk(view, session).await }))
}
