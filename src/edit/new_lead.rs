//! The "New lead" dialog: a modal form that sends exactly one POST per
//! submit, keeps every value on failure, and closes only on success or when
//! the person asks.

use leads_core::{NewLead, PartialLead};
use leptos::html;
use leptos::prelude::*;

use crate::edit::fields::{LeadFields, LeadFieldsOptions};
use crate::edit::form_feedback::{FormFeedback, FormSave};
use crate::edit::lead_edits::created_lead;
use crate::edit::lead_form::LeadForm;
use crate::i18n::msg;
use crate::net::session::Session;
use crate::ui::announcer::Announcer;
use crate::ui::modal::{modal, FocusBack};

/// The dialog. `open` shows and hides it; `form` is owned by the page so
/// that leaving the page with a half-typed lead can be caught.
#[component]
pub fn NewLeadDialog(
    open: RwSignal<bool>,
    form: RwSignal<LeadForm>,
    opener: NodeRef<html::Button>,
    on_created: Callback<PartialLead>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let announcer = expect_context::<Announcer>();
    let i18n = session.i18n();
    let feedback = FormFeedback::new();
    let FormFeedback {
        errors, failure, ..
    } = feedback;
    let dialog = NodeRef::<html::Dialog>::new();
    let name_input = NodeRef::<html::Input>::new();

    // The create the person means, and its `Idempotency-Key`: sending the
    // same lead again (after a lost answer, say) reuses the key, so the
    // server answers again instead of making a second lead; a changed lead
    // is another create with a key of its own.
    let meant = StoredValue::new(None::<(NewLead, Option<String>)>);
    let create = FormSave::new(
        move |(new, key): (NewLead, Option<String>)| {
            let client = session.client_untracked();
            async move {
                let reply = session.checked(client.create_lead(&new, key.as_deref()).await)?;
                Ok(created_lead(&new, reply))
            }
        },
        feedback,
        msg::NEW_LEAD_NOT_CREATED,
        move |lead| {
            meant.set_value(None);
            form.set(LeadForm::default());
            feedback.clear();
            open.set(false);
            announcer.success(i18n.t(msg::NEW_LEAD_CREATED), None);
            on_created.run(lead);
        },
    );

    // Closing moves the focus (at close, or, inside a shadow root, only
    // when the opener takes it back), which fires the focused field's blur
    // check; the person did not leave that field, so its errors stay as
    // they were (an untouched form must not reopen in red).
    modal(
        dialog,
        open,
        move || name_input.get_untracked().map(Into::into),
        FocusBack::To(opener),
        move |close| {
            let errors_before = errors.get_untracked();
            close();
            errors.set(errors_before);
        },
    );

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if create.busy() {
            return;
        }
        feedback.clear();
        match form.with_untracked(|f| f.to_new_lead(i18n)) {
            Ok(new) => {
                form.update(|f| {
                    f.tags = new.tags.clone();
                    f.tag_input.clear();
                });
                let key = match meant.get_value() {
                    Some((sent, key)) if sent == new => key,
                    _ => crate::net::api::new_create_key(),
                };
                meant.set_value(Some((new.clone(), key.clone())));
                create.send((new, key));
            }
            Err(found) => errors.set(found),
        }
    };
    let close = move || {
        if !create.busy() {
            open.set(false);
        }
    };
    let no_contact =
        move || form.with(LeadForm::lacks_contact) && !form.with(|f| f.name.trim().is_empty());
    let saving = create.pending();

    view! {
        <dialog
            node_ref=dialog
            class="dialog"
            role="dialog"
            aria-modal="true"
            aria-labelledby="new-lead-title"
            on:cancel=move |ev: web_sys::Event| {
                ev.prevent_default();
                close();
            }
        >
            <form class="dialog__form" on:submit=submit novalidate>
                <h2 id="new-lead-title">{i18n.text(msg::LEADS_NEW_LEAD)}</h2>
                <LeadFields
                    id="new-lead".to_owned()
                    form
                    errors
                    options=LeadFieldsOptions { with_source: true }
                    first_input=name_input
                />
                <Show when=no_contact>
                    <p class="notice notice--warning">
                        {i18n.text(msg::NEW_LEAD_NO_CONTACT)}
                    </p>
                </Show>
                <Show when=move || failure.with(Option::is_some)>
                    <p class="notice notice--error" role="alert">{move || failure.get()}</p>
                </Show>
                <div class="dialog__actions">
                    <button class="button" type="button" on:click=move |_| close()>
                        {i18n.text(msg::ACTION_CANCEL)}
                    </button>
                    <button
                        class="button button--primary"
                        type="submit"
                        disabled=move || saving.get()
                        aria-busy=move || saving.get().to_string()
                    >
                        {move || {
                            i18n.t(if saving.get() { msg::NEW_LEAD_CREATING } else { msg::NEW_LEAD_CREATE })
                        }}
                    </button>
                </div>
            </form>
        </dialog>
    }
}
