//! Field rules of the contract. Each function takes what a person or client
//! sent, trims it, and returns the value to store or a [`FieldError`] naming
//! the field. The console runs the same functions before it sends anything.

use crate::error::{FieldError, Rule};
use crate::field::Field;
use crate::limits::{MAX_EMAIL_CHARS, MAX_NAME_CHARS, MAX_SOURCE_CHARS, MAX_TAGS, MAX_TAG_CHARS};

/// Longest E.164 number: a plus sign and at most 15 digits.
const MAX_E164_DIGITS: usize = 15;

/// Validates a lead name: required, at most [`MAX_NAME_CHARS`] characters.
///
/// ```
/// assert_eq!(leads_core::validate::name("  Jane Smith ").unwrap(), "Jane Smith");
/// assert!(leads_core::validate::name("   ").is_err());
/// ```
pub fn name(raw: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(FieldError::broke(
            Field::Name,
            Rule::Required,
            "name is required",
        ));
    }
    if value.chars().count() > MAX_NAME_CHARS {
        return Err(FieldError::broke(
            Field::Name,
            Rule::TooLong {
                max: MAX_NAME_CHARS,
            },
            format!("name must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(value.to_owned())
}

/// Validates an E.164 phone number such as `+15551234567`.
///
/// ```
/// assert!(leads_core::validate::phone("+15551234567").is_ok());
/// assert!(leads_core::validate::phone("+0555").is_err());
/// ```
pub fn phone(raw: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    if is_e164(value) {
        Ok(value.to_owned())
    } else {
        Err(FieldError::broke(
            Field::Phone,
            Rule::Phone,
            "phone must be in E.164 format, e.g. +15551234567",
        ))
    }
}

/// True for `^\+[1-9][0-9]{1,14}$`. The console uses it to decide whether a
/// stored phone may become a `tel:` link.
pub fn is_e164(value: &str) -> bool {
    let Some(digits) = value.strip_prefix('+') else {
        return false;
    };
    let bytes = digits.as_bytes();
    (2..=MAX_E164_DIGITS).contains(&bytes.len())
        && bytes.iter().all(u8::is_ascii_digit)
        && bytes[0] != b'0'
}

/// Drops the punctuation people type in phone numbers (spaces, dashes, dots,
/// parentheses), so `+1 (555) 010-2030` becomes `+15550102030`. Everything
/// else is kept, so a typo still fails validation instead of vanishing.
pub fn strip_phone_punctuation(raw: &str) -> String {
    raw.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')') && !c.is_whitespace())
        .collect()
}

/// Validates an email address by the contract's structural rules.
///
/// ```
/// assert!(leads_core::validate::email("jane@example.com").is_ok());
/// assert!(leads_core::validate::email("jane@example").is_err());
/// ```
pub fn email(raw: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.chars().count() > MAX_EMAIL_CHARS {
        return Err(FieldError::broke(
            Field::Email,
            Rule::TooLong {
                max: MAX_EMAIL_CHARS,
            },
            format!("email must be at most {MAX_EMAIL_CHARS} characters"),
        ));
    }
    if is_email(value) {
        Ok(value.to_owned())
    } else {
        Err(FieldError::broke(
            Field::Email,
            Rule::Email,
            "email must be a valid address, e.g. jane@example.com",
        ))
    }
}

/// True when `value` passes the contract's email rules (length excluded).
/// The console uses it to decide whether a stored email may become a
/// `mailto:` link.
pub fn is_email(value: &str) -> bool {
    if value.is_empty()
        || value.chars().count() > MAX_EMAIL_CHARS
        || value.chars().any(char::is_whitespace)
    {
        return false;
    }
    let mut parts = value.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let labels: Vec<&str> = domain.split('.').collect();
    !local.is_empty() && labels.len() >= 2 && labels.iter().all(|label| !label.is_empty())
}

/// Validates a free source label (1–64 characters).
pub fn source(raw: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    let len = value.chars().count();
    if len == 0 || len > MAX_SOURCE_CHARS {
        return Err(FieldError::broke(
            Field::Source,
            Rule::Length {
                max: MAX_SOURCE_CHARS,
            },
            format!("source must be 1–{MAX_SOURCE_CHARS} characters"),
        ));
    }
    Ok(value.to_owned())
}

/// Trims and checks one tag; used by the console's tag editor as each tag is
/// typed, and by [`tags`] for the whole list.
pub fn tag(raw: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    let len = value.chars().count();
    if len == 0 || len > MAX_TAG_CHARS {
        return Err(FieldError::broke(
            Field::Tags,
            Rule::Length { max: MAX_TAG_CHARS },
            format!("each tag must be 1–{MAX_TAG_CHARS} characters"),
        ));
    }
    Ok(value.to_owned())
}

/// Normalises a tag list: trims each tag, drops duplicates compared by
/// Unicode lowercase (keeping the first spelling), and enforces the count
/// limit after dropping.
///
/// ```
/// let tags = leads_core::validate::tags(["VIP", " vip ", "hvac-repair"]).unwrap();
/// assert_eq!(tags, ["VIP", "hvac-repair"]);
/// ```
pub fn tags<I, S>(raw: I) -> Result<Vec<String>, FieldError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut kept: Vec<String> = Vec::new();
    for item in raw {
        let value = tag(item.as_ref())?;
        if !contains_tag(&kept, &value) {
            kept.push(value);
        }
    }
    if kept.len() > MAX_TAGS {
        return Err(FieldError::broke(
            Field::Tags,
            Rule::TooMany { max: MAX_TAGS },
            format!("a lead can have at most {MAX_TAGS} tags"),
        ));
    }
    Ok(kept)
}

