//! Joins the console's stylesheets into one, without comments or layout
//! whitespace, for `src/element.rs` to compile into the wasm: the comments
//! are for the people who edit `style/`, and would otherwise be downloaded
//! by everyone who opens the console (about 1 KB brotli).

use std::path::PathBuf;

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
