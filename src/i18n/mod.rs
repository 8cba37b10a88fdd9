//! The console's words in its language: English compiled in, German,
//! French and Spanish fetched from `/i18n/{lang}.json` when a console
//! speaks them (the shell loads them; `net::catalog` knows the address)
//! and read over English, so a message a catalog lacks reads in English
//! rather than not at all.
//!
//! Every message is a constant of [`msg`], made by `build.rs` from
//! `i18n/en.json`; the other catalogs have exactly its keys and
//! placeholders (a unit test below). `{name}` placeholders are filled by
//! name; counted messages have a `.one` and an `.other` form, chosen by
//! the browser's `Intl.PluralRules` for the language, and their `{count}`
//! reads as its `Intl.NumberFormat` writes it (`1,250`, `1.250`): the
//! rules of every language come with the browser, not in the download.
//!
//! This module is the bottom layer: it uses nothing else of the console.

pub use leads_core::config::{pick_language, LANGUAGES};
use leads_core::{Channel, LeadStatus};
use leptos::prelude::*;

mod key_hash;

use key_hash::key_hash;

/// A message: its key's hash and its English text, behind one pointer for
/// a view to pass (smaller code at each of the hundreds of places that
/// name a message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Msg(&'static Text);

/// A counted message: its `key.one` and `key.other` forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plural(&'static [Text; 2]);

/// One text of the English catalog, and its key's hash ([`key_hash`]).
#[derive(Debug, PartialEq, Eq)]
pub struct Text {
    key: u32,
    en: &'static str,
}

/// The messages, one constant per key of `i18n/en.json`: `leads.heading`
/// is [`msg::LEADS_HEADING`].
pub mod msg {
    use super::{Msg, Plural, Text};

    include!(concat!(env!("OUT_DIR"), "/messages.rs"));
}

/// English: compiled in, and what any other language falls back to.
pub const ENGLISH: &str = LANGUAGES[0];

/// A language's messages by their keys' hashes, in order; a text given
/// empty is left out, and reads in English.
#[derive(Debug, Clone)]
pub struct Catalog(Vec<(u32, String)>);

impl Catalog {
    /// The catalog in `text`, a catalog file; `None` when that is not a
    /// JSON object. The browser's `JSON.parse` reads it.
    #[cfg(target_arch = "wasm32")]
    pub fn parse(text: &str) -> Option<Self> {
        use wasm_bindgen::JsCast;
        let object: js_sys::Object = js_sys::JSON::parse(text).ok()?.dyn_into().ok()?;
        let entries = js_sys::Object::entries(&object);
        Some(Self::from_entries(entries.iter().filter_map(|entry| {
            let entry: js_sys::Array = entry.dyn_into().ok()?;
            Some((entry.get(0).as_string()?, entry.get(1).as_string()?))
        })))
    }

    /// The catalog in `text`, a catalog file (host builds: the tests).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn parse(text: &str) -> Option<Self> {
        let texts: std::collections::HashMap<String, String> = serde_json::from_str(text).ok()?;
        Some(Self::from_entries(texts))
    }

    /// Each text under its key's hash, kept in order as it goes in (a
    /// sort would cost more download than it saves time here).
    fn from_entries(entries: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut texts: Vec<(u32, String)> = Vec::new();
        for (key, text) in entries {
            let hash = key_hash(&key);
            if !text.is_empty() {
                texts.insert(texts.partition_point(|(h, _)| *h < hash), (hash, text));
            }
        }
        Self(texts)
    }

    fn get(&self, text: &Text) -> Option<String> {
        let at = self
            .0
            .binary_search_by_key(&text.key, |(hash, _)| *hash)
            .ok()?;
        Some(self.0[at].1.clone())
    }
}

/// What a console reads in: its language, and that language's catalog
/// (none for English). One per console, in its context; reading it in a
/// view's closure re-renders that text when the language changes.
#[derive(Debug, Clone, Copy)]
pub struct I18n(RwSignal<Words, LocalStorage>);

#[derive(Debug, Clone)]
struct Words {
    lang: &'static str,
    catalog: Option<Catalog>,
}

impl I18n {
    /// A console reading English until told otherwise.
    pub fn english() -> Self {
        Self(RwSignal::new_local(Words {
            lang: ENGLISH,
            catalog: None,
        }))
    }

    /// From now on, `lang` with its `catalog` (`None`: English throughout).
    pub fn show(self, lang: &'static str, catalog: Option<Catalog>) {
        self.0.set(Words { lang, catalog });
    }

