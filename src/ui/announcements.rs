//! The live regions: successes politely (`role="status"`), failures at once
//! (`role="alert"`). Both regions are always in the page, so screen readers
//! hear what is put in them; the notices in them come with the extras
//! module, as does everything a person does that is announced (a notice
//! made before it is here shows once it is).

use leptos::prelude::*;
use leptos::wasm_split::wasm_split;

use crate::i18n::{msg, use_i18n};
use crate::ui::announcer::{Announcer, Notice, Tone};
use crate::ui::deferred::{Deferred, Extra, Missing};

/// The two regions, with the announcer's current notice in the one for its
/// tone once `when` (the page's first view has answered: the extras module
/// is fetched then). Until the module is here, each new notice asks for it
/// again, so one made after a failed download shows once it comes; after
/// that the loaded view follows the announcer itself, and each notice is
/// put in its region once (loading the view again would put it in twice).
#[component]
pub fn Announcements(when: Memo<bool>) -> impl IntoView {
    let announcer = expect_context::<Announcer>();
    let attempt = RwSignal::new(0_u32);
    let loaded = RwSignal::new(false);
    Effect::new(move |_| {
        if announcer.current().is_some() && !loaded.get_untracked() {
            attempt.update(|n| *n += 1);
        }
    });
    let region = move |tone| {
        view! { <Deferred load=move || notices(tone, loaded) when missing=Missing::Silent attempt /> }
    };
    view! {
        <div class="announcements">
            <div class="announcement-region" role="status" aria-live="polite">
                {region(Tone::Success)}
            </div>
            <div class="announcement-region" role="alert">
                {region(Tone::Error)}
            </div>
        </div>
    }
}

/// The current notice of `tone`, from the extras module; `loaded` is set
/// once it is here.
#[wasm_split(extras, wasm_split_path = ::leptos::wasm_split, fallible)]
fn notices(tone: Tone, loaded: RwSignal<bool>) -> Extra {
    let announcer = expect_context::<Announcer>();
    loaded.set(true);
    Ok((move || {
        announcer
            .current()
            .filter(|n| n.tone == tone)
            .map(|notice| notice_view(notice, announcer))
    })
    .into_any())
}

/// A notice and its buttons.
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