/// True when `tags` already holds `candidate`, compared the way the server
/// compares them (Unicode lowercase).
pub fn contains_tag(tags: &[String], candidate: &str) -> bool {
    let key = candidate.trim().to_lowercase();
    tags.iter().any(|t| t.to_lowercase() == key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn name_is_trimmed_and_bounded_in_characters() {
        assert_eq!(name("  Ana  ").unwrap(), "Ana");
        assert_eq!(name("").unwrap_err().param, "name");
        assert!(name(&"é".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(name(&"é".repeat(MAX_NAME_CHARS + 1)).is_err());
    }

    #[test]
    fn phone_follows_e164() {
        for ok in ["+15551234567", "+12", "+123456789012345", " +15550102030 "] {
            assert!(phone(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "+",
            "+1",
            "15551234567",
            "+05551234567",
            "+1234567890123456",
            "+1 555 123",
            "+1555abc",
            "++15551234567",
        ] {
            assert_eq!(phone(bad).unwrap_err().param, "phone", "{bad}");
        }
    }

    #[test]
    fn phone_punctuation_is_stripped_but_typos_are_kept() {
        assert_eq!(strip_phone_punctuation("+1 (555) 010-2030"), "+15550102030");
        assert_eq!(strip_phone_punctuation("+1.555.010.2030"), "+15550102030");
        assert_eq!(strip_phone_punctuation("+1 555 O10"), "+1555O10");
    }

    #[test]
    fn email_follows_the_structural_rules() {
        for ok in [
            "a@b.co",
            "jane.smith+x@mail.example.com",
            " jane@example.com ",
        ] {
            assert!(email(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "a@b",
            "a@.com",
            "a@b.",
            "@b.com",
            "a@@b.com",
            "a@b@c.com",
            "a b@c.com",
            "ab.com",
            "a@b..com",
        ] {
            assert_eq!(email(bad).unwrap_err().param, "email", "{bad}");
        }
        let long = format!("{}@example.com", "a".repeat(MAX_EMAIL_CHARS));
        assert!(email(&long).unwrap_err().message.contains("254"));
    }

    #[test]
    fn source_is_one_to_sixty_four_characters() {
        assert_eq!(source(" referral ").unwrap(), "referral");
        assert!(source(" ").is_err());
        assert!(source(&"x".repeat(MAX_SOURCE_CHARS)).is_ok());
        assert!(source(&"x".repeat(MAX_SOURCE_CHARS + 1)).is_err());
    }

    #[test]
    fn tags_drop_case_insensitive_duplicates_keeping_first_spelling() {
        assert_eq!(
            tags(["High-Intent", "high-intent", " vip", "VIP "]).unwrap(),
            ["High-Intent", "vip"]
        );
        assert_eq!(tags(["ÄRGER", "ärger"]).unwrap(), ["ÄRGER"]);
    }

    #[test]
    fn tags_limit_counts_after_dropping_duplicates() {
        let mut many: Vec<String> = (0..MAX_TAGS).map(|i| format!("t{i}")).collect();
        many.push("T0".into());
        assert_eq!(tags(&many).unwrap().len(), MAX_TAGS);
        many.push("one-too-many".into());
        assert_eq!(tags(&many).unwrap_err().param, "tags");
    }

    #[test]
    fn empty_or_long_tag_is_rejected() {
        assert!(tags(["ok", "  "]).is_err());
        assert!(tags(["x".repeat(MAX_TAG_CHARS + 1)]).is_err());
        assert!(tags(["x".repeat(MAX_TAG_CHARS)]).is_ok());
    }

    proptest! {
        #[test]
        fn normalised_tags_are_stable_and_unique(raw in proptest::collection::vec("[ a-zA-Z0-9-]{1,12}", 0..30)) {
            if let Ok(once) = tags(&raw) {
                let twice = tags(&once).unwrap();
                prop_assert_eq!(&once, &twice);
                let mut lower: Vec<String> = once.iter().map(|t| t.to_lowercase()).collect();
                lower.sort();
                lower.dedup();
                prop_assert_eq!(lower.len(), once.len());
                prop_assert!(once.iter().all(|t| t.trim() == t && !t.is_empty()));
                for t in &raw {
                    prop_assert!(t.trim().is_empty() || contains_tag(&once, t));
                }
            }
        }

        #[test]
        fn any_valid_e164_passes(first in 1u8..=9, rest in "[0-9]{1,14}") {
            let number = format!("+{first}{rest}");
            prop_assert_eq!(phone(&number).unwrap(), number);
        }
    }
}
