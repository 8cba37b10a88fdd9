//! The "New lead" dialog: a modal form that sends exactly one POST per
//! submit, keeps every value on failure, and closes only on success or when
//! the person asks.

use leads_core::{NewLead, PartialLead};
use leptos::html;
use leptos::prelude::*;

use crate::announcer::Announcer;
use crate::api::ApiError;
use crate::components::lead_fields::{show_save_error, LeadFields, LeadFieldsOptions};
use crate::lead_form::{FieldErrors, LeadForm};
use crate::session::Session;

/// What is known of a new lead once the server has answered: what was sent,
/// overlaid with the reply (which may be the vendor's short shape).
fn created_lead(sent: &NewLead, reply: PartialLead) -> PartialLead {
    let mut lead = PartialLead {
        id: reply.id.clone(),
        name: Some(sent.name.clone()),
        phone: Some(sent.phone.clone()),
        email: Some(sent.email.clone()),
        source: sent.source.clone(),
        tags: Some(sent.tags.clone()),
        ..PartialLead::default()
    };
    lead.merge(reply);
    lead
}

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
    let errors = RwSignal::new(FieldErrors::new());
    let failure = RwSignal::new(None::<String>);
    let dialog = NodeRef::<html::Dialog>::new();
    let name_input = NodeRef::<html::Input>::new();

    let create = Action::new_local(move |new: &NewLead| {
        let client = session.client_untracked();
        let new = new.clone();
        async move {
            let reply = client.create_lead(&new).await;
            reply.map(|reply| created_lead(&new, reply))
        }
    });

    Effect::new(move |_| {
        let Some(el) = dialog.get() else { return };
        if open.get() {
            if !el.open() {
                let _ = el.show_modal();
            }
            if let Some(input) = name_input.get_untracked() {
                let _ = input.focus();
            }
        } else if el.open() {
            // Closing moves the focus, which fires the focused field's blur
            // check; the person did not leave that field, so its errors stay
            // as they were (an untouched form must not reopen in red).
            let errors_before = errors.get_untracked();
            el.close();
            errors.set(errors_before);
            if let Some(button) = opener.get_untracked() {
                let _ = button.focus();
            }
        }
    });

    Effect::new(move |_| {
        let Some(result) = create.value().get() else {
            return;
        };
        match result {
            Ok(lead) => {
                form.set(LeadForm::default());
                errors.set(FieldErrors::new());
                failure.set(None);
                open.set(false);
                announcer.success("Lead created", None);
                on_created.run(lead);
            }
            Err(ApiError::Unauthorized) => session.reject(),
            Err(err) => show_save_error(&err, errors, failure, |message| {
                format!(
                    "The lead was not created. {message} Everything you typed is still here; \
                     press Create lead to try again."
                )
            }),
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if create.pending().get_untracked() {
            return;
        }
        failure.set(None);
        match form.with_untracked(LeadForm::to_new_lead) {
            Ok(new) => {
                errors.set(FieldErrors::new());
                form.update(|f| {
                    f.tags = new.tags.clone();
                    f.tag_input.clear();
                });
                create.dispatch(new);
            }
            Err(found) => errors.set(found),
        }
    };
    let close = move || {
        if !create.pending().get_untracked() {
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
                <h2 id="new-lead-title">"New lead"</h2>
                <LeadFields
                    id="new-lead".to_owned()
                    form
                    errors
                    options=LeadFieldsOptions { with_source: true }
                    first_input=name_input
                />
                <Show when=no_contact>
                    <p class="notice notice--warning">
                        "Without a phone or an email, no agent can contact this lead."
                    </p>
                </Show>
                <Show when=move || failure.with(Option::is_some)>
                    <p class="notice notice--error" role="alert">{move || failure.get()}</p>
                </Show>
                <div class="dialog__actions">
                    <button class="button" type="button" on:click=move |_| close()>
                        "Cancel"
                    </button>
                    <button
                        class="button button--primary"
                        type="submit"
                        disabled=move || saving.get()
                        aria-busy=move || saving.get().to_string()
                    >
                        {move || if saving.get() { "Creating…" } else { "Create lead" }}
                    </button>
                </div>
            </form>
        </dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendors_short_create_reply_keeps_what_was_sent() {
        let sent = NewLead {
            name: "John Doe".into(),
            phone: Some("+15559876543".into()),
            email: Some("john@example.com".into()),
            source: Some("crm-import".into()),
            tags: vec!["hvac-repair".into()],
        };
        let reply: PartialLead = serde_json::from_str(
            r#"{"id":"lead_002","name":"John Doe","status":"new","created_at":"2025-03-20T11:30:00Z"}"#,
        )
        .unwrap();
        let lead = created_lead(&sent, reply);
        assert_eq!(lead.id, "lead_002");
        assert_eq!(lead.phone, Some(Some("+15559876543".into())));
        assert_eq!(lead.email, Some(Some("john@example.com".into())));
        assert_eq!(lead.tags, Some(vec!["hvac-repair".to_string()]));
        assert_eq!(lead.created_at.as_deref(), Some("2025-03-20T11:30:00Z"));
    }
}
