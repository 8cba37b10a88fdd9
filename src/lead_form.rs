//! What a person typed into a lead form, checked with the `leads-core` rules
//! the server uses, and turned into exactly the request to send: a
//! [`NewLead`] for a create, or a [`LeadPatch`] of only what changed.

use std::collections::BTreeMap;

pub use leads_core::Field;
use leads_core::{validate, FieldError, LeadPatch, NewLead, PartialLead};

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
    pub fn check(&self, field: Field) -> Option<String> {
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
        result.err().map(sentence)
    }

    /// Every problem with the fields in `fields`.
    pub fn errors(&self, fields: &[Field]) -> FieldErrors {
        fields
            .iter()
            .filter_map(|f| self.check(*f).map(|msg| (*f, msg)))
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
    pub fn to_new_lead(&self) -> Result<NewLead, FieldErrors> {
        let errors = self.errors(&[
            Field::Name,
            Field::Phone,
            Field::Email,
            Field::Source,
            Field::Tags,
        ]);
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
    pub fn to_patch(&self, lead: &PartialLead) -> Result<LeadPatch, FieldErrors> {
        let errors = self.errors(&[Field::Name, Field::Phone, Field::Email, Field::Tags]);
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
    /// `theirs` (a colleague's newer version): every field the person has
    /// not touched takes their value, and every field they typed in keeps
    /// the typing, so loading their version loses nothing typed.
    pub fn rebase(&self, mine: &PartialLead, theirs: &PartialLead) -> LeadForm {
        fn pick<T: PartialEq + Clone>(typed: &T, before: &T, after: &T) -> T {
            if typed == before { after } else { typed }.clone()
        }
        let (before, after) = (LeadForm::from_lead(mine), LeadForm::from_lead(theirs));
        LeadForm {
            name: pick(&self.name, &before.name, &after.name),
            phone: pick(&self.phone, &before.phone, &after.phone),
            email: pick(&self.email, &before.email, &after.email),
            source: pick(&self.source, &before.source, &after.source),
            tags: pick(&self.tags, &before.tags, &after.tags),
            tag_input: self.tag_input.clone(),
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

/// Messages read better with a capital letter; the rules' own text is the
/// API's, which starts with the field name.
fn sentence(err: FieldError) -> String {
    let mut chars = err.message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead() -> PartialLead {
        serde_json::from_str(
            r#"{"id":"lead_001","name":"Jane Smith","phone":"+15551234567","email":"jane@example.com","tags":["vip"]}"#,
        )
        .unwrap()
    }

    #[test]
    fn rebasing_takes_their_values_only_where_nothing_was_typed() {
        let mine = lead();
        let theirs: PartialLead = serde_json::from_str(
            r#"{"id":"lead_001","name":"Jane Smith-Ray","phone":"+15550000000","email":"jane@example.com","tags":["vip","hot"]}"#,
        )
        .unwrap();
        let typed = LeadForm {
            phone: "+15551112222".into(),
            tag_input: "half-typ".into(),
            ..LeadForm::from_lead(&mine)
        };
        let rebased = typed.rebase(&mine, &theirs);
        assert_eq!(rebased.name, "Jane Smith-Ray", "untouched: theirs");
        assert_eq!(rebased.phone, "+15551112222", "typed: kept");
        assert_eq!(rebased.tags, ["vip", "hot"]);
        assert_eq!(rebased.tag_input, "half-typ");
        assert_eq!(
            rebased.to_patch(&theirs).unwrap(),
            LeadPatch {
                phone: Some(Some("+15551112222".into())),
                tags: Some(vec!["vip".into(), "hot".into(), "half-typ".into()]),
                ..LeadPatch::default()
            },
            "saving then sends only the typing"
        );
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
        let new = form.to_new_lead().unwrap();
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
        let errors = form.to_new_lead().unwrap_err();
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
        assert!(form.to_patch(&lead()).unwrap().is_empty());
        assert!(!form.is_dirty(&lead()));
        form.phone = "  ".into();
        form.tags = vec!["vip".into(), "callback-requested".into()];
        let patch = form.to_patch(&lead()).unwrap();
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
        let patch = form.to_patch(&lead()).unwrap();
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
