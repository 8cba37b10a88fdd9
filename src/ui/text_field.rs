//! A labelled text input with an optional hint and a linked error message.

use leptos::prelude::*;

use crate::i18n::{use_i18n, Msg};
use crate::ui::mounted::Mounted;

/// Options for a [`TextField`] beyond its label and value.
#[derive(Clone, Default)]
pub struct FieldOptions {
    /// `type` of the input (`text` when empty).
    pub input_type: &'static str,
    /// Help shown under the input and linked with `aria-describedby`,
    /// and the values of its placeholders.
    pub hint: Option<(Msg, &'static [(&'static str, &'static str)])>,
    /// `autocomplete` value.
    pub autocomplete: &'static str,
    /// Id of a `<datalist>` with suggestions.
    pub list: Option<&'static str>,
    /// Marks the field as required for assistive technology.
    pub required: bool,
}

/// The field. `error` drives `aria-invalid` and the linked message.
#[component]
pub fn TextField(
    id: String,
    label: Msg,
    value: Signal<String>,
    on_input: Callback<String>,
    #[prop(optional)] on_blur: Option<Callback<()>>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] options: FieldOptions,
    #[prop(optional)] node_ref: NodeRef<leptos::html::Input>,
) -> impl IntoView {
    let mounted = Mounted::until_cleanup();
    let i18n = use_i18n();
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        let has_hint = options.hint.is_some();
        move || {
            let mut ids = Vec::new();
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            if has_hint {
                ids.push(hint_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let input_type = if options.input_type.is_empty() {
        "text"
    } else {
        options.input_type
    };
    view! {
        <div class="field">
            <label for=id.clone()>{i18n.text(label)}</label>
            <input
                id=id
                node_ref=node_ref
                type=input_type
                autocomplete=options.autocomplete
                list=options.list
                aria-required=options.required.then_some("true")
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=described_by
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
                on:change=mounted.only(move |ev| on_input.run(event_target_value(&ev)))
                on:blur=mounted.only(move |_| {
                    if let Some(on_blur) = on_blur {
                        on_blur.run(());
                    }
                })
            />
            {options
                .hint
                .map(|(hint, args)| {
                    view! {
                        <span id=hint_id class="field-hint">
                            {move || i18n.fill(hint, args)}
                        </span>
                    }
                })}
            <Show when=move || error.with(Option::is_some)>
                <span id=error_id.clone() class="field-error">{move || error.get()}</span>
            </Show>
        </div>
    }
}
