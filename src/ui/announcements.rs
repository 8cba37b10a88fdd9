//! The live regions: successes politely (`role="status"`), failures at once
//! (`role="alert"`). Both regions are always in the page, so screen readers
//! hear what is put in them.

use leptos::prelude::*;

use crate::i18n::{msg, use_i18n};
use crate::ui::announcer::{Announcer, Notice, Tone};

/// Renders the announcer's current notice.
#[component]
pub fn Announcements() -> impl IntoView {
    let announcer = expect_context::<Announcer>();
    let notice_in = move |tone: Tone| {
        move || {
            announcer
                .current()
                .filter(|n| n.tone == tone)
                .map(|notice| notice_view(notice, announcer))
        }
    };
    view! {
        <div class="announcements">
            <div class="announcement-region" role="status" aria-live="polite">
                {notice_in(Tone::Success)}
            </div>
            <div class="announcement-region" role="alert">
                {notice_in(Tone::Error)}
            </div>
        </div>
    }
}

fn notice_view(notice: Notice, announcer: Announcer) -> impl IntoView {
    let i18n = use_i18n();
    let class = match notice.tone {
        Tone::Success => "toast toast--success",
        Tone::Error => "toast toast--error",
    };
    let action = notice.action.map(|action| {
        view! {
            <button
                class="button button--small"
                type="button"
                on:click=move |_| {
                    announcer.dismiss();
                    action.run.run(());
                }
            >
                {i18n.text(action.label)}
            </button>
        }
    });
    view! {
        <div class=class>
            <span>{notice.message}</span>
            {action}
            <button
                class="button button--quiet button--small"
                type="button"
                aria-label=i18n.text(msg::NOTICE_DISMISS)
                on:click=move |_| announcer.dismiss()
            >
                "×"
            </button>
        </div>
    }
}
