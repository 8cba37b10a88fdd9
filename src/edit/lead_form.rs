//! What a person typed into a lead form, checked with the `leads-core` rules
//! the server uses, and turned into exactly the request to send: a
//! [`NewLead`] for a create, or a [`LeadPatch`] of only what changed.

use std::collections::BTreeMap;

pub use leads_core::Field;
use leads_core::{validate, FieldError, LeadPatch, NewLead, PartialLead, Rule};

use crate::i18n::{msg, I18n, Msg};

/// The fields a form edits, in the order they are shown.
const EDITABLE: [Field; 5] = [
    Field::Name,
    Field::Phone,
    Field::Email,
    Field::Source,
    Field::Tags,
];

/// One field's value in a form.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FieldValue {
    Text(String),
    Tags(Vec<String>),
}

/// What a person typed in fields that a colleague's version then replaced,
/// kept so that "Use my text" can put it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    /// The replaced fields, in the form's order.
    pub fields: Vec<Field>,
    /// The form as it was typed.
    typed: LeadForm,
}

impl SetAside {
    /// `form` with the typing put back in the replaced fields; the other
    /// fields stay as they are now.
    pub fn restore(&self, form: &LeadForm) -> LeadForm {
        let mut restored = form.clone();
        for &field in &self.fields {
            restored.set_value(field, self.typed.value(field));
        }
        restored
    }

    /// The replaced fields for a sentence, as their inputs are labelled:
    /// "Name", "Name and Email", "Name, Phone and Email".
    pub fn field_names(&self, i18n: I18n) -> String {
        let names: Vec<String> = self.fields.iter().map(|&f| i18n.t(label(f))).collect();
        i18n.list(&names)
    }
}

/// A field's name as its input is labelled.
fn label(field: Field) -> Msg {
    match field {
        Field::Name => msg::COLUMN_NAME,
        Field::Phone => msg::COLUMN_PHONE,
        Field::Email => msg::COLUMN_EMAIL,
        Field::Source => msg::COLUMN_SOURCE,
        Field::Status => msg::COLUMN_STATUS,
        Field::Tags => msg::COLUMN_TAGS,
    }
}

/// Messages per field; an empty map means the form is valid.
pub type FieldErrors = BTreeMap<Field, String>;

/// The form's values, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadForm {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub source: String,
    pub tags: Vec<String>,
    /// Text in the "Add tag" input not yet turned into a tag; it counts, so
    /// nothing typed is dropped.
    pub tag_input: String,
}

impl LeadForm {
    /// A form filled with what is known of `lead`, for editing it.
    pub fn from_lead(lead: &PartialLead) -> LeadForm {
        LeadForm {
            name: lead.name.clone().unwrap_or_default(),
            phone: lead.phone.clone().flatten().unwrap_or_default(),
            email: lead.email.clone().flatten().unwrap_or_default(),
            source: lead.source.clone().unwrap_or_default(),
            tags: lead.tags.clone().unwrap_or_default(),
            tag_input: String::new(),
        }
    }

    /// The tags with any pending text in "Add tag" included.
    pub fn all_tags(&self) -> Vec<String> {
        let mut tags = self.tags.clone();
        let pending = self.tag_input.trim();
        if !pending.is_empty() && !validate::contains_tag(&tags, pending) {
            tags.push(pending.to_owned());
        }
        tags
    }

    /// Checks one field; `None` when it is fine. Empty phone and email are
    /// fine (they are optional); empty source means the server's default.
    pub fn check(&self, field: Field, i18n: I18n) -> Option<String> {
        let result = match field {
            Field::Name => validate::name(&self.name).map(drop),
            Field::Phone if self.phone.trim().is_empty() => Ok(()),
            Field::Phone => {
                validate::phone(&validate::strip_phone_punctuation(&self.phone)).map(drop)
            }
            Field::Email if self.email.trim().is_empty() => Ok(()),
            Field::Email => validate::email(&self.email).map(drop),
            Field::Source if self.source.trim().is_empty() => Ok(()),
            Field::Source => validate::source(&self.source).map(drop),
            Field::Tags => validate::tags(self.all_tags()).map(drop),
            // Status is never typed: it has its own select.
            Field::Status => Ok(()),
        };
        result.err().map(|err| sentence(err, i18n))
    }