    /// The language shown.
    pub fn lang(self) -> &'static str {
        self.0.try_with(|words| words.lang).unwrap_or(ENGLISH)
    }

    /// [`I18n::lang`], for code that must not re-run when it changes
    /// (through the one read every text makes, rather than code of its own).
    pub fn lang_untracked(self) -> &'static str {
        untrack(|| self.lang())
    }

    /// `msg` in the language shown.
    pub fn t(self, msg: Msg) -> String {
        self.read(msg.0)
    }

    /// `msg` with its `{name}` placeholders filled from `args`.
    pub fn fill(self, msg: Msg, args: &[(&str, &str)]) -> String {
        fill(&self.t(msg), args)
    }

    /// The form of `msg` for `n`, its `{count}` the number as the language
    /// writes it and its other placeholders filled from `args`.
    pub fn count(self, msg: Plural, n: u64, args: &[(&str, &str)]) -> String {
        let lang = self.lang();
        let text = self.read(&msg.0[usize::from(!plural_is_one(lang, n))]);
        let number = number(lang, n);
        let mut all = vec![("count", number.as_str())];
        all.extend_from_slice(args);
        fill(&text, &all)
    }

    /// `n` as the language writes it: `1,250` in English, `1.250` in German.
    pub fn number(self, n: u64) -> String {
        number(self.lang(), n)
    }

    /// A lead's source as people read it: a channel's name for the five
    /// channels, the label as it is otherwise.
    pub fn source(self, source: &str) -> String {
        match source.parse::<Channel>() {
            Ok(known) => self.t(channel(known)),
            Err(_) => source.to_owned(),
        }
    }

    /// `items` joined as the language lists things: `Name, Phone and
    /// Email`, `Name, Telefon und E-Mail`.
    pub fn list(self, items: &[String]) -> String {
        list(self.lang(), items)
    }

    /// A view's text for `msg`, re-rendered when the language changes.
    pub fn text(self, msg: Msg) -> impl Fn() -> String + Copy + Send + Sync + 'static {
        move || self.t(msg)
    }

    /// `text` in the language shown: the catalog's, else English.
    fn read(self, text: &Text) -> String {
        self.0
            .try_with(|words| words.catalog.as_ref().and_then(|c| c.get(text)))
            .flatten()
            .unwrap_or_else(|| text.en.to_owned())
    }
}

/// A status's name.
pub fn status(status: LeadStatus) -> Msg {
    match status {
        LeadStatus::New => msg::STATUS_NEW,
        LeadStatus::Contacted => msg::STATUS_CONTACTED,
        LeadStatus::Qualified => msg::STATUS_QUALIFIED,
        LeadStatus::Converted => msg::STATUS_CONVERTED,
    }
}

/// A channel's name.
pub fn channel(channel: Channel) -> Msg {
    match channel {
        Channel::Call => msg::SOURCE_CALL,
        Channel::Sms => msg::SOURCE_SMS,
        Channel::Form => msg::SOURCE_FORM,
        Channel::Facebook => msg::SOURCE_FACEBOOK,
        Channel::Google => msg::SOURCE_GOOGLE,
    }
}

/// `read` with an English [`I18n`] in a reactive owner of its own, which
/// goes when it returns: unit tests, where no console provides one.
#[cfg(test)]
pub fn in_english<T>(read: impl FnOnce(I18n) -> T) -> T {
    Owner::new().with(|| read(I18n::english()))
}

