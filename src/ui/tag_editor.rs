//! Tag editor: type a tag and press Enter or a comma to add it; Backspace in
//! the empty input removes the last; each tag has its own Remove button.
//! Duplicates (compared as the server compares them) are ignored.

use leads_core::validate;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use crate::i18n::{msg, use_i18n};
use crate::ui::mounted::Mounted;

/// The editor. `tags` and `pending` are the form's state; the callbacks
/// change them, so the form keeps the single copy of what was typed.
#[component]
pub fn TagEditor(
    /// Unique prefix for element ids.
    id: String,
    tags: Signal<Vec<String>>,
    set_tags: Callback<Vec<String>>,
    pending: Signal<String>,
    set_pending: Callback<String>,
    /// A message to show under the editor, e.g. from validation.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let mounted = Mounted::until_cleanup();
    let i18n = use_i18n();
    let input_id = format!("{id}-tag-input");
    let error_id = format!("{id}-tags-error");
    let add = move |raw: &str| {
        let text = raw.trim();
        if text.is_empty() {
            return;
        }
        let mut current = tags.get_untracked();
        if !validate::contains_tag(&current, text) {
            current.push(text.to_owned());
            set_tags.run(current);
        }
        set_pending.run(String::new());
    };
    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Enter" => {
            ev.prevent_default();
            ev.stop_propagation();
            add(&pending.get_untracked());
        }
        "," => {
            ev.prevent_default();
            add(&pending.get_untracked());
        }
        "Backspace" if pending.with_untracked(String::is_empty) => {
            let mut current = tags.get_untracked();
            if current.pop().is_some() {
                set_tags.run(current);
            }
        }
        _ => {}
    };
    let on_input = move |ev| {
        let value = event_target_value(&ev);
        // A pasted "a, b" becomes tags a and b, with the rest left to type.
        if value.contains(',') {
            let mut parts: Vec<&str> = value.split(',').collect();
            let rest = parts.pop().unwrap_or_default().to_owned();
            for part in parts {
                add(part);
            }
            set_pending.run(rest);
        } else {
            set_pending.run(value);
        }
    };
    let error_id_for_input = error_id.clone();
    view! {
        <div class="tag-editor">
            <label for=input_id.clone()>{i18n.text(msg::COLUMN_TAGS)}</label>
            <ul class="tags tags--editable">
                <For each=move || tags.get() key=|tag| tag.clone() let(tag)>
                    <li class="tag">
                        <span>{tag.clone()}</span>
                        <button
                            class="tag__remove"
                            type="button"
                            aria-label={
                                let tag = tag.clone();
                                move || i18n.fill(msg::TAGS_REMOVE, &[("tag", &tag)])
                            }
                            on:click={
                                let tag = tag.clone();
                                move |_| {
                                    let mut current = tags.get_untracked();
                                    current.retain(|t| *t != tag);
                                    set_tags.run(current);
                                }
                            }
                        >
                            "×"
                        </button>
                    </li>
                </For>
            </ul>
            <input
                id=input_id
                type="text"
                aria-label=i18n.text(msg::TAGS_ADD)
                placeholder=i18n.text(msg::TAGS_ADD)
                autocomplete="off"
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=move || error.with(Option::is_some).then(|| error_id_for_input.clone())
                prop:value=move || pending.get()
                on:keydown=on_keydown
                on:input=on_input
                on:blur=mounted.only(move |_| add(&pending.get_untracked()))
            />
            <Show when=move || error.with(Option::is_some)>
                <span id=error_id.clone() class="field-error">{move || error.get()}</span>
            </Show>
        </div>
    }
}
