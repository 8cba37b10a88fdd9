//! The bar for a bulk status change: how many leads are chosen, "Status for
//! selected", Apply and Clear selection; while a batch runs, its progress
//! and Cancel; after, what happened, with Retry failed and Undo. It renders
//! and dispatches: running the change is [`BulkChange`]'s, the batch's
//! rules [`crate::bulk::batch`]'s.

use leads_core::LeadStatus;
use leptos::prelude::*;

use crate::bulk::batch::{Batch, BatchKind};
use crate::bulk::change::BulkChange;
use crate::bulk::selection::Selection;
use crate::edit::lead_edits::LeadEdits;
use crate::i18n::{fill, msg, status, Msg};
use crate::net::session::Session;
use crate::ui::mounted::Mounted;
use crate::ui::progress::Progress;

/// The bar; empty while nothing is chosen and no batch has run.
#[component]
pub fn BulkBar() -> impl IntoView {
    let selection = expect_context::<Selection>();
    let session = expect_context::<Session>();
    let edits = expect_context::<LeadEdits>();
    let i18n = session.i18n();
    let change = BulkChange::new(selection, session, edits, Mounted::until_cleanup());
    let batch = change.batch.clone();
    let choice = RwSignal::new(LeadStatus::ALL[0]);
    let apply = {
        let change = change.clone();
        move |_| change.apply(choice.get_untracked())
    };
    let follow_up = {
        let change = change.clone();
        move |make: fn(&Batch) -> Option<Batch>| change.follow_up(make)
    };
    let cancel = {
        let change = change.clone();
        Callback::new(move |()| change.cancel())
    };
    let clear = move |_| change.clear();

    let running = {
        let batch = batch.clone();
        Memo::new(move |_| batch.with(|b| b.as_ref().is_some_and(Batch::is_running)))
    };
    // A memo, so the bar is built once when it appears, not on each change.
    let shown = {
        let batch = batch.clone();
        Memo::new(move |_| !selection.is_empty() || batch.with(Option::is_some))
    };
    // While a batch runs: its progress and Cancel, built once per batch (the
    // counts move inside it, so the focus on Cancel stays); after: what
    // happened.
    let counts = {
        let batch = batch.clone();
        move || {
            batch.with(|b| {
                b.as_ref()
                    .map_or((0, 0), |b| (b.answered() as u64, b.len() as u64))
            })
        }
    };
    let progress = move || {
        running.get().then(|| {
            view! {
                <Progress
                    label=msg::BULK_UPDATING
                    counts=counts.clone()
                    cancel_label=msg::ACTION_CANCEL
                    on_cancel=cancel
                />
            }
        })
    };
    let outcome = {
        let batch = batch.clone();
        move || {
            let (summary, failures, can_undo) = batch.with(|b| {
                let b = b.as_ref().filter(|b| !b.is_running())?;
                let can_undo = b.kind == BatchKind::Apply && b.undo().is_some();
                Some((b.summary(i18n), b.failures(), can_undo))
            })?;
            // "Retry failed" and "Undo" each start the batch they make.
            let offer = |shown: bool, label: Msg, make: fn(&Batch) -> Option<Batch>| {
                let follow_up = follow_up.clone();
                shown.then(|| {
                    view! {
                        <button
                            class="button button--small"
                            type="button"
                            on:click=move |_| follow_up(make)
                        >
                            {i18n.t(label)}
                        </button>
                    }
                })
            };
            let retry = offer(!failures.is_empty(), msg::BULK_RETRY_FAILED, Batch::retry);
            let undo = offer(can_undo, msg::ACTION_UNDO, Batch::undo);
            let failed = (!failures.is_empty()).then(|| {
                view! {
                    <ul class="bulk__failures" aria-label=i18n.t(msg::BULK_NOT_UPDATED)>
                        {failures
                            .into_iter()
                            .map(|(item, reason)| {
                                // The name in a <bdi> of its own, whatever it
                                // holds: the message is split where it goes
                                // before the reason (which may hold braces)
                                // is filled in.
                                let line = i18n.t(msg::BULK_FAILURE);
                                let (before, after) = line.split_once("{name}").unwrap_or((&line, ""));
                                let reason = [("reason", reason.as_str())];
                                view! {
                                    <li>
                                        {fill(before, &reason)}
                                        <bdi>{item.name}</bdi>
                                        {fill(after, &reason)}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
            });
            Some(view! {
                <div class="bulk__outcome">
                    <p>{summary}</p>
                    {failed}
                    {retry}
                    {undo}
                </div>
            })
        }
    };

    move || {
        shown.get().then(|| {
            view! {
                <div class="bulk" role="group" aria-label=i18n.text(msg::BULK_LABEL)>
                    <p class="bulk__count" role="status">
                        {move || i18n.count(msg::BULK_SELECTED, selection.len() as u64, &[])}
                    </p>
                    <div class="field field--inline">
                        <label for="bulk-status">{i18n.text(msg::BULK_STATUS)}</label>
                        <select
                            id="bulk-status"
                            prop:value=move || choice.get().as_str()
                            on:change=move |ev| {
                                if let Ok(status) = event_target_value(&ev).parse::<LeadStatus>() {
                                    choice.set(status);
                                }
                            }
                        >
                            {LeadStatus::ALL
                                .map(|s| view! { <option value=s.as_str()>{i18n.text(status(s))}</option> })
                                .collect_view()}
                        </select>
                    </div>
                    <button
                        class="button button--primary button--small"
                        type="button"
                        disabled=move || running.get() || selection.is_empty()
                        on:click=apply.clone()
                    >
                        {i18n.text(msg::BULK_APPLY)}
                    </button>
                    <button
                        class="button button--quiet button--small"
                        type="button"
                        disabled=move || running.get()
                        on:click=clear.clone()
                    >
                        {i18n.text(msg::BULK_CLEAR)}
                    </button>
                    {progress.clone()}
                    <div class="bulk__status" role="status">{outcome.clone()}</div>
                </div>
            }
        })
    }
}
