//! The one rule by which a lead matches a search text (`q`): its name or
//! email contains the text once both are lowercased and stripped of
//! diacritics ([`fold`]), or the text holds at least [`MIN_PHONE_DIGITS`]
//! digits and the phone's digits contain them ([`digits`]). The server's
//! index stores what these functions make of each lead, and the console
//! marks what [`marks`] finds, so both always agree on what matched.

use std::ops::Range;

include!(concat!(env!("OUT_DIR"), "/folds.rs"));

/// Fewest digits a search text needs before it is matched against phones.
pub const MIN_PHONE_DIGITS: usize = 3;

/// `text` lowercased, without diacritics: `José Ñúñez` → `jose nunez`.
///
/// ```
/// assert_eq!(leads_core::search::fold("Łódź ÅSA"), "lodz asa");
/// assert_eq!(leads_core::search::fold("Ann\tLee\0"), "ann lee ");
/// ```
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, &mut out);
    }
    out
}

/// Pushes `c` lowercased and without diacritics (nothing for a combining
/// mark on its own, as text typed in decomposed form has); a control
/// character (a tab, a line break, NUL) reads as a space, as people see it
/// and as every database can hold it.
fn fold_char(c: char, out: &mut String) {
    if c.is_control() {
        out.push(' ');
        return;
    }
    for lower in c.to_lowercase() {
        if is_combining_mark(lower) {
            continue;
        }
        let code = u32::from(lower);
        let base = u16::try_from(code)
            .ok()
            .and_then(|code| FOLDS.binary_search_by_key(&code, |&(from, _)| from).ok())
            .and_then(|i| char::from_u32(u32::from(FOLDS[i].1)));
        out.push(base.unwrap_or(lower));
    }
}

/// The blocks of marks that only add diacritics to a letter before them.
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// The ASCII digits of `text`, in order: `+1 (555) 010-2030` → `15550102030`.
pub fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// A search text, read once for every lead it is matched against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// The folded text names and emails must contain.
    pub text: String,
    /// The digits phones must contain, when the text holds enough of them.
    pub digits: Option<String>,
}

impl Search {
    /// Reads a search text.
    ///
    /// ```
    /// use leads_core::search::Search;
    /// let search = Search::new("(555) 010-20");
    /// assert_eq!(search.digits.as_deref(), Some("55501020"));
    /// assert!(Search::new("Agent 7").digits.is_none());
    /// ```
    pub fn new(q: &str) -> Search {
        let digits = digits(q);
        Search {
            text: fold(q),
            digits: (digits.len() >= MIN_PHONE_DIGITS).then_some(digits),
        }
    }

    /// True when a lead with these fields matches.
    ///
    /// ```
    /// use leads_core::search::Search;
    /// assert!(Search::new("jose").matches("José Núñez", None, None));
    /// assert!(Search::new("010 20").matches("Ann", Some("+15550102030"), None));
    /// assert!(!Search::new("bob").matches("Ann", None, Some("ann@example.com")));
    /// ```
    pub fn matches(&self, name: &str, phone: Option<&str>, email: Option<&str>) -> bool {
        let has_text = |field: &str| fold(field).contains(&self.text);
        has_text(name)
            || email.is_some_and(has_text)
            || self
                .digits
                .as_ref()
                .is_some_and(|d| phone.is_some_and(|p| digits(p).contains(d.as_str())))
    }
}

