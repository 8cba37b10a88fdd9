//! A row turned into a form: Name, Phone, Email and tags. Save sends a PATCH
//! of only what changed; Escape or Cancel sends nothing. On failure the row
//! stays open with everything typed, and the server's message sits next to
//! the field it names. When a colleague changes the lead meanwhile, the row
//! says so and lets the person load their version (theirs in every field
//! they changed, what was typed there one press away) or keep editing.

use leads_core::{LeadPatch, PartialLead};
use leptos::prelude::*;
use leptos::wasm_split::wasm_split;

use crate::edit::fields::LeadFields;
use crate::edit::form_feedback::{FormFeedback, FormSave};
use crate::edit::lead_edits::LeadEdits;
use crate::edit::lead_form::{LeadForm, SetAside};
use crate::i18n::msg;
use crate::net::session::Session;
use crate::ui::announcer::Announcer;
use crate::ui::deferred::Extra;

/// The editor row for lead `id`, one cell across the table's `span`
/// columns; what was typed lives in [`LeadEdits`], so it outlives this
/// component.
#[component]
pub fn LeadEditRow(id: String, lead: Memo<PartialLead>, span: usize) -> impl IntoView {
    let edits = expect_context::<LeadEdits>();
    let session = expect_context::<Session>();
    let announcer = expect_context::<Announcer>();
    let i18n = session.i18n();
    let initial = edits
        .draft(&id)
        .unwrap_or_else(|| LeadForm::from_lead(&lead.get_untracked()));
    let form = RwSignal::new(initial);
    let feedback = FormFeedback::new();
    let FormFeedback {
        errors, failure, ..
    } = feedback;
    let first_input = NodeRef::<leptos::html::Input>::new();

    {
        let id = id.clone();
        // Mirror the typing into the shared drafts; untracked, since writing
        // the drafts must not re-run this.
        Effect::new(move |_| {
            let typed = form.get();
            untrack(|| {
                if edits.is_editing(&id) {
                    edits.set_draft(&id, typed);
                }
            });
        });
    }
    Effect::new(move |_| {
        if let Some(input) = first_input.get() {
            let _ = input.focus();
        }
    });

    let save = {
        let (sent_id, saved_id) = (id.clone(), id.clone());
        FormSave::new(
            move |patch: LeadPatch| {
                let client = session.client_untracked();
                let id = sent_id.clone();
                async move {
                    let reply = session.checked(client.update_lead(&id, &patch).await)?;
                    Ok((patch, reply))
                }
            },
            feedback,
            msg::EDIT_NOT_SAVED,
            move |(patch, reply)| {
                edits.record(&lead.get_untracked(), &patch, reply);
                edits.close_draft(&saved_id);
                announcer.success(i18n.t(msg::EDIT_SAVED), None);
            },
        )
    };

    let submit = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if save.busy() {
                return;
            }
            feedback.clear();
            match form.with_untracked(|f| f.to_patch(&lead.get_untracked(), i18n)) {
                Err(found) => errors.set(found),
                Ok(patch) if patch.is_empty() => edits.close_draft(&id),
                Ok(patch) => {
                    save.send(patch);
                }
            }
        }
    };
    let cancel = {
        let id = id.clone();
        move || {
            if !save.busy() {
                edits.close_draft(&id);
            }
        }
    };
    let cancel_on_escape = cancel.clone();
    let conflict = {
        let id = id.clone();
        move || edits.has_conflict(&id)
    };
    // Typing that their version replaced, one press from coming back.
    let set_aside = RwSignal::new(None::<SetAside>);
    let load_theirs = {
        let id = id.clone();
        move |_| {
            let aside = edits.load_theirs(&lead.get_untracked());
            if let Some(rebased) = untrack(|| edits.draft(&id)) {
                form.set(rebased);
            }
            set_aside.set(aside);
            if let Some(input) = first_input.get_untracked() {
                let _ = input.focus();
            }
        }
    };
    let use_my_text = move |_| {
        if let Some(aside) = set_aside.get_untracked() {
            form.update(|typed| *typed = aside.restore(typed));
        }
        set_aside.set(None);
        if let Some(input) = first_input.get_untracked() {
            let _ = input.focus();
        }
    };
    let replaced = move || {
        set_aside.with(|aside| {
            aside
                .as_ref()
                .map(|aside| i18n.fill(msg::EDIT_REPLACED, &[("fields", &aside.field_names(i18n))]))
        })
    };
    let keep_editing = {
        let id = id.clone();
        move |_| {
            edits.keep_editing(&id);
            if let Some(input) = first_input.get_untracked() {
                let _ = input.focus();
            }
        }
    };
    let saving = save.pending();
    let name = move || lead.with(|l| l.name.clone()).unwrap_or_default();
    view! {
        <tr data-lead-id=id.clone() class="row--editing">
            <td colspan=span>
                <form
                    class="row-editor"
                    aria-label=move || i18n.fill(msg::ROW_EDIT, &[("name", &name())])
                    novalidate
                    on:submit=submit
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            ev.prevent_default();
                            cancel_on_escape();
                        }
                    }
                >
                    <Show when=conflict.clone()>
                        <div class="notice notice--warning row-editor__conflict" role="alert">
                            <p>{i18n.text(msg::EDIT_CONFLICT)}</p>
                            <button class="button" type="button" on:click=load_theirs.clone()>
                                {i18n.text(msg::EDIT_LOAD_THEIRS)}
                            </button>
                            <button class="button" type="button" on:click=keep_editing.clone()>
                                {i18n.text(msg::EDIT_KEEP_EDITING)}
                            </button>
                        </div>
                    </Show>
                    <Show when=move || set_aside.with(Option::is_some)>
                        <div class="notice row-editor__conflict" role="status">
                            <p>{replaced}</p>
                            <button class="button" type="button" on:click=use_my_text>
                                {i18n.text(msg::EDIT_USE_MINE)}
                            </button>
                        </div>
                    </Show>
                    <div class="row-editor__fields">
                        <LeadFields id=format!("edit-{id}") form errors first_input />
                    </div>
                    <Show when=move || failure.with(Option::is_some)>
                        <p class="notice notice--error" role="alert">{move || failure.get()}</p>
                    </Show>
                    <div class="row-editor__actions">
                        <button
                            class="button button--primary"
                            type="submit"
                            disabled=move || saving.get()
                        >
                            {move || i18n.t(if saving.get() { msg::ROW_SAVING } else { msg::ACTION_SAVE })}
                        </button>
                        <button class="button" type="button" on:click=move |_| cancel()>
                            {i18n.text(msg::ACTION_CANCEL)}
                        </button>
                    </div>
                </form>
            </td>
        </tr>
    }
}

/// [`LeadEditRow`] spanning `span` columns, from the extras module.
#[wasm_split(extras, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn lead_edit_row(id: String, lead: Memo<PartialLead>, span: usize) -> Extra {
    Ok(view! { <LeadEditRow id lead span /> }.into_any())
}
