//! Asks for the API key when the server requires one.

use leptos::prelude::*;
use leptos::wasm_split::wasm_split;

use crate::i18n::msg;
use crate::net::session::Session;
use crate::ui::deferred::Extra;

/// [`ConnectForm`], from the extras module: only a console that keeps the
/// key in the browser asks for it, once a session, and a form waits for a
/// person anyway; a portal that signs people in, and the server in front
/// of the vendor, never show it.
#[wasm_split(extras, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn connect_form() -> Extra {
    Ok(view! { <ConnectForm /> }.into_any())
}

/// The Connect form. The key goes to [`Session::connect`], never into a URL:
/// the form's default submit is always prevented.
#[component]
pub fn ConnectForm() -> impl IntoView {
    let session = expect_context::<Session>();
    let i18n = session.i18n();
    let key = RwSignal::new(String::new());
    let empty = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = key.get_untracked().trim().to_owned();
        if value.is_empty() {
            empty.set(true);
            return;
        }
        key.set(String::new());
        session.connect(value);
    };
    view! {
        <form class="connect" on:submit=submit autocomplete="off" novalidate>
            <h1>{i18n.text(msg::CONNECT_HEADING)}</h1>
            <p>{i18n.text(msg::CONNECT_INTRO)}</p>
            <Show when=move || session.was_rejected()>
                <p class="notice notice--error" role="alert">
                    {i18n.text(msg::ERROR_KEY_REJECTED)}
                </p>
            </Show>
            <div class="field">
                <label for="api-key">{i18n.text(msg::CONNECT_KEY)}</label>
                <input
                    id="api-key"
                    type="password"
                    autocomplete="off"
                    spellcheck="false"
                    aria-invalid=move || empty.get().then_some("true")
                    aria-describedby=move || empty.get().then_some("api-key-error")
                    prop:value=move || key.get()
                    on:input=move |ev| {
                        empty.set(false);
                        key.set(event_target_value(&ev));
                    }
                />
                <Show when=move || empty.get()>
                    <span id="api-key-error" class="field-error">
                        {i18n.text(msg::CONNECT_KEY_MISSING)}
                    </span>
                </Show>
            </div>
            <button class="button button--primary" type="submit">
                {i18n.text(msg::CONNECT_SUBMIT)}
            </button>
        </form>
    }
}