/// The console's [`I18n`], which the shell provides to everything in it.
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// `text` with each `{name}` replaced by the value `args` gives it; a
/// placeholder without one stays as it is.
///
/// ```
/// use leads_console::i18n::fill;
/// assert_eq!(fill("Edit {name}", &[("name", "Ana {x}")]), "Edit Ana {x}");
/// assert_eq!(fill("{a} of {b} {c}", &[("a", "1"), ("b", "2")]), "1 of 2 {c}");
/// ```
pub fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            let (_, value) = args.iter().find(|(arg, _)| *arg == name)?;
            Some((value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The browser's rules for `lang`, made once per language: `Intl` objects
/// cost more to make than to use.
#[cfg(target_arch = "wasm32")]
struct Rules {
    lang: &'static str,
    plural: js_sys::Intl::PluralRules,
    number: js_sys::Function,
}

#[cfg(target_arch = "wasm32")]
thread_local! {
    static RULES: std::cell::RefCell<Option<Rules>> = const { std::cell::RefCell::new(None) };
}

#[cfg(target_arch = "wasm32")]
fn with_rules<T>(lang: &'static str, read: impl FnOnce(&Rules) -> T) -> T {
    use js_sys::{Array, Intl, Object};

    RULES.with_borrow_mut(|rules| {
        let rules = match rules {
            Some(rules) if rules.lang == lang => rules,
            _ => {
                let locales = Array::of1(&lang.into());
                rules.insert(Rules {
                    lang,
                    plural: Intl::PluralRules::new(&locales, &Object::new()),
                    number: Intl::NumberFormat::new(&locales, &Object::new()).format(),
                })
            }
        };
        read(rules)
    })
}

/// True when `lang` says `n` in its `one` form.
#[cfg(target_arch = "wasm32")]
fn plural_is_one(lang: &'static str, n: u64) -> bool {
    with_rules(lang, |rules| rules.plural.select(n as f64) == "one")
}

/// Host builds (unit tests) count in English.
#[cfg(not(target_arch = "wasm32"))]
fn plural_is_one(_: &'static str, n: u64) -> bool {
    n == 1
}

#[cfg(target_arch = "wasm32")]
fn list(lang: &'static str, items: &[String]) -> String {
    use js_sys::{Array, Intl, Object};

    let items: Array = items
        .iter()
        .map(|item| wasm_bindgen::JsValue::from_str(item))
        .collect();
    Intl::ListFormat::new(&Array::of1(&lang.into()), &Object::new())
        .format(&items)
        .into()
}

/// Host builds (unit tests) list in English.
#[cfg(not(target_arch = "wasm32"))]
fn list(_: &'static str, items: &[String]) -> String {
    match items.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(target_arch = "wasm32")]
fn number(lang: &'static str, n: u64) -> String {
    with_rules(lang, |rules| {
        rules
            .number
            .call1(&wasm_bindgen::JsValue::UNDEFINED, &(n as f64).into())
            .ok()
            .and_then(|text| text.as_string())
    })
    .unwrap_or_else(|| n.to_string())
}

/// Host builds (unit tests) group digits as English does.
#[cfg(not(target_arch = "wasm32"))]
fn number(_: &'static str, n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    fn catalog(lang: &str) -> BTreeMap<String, String> {
        let path = format!("{}/i18n/{lang}.json", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn placeholders(text: &str) -> BTreeSet<&str> {
        text.split('{')
            .skip(1)
            .filter_map(|part| part.split_once('}').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn every_catalog_has_englishs_keys_and_placeholders() {
        let english = catalog(ENGLISH);
        for lang in LANGUAGES.into_iter().filter(|l| *l != ENGLISH) {
            let other = catalog(lang);
            let missing: Vec<_> = english.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<_> = other.keys().filter(|k| !english.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{lang}.json lacks {missing:?}");
            assert!(
                extra.is_empty(),
                "{lang}.json has keys English has not: {extra:?}"
            );
            for (key, text) in &english {
                let theirs = &other[key];
                assert!(!theirs.trim().is_empty(), "{lang}.json: {key} is empty");
                assert_eq!(
                    placeholders(theirs),
                    placeholders(text),
                    "{lang}.json: {key} has other placeholders than English's {text:?}"
                );
            }
        }
    }

    #[test]
    fn every_message_is_used() {
        fn sources(dir: &std::path::Path, out: &mut String) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push_str(&std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        let mut code = String::new();
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut code,
        );
        let stems: BTreeSet<String> = catalog(ENGLISH)
            .keys()
            .map(|key| {
                let stem = key
                    .strip_suffix(".one")
                    .or_else(|| key.strip_suffix(".other"))
                    .unwrap_or(key);
                stem.replace('.', "_").to_ascii_uppercase()
            })
            .collect();
        let unused: Vec<_> = stems
            .iter()
            .filter(|name| !code.contains(&format!("msg::{name}")))
            .collect();
        assert!(unused.is_empty(), "messages no code shows: {unused:?}");
    }

    #[test]
    fn a_catalog_is_read_over_english() {
        in_english(|i18n| {
            assert_eq!(i18n.t(msg::LEADS_HEADING), "Leads");
            let german = Catalog::parse(
                r#"{"leads.heading": "Leads (de)", "row.edit": "", "no.such.key": "?",
                    "bulk.selected.other": "{count} ausgewählt"}"#,
            );
            i18n.show("de", german);
            assert_eq!(i18n.lang(), "de");
            assert_eq!(i18n.t(msg::LEADS_HEADING), "Leads (de)");
            assert_eq!(i18n.count(msg::BULK_SELECTED, 2, &[]), "2 ausgewählt");
            assert_eq!(i18n.count(msg::BULK_SELECTED, 1, &[]), "1 selected");
            // Missing or empty: English.
            assert_eq!(i18n.fill(msg::ROW_EDIT, &[("name", "Ana")]), "Edit Ana");
            assert_eq!(i18n.t(msg::PAGER_NEXT), "Next page");
        });
    }

    #[test]
    fn counted_messages_take_their_form_and_number() {
        in_english(|i18n| {
            assert_eq!(
                i18n.count(msg::ERROR_RATE_LIMITED_IN, 1, &[]),
                "Too many requests right now. Trying again in a second…"
            );
            assert_eq!(
                i18n.count(msg::ERROR_RATE_LIMITED_IN, 1250, &[]),
                "Too many requests right now. Trying again in 1,250 seconds…"
            );
        });
    }
}