    /// Every problem with the fields in `fields`.
    pub fn errors(&self, fields: &[Field], i18n: I18n) -> FieldErrors {
        fields
            .iter()
            .filter_map(|f| self.check(*f, i18n).map(|msg| (*f, msg)))
            .collect()
    }

    /// True when the lead could not be reached by an agent.
    pub fn lacks_contact(&self) -> bool {
        self.phone.trim().is_empty() && self.email.trim().is_empty()
    }

    fn phone_value(&self) -> Option<String> {
        let stripped = validate::strip_phone_punctuation(&self.phone);
        (!stripped.is_empty()).then_some(stripped)
    }

    fn optional(text: &str) -> Option<String> {
        let trimmed = text.trim();
        (!trimmed.is_empty()).then(|| trimmed.to_owned())
    }

    /// The create request, or every field error.
    pub fn to_new_lead(&self, i18n: I18n) -> Result<NewLead, FieldErrors> {
        let errors = self.errors(
            &[
                Field::Name,
                Field::Phone,
                Field::Email,
                Field::Source,
                Field::Tags,
            ],
            i18n,
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewLead {
            name: self.name.trim().to_owned(),
            phone: self.phone_value(),
            email: Self::optional(&self.email),
            source: Self::optional(&self.source),
            tags: validate::tags(self.all_tags()).unwrap_or_default(),
        })
    }

