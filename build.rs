//! Joins the console's stylesheets into one, without comments or layout
//! whitespace, for `src/shell/element.rs` to compile into the wasm: the
//! comments are for the people who edit `style/`, and would otherwise be
//! downloaded by everyone who opens the console (about 1 KB brotli).
//!
//! And turns the English catalog, `i18n/en.json`, into a constant per
//! message for `src/i18n/` (`msg::LEADS_HEADING` for `leads.heading`): a
//! message the code names but the catalog lacks does not compile, and
//! English needs no download.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// In the order they cascade.
const SHEETS: [&str; 5] = ["base", "controls", "table", "feedback", "forms"];

fn main() {
    let mut css = String::new();
    for sheet in SHEETS {
        let path = format!("style/{sheet}.css");
        println!("cargo:rerun-if-changed={path}");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("cannot read {path}: {err}"));
        css.push_str(&text);
        css.push('\n');
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("console.css"), minify(&css)).expect("write console.css");
    println!("cargo:rerun-if-changed=i18n/en.json");
    std::fs::write(out.join("messages.rs"), messages(Path::new("i18n/en.json")))
        .expect("write messages.rs");
}

/// The plural forms every catalog gives a counted message: `key.one` and
/// `key.other` (a language's other categories read as `other`).
const PLURAL_FORMS: [&str; 2] = ["one", "other"];

/// The English catalog as Rust constants: `Msg` for a message, `Plural`
/// for a message counted in `.one` and `.other` forms, each with its
/// English text and its key's hash (`key_hash`): a catalog's keys are
/// hashed as it is read, so the keys themselves are not in the download.
fn messages(path: &Path) -> String {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    let catalog: BTreeMap<String, String> = serde_json::from_str(&text).unwrap_or_else(|err| {
        panic!(
            "{} is not a flat JSON object of texts: {err}",
            path.display()
        )
    });
    let mut plurals: BTreeMap<&str, BTreeMap<&str, String>> = BTreeMap::new();
    let mut hashes: BTreeMap<u32, &str> = BTreeMap::new();
    let mut out = String::new();
    for (key, english) in &catalog {
        assert!(
            !key.is_empty()
                && key.bytes().all(|b| b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b == b'_'
                    || b == b'.'),
            "{}: the key {key:?} is not lower-case letters, digits, `_` and `.`",
            path.display()
        );
        if let Some(same) = hashes.insert(key_hash(key), key) {
            panic!(
                "{}: {key} and {same} hash alike; rename one",
                path.display()
            );
        }
        let text = format!("Text {{ key: {:#010x}, en: {english:?} }}", key_hash(key));
        match key.rsplit_once('.') {
            Some((stem, form)) if PLURAL_FORMS.contains(&form) => {
                plurals.entry(stem).or_default().insert(form, text);
            }
            _ => out.push_str(&format!(
                "/// {english:?}\npub const {}: Msg = Msg(&{text});\n",
                const_name(key)
            )),
        }
    }
    for (stem, forms) in plurals {
        let form = |name: &str| {
            forms.get(name).unwrap_or_else(|| {
                panic!("{}: {stem}.{name} is missing; a counted message has every form of {PLURAL_FORMS:?}", path.display())
            })
        };
        out.push_str(&format!(
            "pub const {}: Plural = Plural(&[{}, {}]);\n",
            const_name(stem),
            form("one"),
            form("other"),
        ));
    }
    out
}

// `key_hash`, the same function `src/i18n/` hashes a catalog's keys with.
include!("src/i18n/key_hash.rs");

/// `leads.heading` → `LEADS_HEADING`.
fn const_name(key: &str) -> String {
    key.replace('.', "_").to_ascii_uppercase()
}

/// Drops comments, turns each run of whitespace into one space, and drops
/// the spaces around `{`, `}`, `;` and `,` and after `:`; quoted strings
/// are kept as they are.
fn minify(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut quote = None;
    while let Some(c) = chars.next() {
        if let Some(open) = quote {
            out.push(c);
            if c == open {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => {
                quote = Some(c);
                out.push(c);
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for inner in chars.by_ref() {
                    if last == '*' && inner == '/' {
                        break;
                    }
                    last = inner;
                }
            }
            c if c.is_whitespace() => {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            '{' | '}' | ';' | ',' | ':' => {
                if c != ':' && out.ends_with(' ') {
                    out.pop();
                }
                out.push(c);
                while chars.peek().is_some_and(|next| next.is_whitespace()) {
                    chars.next();
                }
            }
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}
