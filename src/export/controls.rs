//! "Export CSV" and what it is doing: its progress and "Cancel export"
//! while it runs, then where the file went or why there is none. The walk
//! and the file are [`crate::export::walk`]'s.

use leptos::prelude::*;

use crate::export::walk::{Export, ExportState};
use crate::i18n::{msg, use_i18n, I18n};
use crate::net::session::Session;
use crate::ui::progress::Progress;
use crate::views::list_state::ListState;

/// The button; it exports the view the URL holds when pressed.
#[component]
pub fn ExportButton(list: ListState) -> impl IntoView {
    let export = expect_context::<Export>();
    let session = expect_context::<Session>();
    let disabled = {
        let export = export.clone();
        move || export.running()
    };
    view! {
        <button
            class="button"
            type="button"
            disabled=disabled
            on:click=move |_| export.start(list.query.get_untracked(), session)
        >
            {session.i18n().text(msg::LEADS_EXPORT)}
        </button>
    }
}

/// What the status line shows; the counts of a running export are read
/// inside it, so the line (and the focus on Cancel) stays while they move.
#[derive(Clone, PartialEq)]
enum StatusLine {
    Running,
    Ended(ExportState),
}

/// The export's progress and outcome.
#[component]
pub fn ExportStatus() -> impl IntoView {
    let export = expect_context::<Export>();
    let i18n = use_i18n();
    let shown = {
        let export = export.clone();
        Memo::new(move |_| match export.state()? {
            ExportState::Running { .. } => Some(StatusLine::Running),
            ended => Some(StatusLine::Ended(ended)),
        })
    };
    move || match shown.get() {
        Some(StatusLine::Running) => {
            let counts = {
                let export = export.clone();
                move || match export.state() {
                    Some(ExportState::Running { gathered, total }) => (gathered as u64, total),
                    _ => (0, 0),
                }
            };
            let on_cancel = {
                let export = export.clone();
                Callback::new(move |()| export.cancel())
            };
            view! {
                <div class="export">
                    <Progress
                        label=msg::EXPORT_RUNNING
                        counts
                        cancel_label=msg::EXPORT_CANCEL
                        on_cancel
                    />
                </div>
            }
            .into_any()
        }
        Some(StatusLine::Ended(ExportState::Saved {
            count: n,
            file,
            changed,
        })) => view! {
            <div class="export" role="status">
                <p>
                    {move || i18n.count(msg::EXPORT_SAVED, n as u64, &[("file", &file)])}
                </p>
                {changed.map(|total| changed_note(i18n, n, total))}
            </div>
        }
        .into_any(),
        Some(StatusLine::Ended(ExportState::Failed(err))) => view! {
            <div class="export notice--error" role="alert">
                <p>
                    {move || {
                        let reason = match &err {
                            Some(err) => err.message(i18n),
                            None => i18n.t(msg::ERROR_EXTRAS_UNAVAILABLE),
                        };
                        i18n.fill(msg::EXPORT_FAILED, &[("reason", &reason)])
                    }}
                </p>
            </div>
        }
        .into_any(),
        Some(StatusLine::Ended(_)) => view! {
            <div class="export" role="status">
                <p>{i18n.text(msg::EXPORT_CANCELLED)}</p>
            </div>
        }
        .into_any(),
        None => ().into_any(),
    }
}

/// Why the file may not match the view: it holds `count` leads, the view
/// now `total` (worded in the language of the moment).
fn changed_note(i18n: I18n, count: usize, total: u64) -> impl IntoView {
    let note = move || {
        let total = i18n.number(total);
        i18n.count(msg::EXPORT_CHANGED, count as u64, &[("total", &total)])
    };
    view! { <p class="export__note">{note}</p> }
}
