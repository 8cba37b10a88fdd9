//! The lead inputs shared by the create dialog and the row editor: Name,
//! Phone, Email, optionally Source, and the tag editor, each checked on blur
//! with the `leads-core` rules.

use leads_core::limits::DEFAULT_SOURCE;
use leads_core::validate;
use leptos::prelude::*;

use crate::edit::lead_form::{Field, FieldErrors, LeadForm};
use crate::i18n::{msg, use_i18n};
use crate::ui::tag_editor::TagEditor;
use crate::ui::text_field::{FieldOptions, TextField};

/// Source labels offered as suggestions; any other label is allowed too.
const SOURCE_SUGGESTIONS: [&str; 4] = ["crm-import", "referral", "walk-in", "website"];

/// Id of the shared `<datalist>` of source suggestions.
const SOURCE_LIST_ID: &str = "source-suggestions";

/// Reads one text field of the form.
type Getter = fn(&LeadForm) -> &String;
/// Writes one text field of the form.
type Setter = fn(&mut LeadForm, String);

/// Which inputs to show; the row editor has no Source (the API cannot
/// change it).
#[derive(Clone, Copy, Default)]
pub struct LeadFieldsOptions {
    pub with_source: bool,
}

/// The inputs. `form` and `errors` belong to the caller.
#[component]
pub fn LeadFields(
    id: String,
    form: RwSignal<LeadForm>,
    errors: RwSignal<FieldErrors>,
    #[prop(optional)] options: LeadFieldsOptions,
    #[prop(optional)] first_input: NodeRef<leptos::html::Input>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error_of =
        move |field: Field| Signal::derive(move || errors.with(|e| e.get(&field).cloned()));
    let check = move |field: Field| {
        Callback::new(move |()| {
            let message = form.with_untracked(|f| f.check(field, i18n));
            errors.update(|e| match message {
                Some(m) => {
                    e.insert(field, m);
                }
                None => {
                    e.remove(&field);
                }
            });
        })
    };
    let text = move |get: Getter, set: Setter, field: Field| {
        let value = Signal::derive(move || form.with(|f| get(f).clone()));
        let on_input = Callback::new(move |v: String| {
            form.update(|f| set(f, v));
            // A message goes away as soon as the input is fixed.
            if errors.with_untracked(|e| e.contains_key(&field))
                && form.with_untracked(|f| f.check(field, i18n)).is_none()
            {
                errors.update(|e| {
                    e.remove(&field);
                });
            }
        });
        (value, on_input)
    };
    let (name, set_name) = text(|f| &f.name, |f, v| f.name = v, Field::Name);
    let (phone, set_phone) = text(
        |f| &f.phone,
        |f, v| f.phone = validate::strip_phone_punctuation(&v),
        Field::Phone,
    );
    let (email, set_email) = text(|f| &f.email, |f, v| f.email = v, Field::Email);
    let (source, set_source) = text(|f| &f.source, |f, v| f.source = v, Field::Source);
    let tags = Signal::derive(move || form.with(|f| f.tags.clone()));
    let set_tags = Callback::new(move |tags: Vec<String>| {
        form.update(|f| f.tags = tags);
        check(Field::Tags).run(());
    });
    let pending = Signal::derive(move || form.with(|f| f.tag_input.clone()));
    let set_pending = Callback::new(move |text: String| form.update(|f| f.tag_input = text));
    let source_field = options.with_source.then(|| {
        view! {
            <TextField
                id=format!("{id}-source")
                label=msg::COLUMN_SOURCE
                value=source
                on_input=set_source
                on_blur=check(Field::Source)
                error=error_of(Field::Source)
                options=FieldOptions {
                    list: Some(SOURCE_LIST_ID),
                    hint: Some((msg::FORM_SOURCE_HINT, &[("default", DEFAULT_SOURCE)])),
                    ..FieldOptions::default()
                }
            />
            <datalist id=SOURCE_LIST_ID>
                {SOURCE_SUGGESTIONS.map(|s| view! { <option value=s></option> }).collect_view()}
            </datalist>
        }
    });
    view! {
        <TextField
            id=format!("{id}-name")
            label=msg::COLUMN_NAME
            value=name
            on_input=set_name
            on_blur=check(Field::Name)
            error=error_of(Field::Name)
            node_ref=first_input
            options=FieldOptions { required: true, autocomplete: "off", ..FieldOptions::default() }
        />
        <TextField
            id=format!("{id}-phone")
            label=msg::COLUMN_PHONE
            value=phone
            on_input=set_phone
            on_blur=check(Field::Phone)
            error=error_of(Field::Phone)
            options=FieldOptions {
                input_type: "tel",
                autocomplete: "off",
                hint: Some((msg::FORM_PHONE_HINT, &[])),
                ..FieldOptions::default()
            }
        />
        <TextField
            id=format!("{id}-email")
            label=msg::COLUMN_EMAIL
            value=email
            on_input=set_email
            on_blur=check(Field::Email)
            error=error_of(Field::Email)
            options=FieldOptions { input_type: "email", autocomplete: "off", ..FieldOptions::default() }
        />
        {source_field}
        <TagEditor
            id=id.clone()
            tags
            set_tags
            pending
            set_pending
            error=error_of(Field::Tags)
        />
    }
}
