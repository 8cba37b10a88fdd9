//! The bar for a bulk status change: how many leads are chosen, "Status for
//! selected", Apply and Clear selection; while a batch runs, its progress
//! and Cancel; after, what happened, with Retry failed and Undo. The batch
//! itself is [`crate::bulk::batch`]'s.

use leads_core::{LeadPatch, LeadStatus, PartialLead};
use leptos::prelude::*;

use crate::bulk::batch::{self, Batch, BatchItem, BatchKind};
use crate::bulk::selection::Selection;
use crate::edit::lead_edits::LeadEdits;
use crate::net::session::Session;
use crate::ui::mounted::Mounted;
use crate::ui::progress::Progress;

/// The bar; empty while nothing is chosen and no batch has run.
#[component]
pub fn BulkBar() -> impl IntoView {
    let selection = expect_context::<Selection>();
    let session = expect_context::<Session>();
    let edits = expect_context::<LeadEdits>();
    let batch = ArcRwSignal::new(None::<Batch>);
    let alive = Mounted::until_cleanup();
    let choice = RwSignal::new(LeadStatus::ALL[0]);

    // A saved lead shows its new status in its row, marked as changed here
    // until the view reloads, and the selection learns it for Undo.
    let on_updated = move |item: &BatchItem, reply: PartialLead| {
        let known = PartialLead {
            id: item.id.clone(),
            name: Some(item.name.clone()),
            status: item.from,
            ..PartialLead::default()
        };
        let sent = LeadPatch::status(item.to);
        edits.record(&known, &sent, reply);
        selection.refresh(&[PartialLead {
            status: Some(item.to),
            ..known
        }]);
    };
    let start = {
        let batch = batch.clone();
        move |next: Batch| {
            batch.set(Some(next));
            batch::run(batch.clone(), session, alive.clone(), on_updated);
        }
    };
    let apply = {
        let start = start.clone();
        move |_| {
            let to = choice.get_untracked();
            let items = selection
                .chosen_untracked()
                .into_iter()
                .map(|chosen| BatchItem {
                    from: edits.saved_status(&chosen.id).or(chosen.status),
                    id: chosen.id,
                    name: chosen.name,
                    to,
                })
                .collect();
            start(Batch::new(BatchKind::Apply, items));
        }
    };
    let follow_up = {
        let (batch, start) = (batch.clone(), start.clone());
        move |make: fn(&Batch) -> Option<Batch>| {
            if let Some(next) = batch.with_untracked(|b| b.as_ref().and_then(make)) {
                start(next);
            }
        }
    };
    let cancel = {
        let batch = batch.clone();
        Callback::new(move |()| batch.update(|b| b.iter_mut().for_each(Batch::cancel)))
    };
    let clear = {
        let batch = batch.clone();
        move |_| {
            selection.clear();
            batch.set(None);
        }
    };

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
                    label="Updating leads"
                    counts=counts.clone()
                    cancel_label="Cancel"
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
                Some((b.summary(), b.failures(), can_undo))
            })?;
            // "Retry failed" and "Undo" each start the batch they make.
            let offer = |shown: bool, label: &'static str, make: fn(&Batch) -> Option<Batch>| {
                let follow_up = follow_up.clone();
                shown.then(|| {
                    view! {
                        <button
                            class="button button--small"
                            type="button"
                            on:click=move |_| follow_up(make)
                        >
                            {label}
                        </button>
                    }
                })
            };
            let retry = offer(!failures.is_empty(), "Retry failed", Batch::retry);
            let undo = offer(can_undo, "Undo", Batch::undo);
            let failed = (!failures.is_empty()).then(|| {
                view! {
                    <ul class="bulk__failures" aria-label="Not updated">
                        {failures
                            .into_iter()
                            .map(|(item, reason)| {
                                view! { <li><bdi>{item.name}</bdi>": "{reason}</li> }
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
                <div class="bulk" role="group" aria-label="Bulk change">
                    <p class="bulk__count" role="status">
                        {move || format!("{} selected", selection.len())}
                    </p>
                    <div class="field field--inline">
                        <label for="bulk-status">"Status for selected"</label>
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
                                .map(|s| view! { <option value=s.as_str()>{s.label()}</option> })
                                .collect_view()}
                        </select>
                    </div>
                    <button
                        class="button button--primary button--small"
                        type="button"
                        disabled=move || running.get() || selection.is_empty()
                        on:click=apply.clone()
                    >
                        "Apply"
                    </button>
                    <button
                        class="button button--quiet button--small"
                        type="button"
                        disabled=move || running.get()
                        on:click=clear.clone()
                    >
                        "Clear selection"
                    </button>
                    {progress.clone()}
                    <div class="bulk__status" role="status">{outcome.clone()}</div>
                </div>
            }
        })
    }
}