/// Where `query` occurs in `text`, compared as [`fold`] compares, as byte
/// ranges of `text` that never split a character; what the console marks.
/// Occurrences do not overlap, and an empty query marks nothing.
///
/// ```
/// let text = "José Josephs";
/// let marked: Vec<&str> = leads_core::search::marks(text, "jos").into_iter().map(|r| &text[r]).collect();
/// assert_eq!(marked, ["Jos", "Jos"]);
/// ```
pub fn marks(text: &str, query: &str) -> Vec<Range<usize>> {
    let needle = fold(query);
    if needle.is_empty() {
        return Vec::new();
    }
    // The folded text, and for each of its bytes the range of `text` whose
    // character it came from.
    let mut folded = String::with_capacity(text.len());
    let mut origin: Vec<Range<usize>> = Vec::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        let before = folded.len();
        fold_char(c, &mut folded);
        let source = at..at + c.len_utf8();
        origin.extend(std::iter::repeat_n(source, folded.len() - before));
    }
    // A plain scan rather than `match_indices`: names and emails are short,
    // and the console's first download need not carry the two-way search.
    // A match of valid UTF-8 in valid UTF-8 always starts on a character.
    let (hay, needle) = (folded.as_bytes(), needle.as_bytes());
    let mut found: Vec<Range<usize>> = Vec::new();
    let mut start = 0;
    while start + needle.len() <= hay.len() {
        if !hay[start..].starts_with(needle) {
            start += 1;
            continue;
        }
        let end = start + needle.len();
        let range = origin[start].start..origin[end - 1].end;
        match found.last_mut() {
            // Two occurrences that touch (or share a character) are one mark.
            Some(last) if last.end >= range.start => last.end = last.end.max(range.end),
            _ => found.push(range),
        }
        start = end;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folding_removes_case_and_diacritics_in_every_latin_script() {
        for (text, folded) in [
            ("José", "jose"),
            ("MÜLLER", "muller"),
            ("Ångström", "angstrom"),
            ("Çağla Öztürk", "cagla ozturk"),
            ("Nguyễn Thị Hằng", "nguyen thi hang"),
            ("Łukasz Żółć", "lukasz zolc"),
            ("Søren Ærø", "soren æro"),
            ("Ελένη", "ελενη"),
            ("Jose\u{301}", "jose"),
            ("李小龍", "李小龍"),
            ("한국", "한국"),
        ] {
            assert_eq!(fold(text), folded, "{text}");
        }
    }

    #[test]
    fn phones_match_by_their_digits_however_written() {
        let phone = Some("+15550102030");
        for q in [
            "555",
            "(555) 010-20",
            "555.010.2030",
            "+1 555 0102030",
            "0102030",
        ] {
            assert!(Search::new(q).matches("Ann", phone, None), "{q}");
        }
        for q in ["55", "5 5", "556", "Ann 9"] {
            assert!(!Search::new(q).matches("Bob", phone, None), "{q}");
        }
    }

    #[test]
    fn digits_in_names_and_plus_in_emails_match_as_text() {
        assert!(Search::new("Agent 007").matches("Agent 007 Bond", None, None));
        assert!(Search::new("ann+leads").matches("Ann", None, Some("Ann+Leads@Example.com")));
        assert!(Search::new("example.com").matches("Ann", None, Some("ann@example.com")));
    }

    #[test]
    fn a_stroked_letter_with_a_diacritic_folds_to_the_plain_letter_at_once() {
        assert_eq!(fold("Ǿ ǿ"), "o o");
        assert_eq!(fold(&fold("Ǿ")), fold("Ǿ"));
    }

    #[test]
    fn marks_cover_the_original_characters() {
        let text = "Zoë Ångström (ANGSTROM)";
        let marked: Vec<&str> = marks(text, "angstrom")
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(marked, ["Ångström", "ANGSTROM"]);
        assert_eq!(
            marks("aaaa", "aa"),
            vec![(0..4)],
            "touching matches are one mark"
        );
        assert!(marks("abc", "").is_empty());
        assert!(marks("abc", "x").is_empty());
        // A letter whose lowercase is longer (İ → i̇) still maps back whole.
        let text = "İstanbul";
        assert_eq!(&text[marks(text, "istan")[0].clone()], "İstan");
    }

    proptest! {
        #[test]
        fn marks_are_char_boundaries_and_fold_to_the_query(text in "\\PC{0,30}", q in "\\PC{1,4}") {
            let needle = fold(&q);
            for range in marks(&text, &q) {
                prop_assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
                prop_assert!(fold(&text[range]).contains(&needle));
            }
            prop_assert_eq!(!marks(&text, &q).is_empty(), !needle.is_empty() && fold(&text).contains(&needle));
        }

        #[test]
        fn folding_is_idempotent(text in "\\PC{0,40}") {
            let once = fold(&text);
            prop_assert_eq!(fold(&once), once.clone());
        }
    }
}