    /// The update request carrying only what differs from `lead`: `tags` as
    /// the whole new list, an emptied phone or email as `null`.
    pub fn to_patch(&self, lead: &PartialLead, i18n: I18n) -> Result<LeadPatch, FieldErrors> {
        let errors = self.errors(
            &[Field::Name, Field::Phone, Field::Email, Field::Tags],
            i18n,
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        let before = LeadForm::from_lead(lead);
        let name = self.name.trim().to_owned();
        let phone = self.phone_value();
        let email = Self::optional(&self.email);
        let tags = validate::tags(self.all_tags()).unwrap_or_default();
        Ok(LeadPatch {
            name: (name != before.name.trim()).then_some(name),
            phone: (phone != before.phone_value()).then_some(phone),
            email: (email != Self::optional(&before.email)).then_some(email),
            status: None,
            tags: (tags != before.tags).then_some(tags),
        })
    }

    /// The form moved from `mine` (the lead as the editor opened it) onto
    /// `theirs` (a colleague's newer version): every field they changed
    /// takes their value, typed in or not, and every other field keeps what
    /// was typed. Typing their value replaced is returned as [`SetAside`],
    /// one press from coming back, so loading their version loses nothing.
    pub fn rebase(&self, mine: &PartialLead, theirs: &PartialLead) -> (LeadForm, Option<SetAside>) {
        let (before, after) = (LeadForm::from_lead(mine), LeadForm::from_lead(theirs));
        let mut replaced = Vec::new();
        let mut rebased = self.clone();
        for field in EDITABLE {
            let (typed, was, now) = (self.value(field), before.value(field), after.value(field));
            if was != now {
                // Typing that is neither the old value nor theirs is set aside.
                if typed != was && typed != now {
                    replaced.push(field);
                }
                rebased.set_value(field, now);
            }
        }
        let aside = (!replaced.is_empty()).then(|| SetAside {
            fields: replaced,
            typed: self.clone(),
        });
        (rebased, aside)
    }

    /// One field's value, tags as a list.
    fn value(&self, field: Field) -> FieldValue {
        match field {
            Field::Name => FieldValue::Text(self.name.clone()),
            Field::Phone => FieldValue::Text(self.phone.clone()),
            Field::Email => FieldValue::Text(self.email.clone()),
            Field::Source => FieldValue::Text(self.source.clone()),
            Field::Tags => FieldValue::Tags(self.tags.clone()),
            Field::Status => FieldValue::Text(String::new()),
        }
    }

    fn set_value(&mut self, field: Field, value: FieldValue) {
        match (field, value) {
            (Field::Name, FieldValue::Text(text)) => self.name = text,
            (Field::Phone, FieldValue::Text(text)) => self.phone = text,
            (Field::Email, FieldValue::Text(text)) => self.email = text,
            (Field::Source, FieldValue::Text(text)) => self.source = text,
            (Field::Tags, FieldValue::Tags(tags)) => self.tags = tags,
            _ => {}
        }
    }

    /// True when the form differs from what `lead` holds, i.e. leaving now
    /// would lose typing.
    pub fn is_dirty(&self, lead: &PartialLead) -> bool {
        let before = LeadForm::from_lead(lead);
        self.name != before.name
            || self.phone != before.phone
            || self.email != before.email
            || self.tags != before.tags
            || !self.tag_input.trim().is_empty()
    }
}

/// What a person reads for `err`: the rule it broke in the console's
/// language, or the message as given for any other problem.
fn sentence(err: FieldError, i18n: I18n) -> String {
    let said = |msg, max: usize| i18n.fill(msg, &[("max", &i18n.number(max as u64))]);
    match (err.param.parse::<Field>().ok(), err.rule) {
        (_, Rule::Required) => i18n.t(msg::FORM_NAME_REQUIRED),
        (Some(Field::Email), Rule::TooLong { max }) => said(msg::FORM_EMAIL_TOO_LONG, max),
        (_, Rule::TooLong { max }) => said(msg::FORM_NAME_TOO_LONG, max),
        (_, Rule::Phone) => i18n.t(msg::FORM_PHONE_FORMAT),
        (_, Rule::Email) => i18n.t(msg::FORM_EMAIL_FORMAT),
        (Some(Field::Source), Rule::Length { max }) => said(msg::FORM_SOURCE_LENGTH, max),
        (_, Rule::Length { max }) => said(msg::FORM_TAG_LENGTH, max),
        (_, Rule::TooMany { max }) => said(msg::FORM_TOO_MANY_TAGS, max),
        (_, Rule::Other) => {
            let mut chars = err.message.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::in_english;

    fn lead() -> PartialLead {
        serde_json::from_str(
            r#"{"id":"lead_001","name":"Jane Smith","phone":"+15551234567","email":"jane@example.com","tags":["vip"]}"#,
        )
        .unwrap()
    }

    #[test]
    fn rebasing_takes_every_field_they_changed_and_sets_overwritten_typing_aside() {
        let mine = lead();
        let theirs: PartialLead = serde_json::from_str(
            r#"{"id":"lead_001","name":"Jane Smith-Ray","phone":"+15550000000","email":"jane@example.com","tags":["vip","hot"]}"#,
        )
        .unwrap();
        let typed = LeadForm {
            name: "Janet Smith".into(),
            email: "janet@example.com".into(),
            tag_input: "half-typ".into(),
            ..LeadForm::from_lead(&mine)
        };
        let (rebased, aside) = typed.rebase(&mine, &theirs);
        assert_eq!(
            rebased.name, "Jane Smith-Ray",
            "changed on both sides: theirs"
        );
        assert_eq!(
            rebased.phone, "+15550000000",
            "changed by them only: theirs"
        );
        assert_eq!(rebased.email, "janet@example.com", "typed only: kept");
        assert_eq!(rebased.tags, ["vip", "hot"]);
        assert_eq!(rebased.tag_input, "half-typ");
        let aside = aside.expect("the typed name is set aside");
        assert_eq!(aside.fields, [Field::Name]);
        assert_eq!(in_english(|i18n| aside.field_names(i18n)), "Name");
        let restored = aside.restore(&rebased);
        assert_eq!(restored.name, "Janet Smith", "Use my text brings it back");
        assert_eq!(restored.phone, "+15550000000", "and leaves their phone");
        assert_eq!(
            in_english(|i18n| rebased.to_patch(&theirs, i18n)).unwrap(),
            LeadPatch {
                email: Some(Some("janet@example.com".into())),
                tags: Some(vec!["vip".into(), "hot".into(), "half-typ".into()]),
                ..LeadPatch::default()
            },
            "saving then sends only the typing they did not replace"
        );
    }

    #[test]
    fn typing_their_own_value_sets_nothing_aside() {
        let mine = lead();
        let theirs = PartialLead {
            name: Some("Jane Ray".into()),
            ..mine.clone()
        };
        let typed = LeadForm {
            name: "Jane Ray".into(),
            ..LeadForm::from_lead(&mine)
        };
        let (rebased, aside) = typed.rebase(&mine, &theirs);
        assert_eq!(rebased.name, "Jane Ray");
        assert_eq!(aside, None);
    }

    #[test]
    fn create_normalises_phone_and_takes_pending_tag() {
        let form = LeadForm {
            name: " Jane ".into(),
            phone: "+1 (555) 010-2030".into(),
            tags: vec!["vip".into()],
            tag_input: "hvac-repair".into(),
            ..LeadForm::default()
        };
        let new = in_english(|i18n| form.to_new_lead(i18n)).unwrap();
        assert_eq!(new.name, "Jane");
        assert_eq!(new.phone.as_deref(), Some("+15550102030"));
        assert_eq!(new.tags, ["vip", "hvac-repair"]);
        assert_eq!(new.email, None);
        assert_eq!(new.source, None);
    }

    #[test]
    fn every_invalid_field_is_reported_with_a_sentence() {
        let form = LeadForm {
            name: "  ".into(),
            phone: "555-0100".into(),
            email: "jane@example".into(),
            ..LeadForm::default()
        };
        let errors = in_english(|i18n| form.to_new_lead(i18n)).unwrap_err();
        assert_eq!(
            errors.keys().copied().collect::<Vec<_>>(),
            [Field::Name, Field::Phone, Field::Email]
        );
        assert_eq!(errors[&Field::Name], "Name is required");
        assert!(errors[&Field::Phone].starts_with("Phone must be in E.164 format"));
    }

    #[test]
    fn patch_carries_only_changes_and_null_for_emptied_contacts() {
        let mut form = LeadForm::from_lead(&lead());
        assert!(in_english(|i18n| form.to_patch(&lead(), i18n))
            .unwrap()
            .is_empty());
        assert!(!form.is_dirty(&lead()));
        form.phone = "  ".into();
        form.tags = vec!["vip".into(), "callback-requested".into()];
        let patch = in_english(|i18n| form.to_patch(&lead(), i18n)).unwrap();
        assert_eq!(
            serde_json::to_string(&patch).unwrap(),
            r#"{"phone":null,"tags":["vip","callback-requested"]}"#
        );
        assert!(form.is_dirty(&lead()));
    }

    #[test]
    fn a_renamed_lead_sends_only_its_name() {
        let mut form = LeadForm::from_lead(&lead());
        form.name = "Jane Smith-Jones".into();
        form.email = " jane@example.com ".into();
        let patch = in_english(|i18n| form.to_patch(&lead(), i18n)).unwrap();
        assert_eq!(
            serde_json::to_string(&patch).unwrap(),
            r#"{"name":"Jane Smith-Jones"}"#
        );
    }

    #[test]
    fn missing_contact_is_noticed() {
        assert!(LeadForm {
            name: "A".into(),
            ..LeadForm::default()
        }
        .lacks_contact());
        assert!(!LeadForm::from_lead(&lead()).lacks_contact());
    }
}
