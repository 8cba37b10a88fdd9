//! What scripts/build-dist.sh promises about dist/, checked on the built
//! files: a new wasm-bindgen, wasm-split-cli, binaryen or terser that
//! changes what the bespoke steps (`scripts/*.mjs`) read fails here, in
//! `make test`, rather than as a blank page in a browser.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn dist() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("dist")
}

fn read(name: &str) -> String {
    let path = dist().join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("{} ({err}); run `make dist` first", path.display()))
}

/// The one file in dist/ whose name matches `prefix…suffix`.
fn only(prefix: &str, suffix: &str) -> String {
    let names: Vec<String> = std::fs::read_dir(dist())
        .expect("dist/; run `make dist` first")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with(prefix) && name.ends_with(suffix))
        .collect();
    assert_eq!(names.len(), 1, "one {prefix}…{suffix} in dist/: {names:?}");
    names[0].clone()
}

/// True for `{stem}-{16 hex digits}{suffix}`: named by its content.
fn hashed(name: &str, stem: &str, suffix: &str) -> bool {
    name.strip_prefix(stem)
        .and_then(|rest| rest.strip_prefix('-'))
        .and_then(|rest| rest.strip_suffix(suffix))
        .is_some_and(|hash| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A module's imports (module, field) and exports, read from its sections.
struct Boundary {
    imports: Vec<(String, String)>,
    exports: Vec<String>,
}

fn boundary(name: &str) -> Boundary {
    let bytes = std::fs::read(dist().join(name)).expect("the module");
    assert_eq!(&bytes[..4], b"\0asm", "{name} is a wasm module");
    let mut at = 8;
    let mut found = Boundary {
        imports: Vec::new(),
        exports: Vec::new(),
    };
    while at < bytes.len() {
        let id = bytes[at];
        at += 1;
        let size = leb(&bytes, &mut at) as usize;
        let end = at + size;
        let mut i = at;
        match id {
            2 => {
                for _ in 0..leb(&bytes, &mut i) {
                    let module = text(&bytes, &mut i);
                    let field = text(&bytes, &mut i);
                    let kind = bytes[i];
                    i += 1;
                    match kind {
                        0 => {
                            leb(&bytes, &mut i);
                        }
                        1 => {
                            i += 1;
                            limits(&bytes, &mut i);
                        }
                        2 => limits(&bytes, &mut i),
                        3 => i += 2,
                        other => panic!("{name}: import kind {other}"),
                    }
                    found.imports.push((module, field));
                }
            }
            7 => {
                for _ in 0..leb(&bytes, &mut i) {
                    found.exports.push(text(&bytes, &mut i));
                    i += 1;
                    leb(&bytes, &mut i);
                }
            }
            _ => {}
        }
        at = end;
    }
    found
}

fn leb(bytes: &[u8], at: &mut usize) -> u64 {
    let (mut value, mut shift) = (0u64, 0);
    loop {
        let byte = bytes[*at];
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return value;
        }
        shift += 7;
    }
}

fn text(bytes: &[u8], at: &mut usize) -> String {
    let len = leb(bytes, at) as usize;
    let text = String::from_utf8_lossy(&bytes[*at..*at + len]).into_owned();
    *at += len;
    text
}

fn limits(bytes: &[u8], at: &mut usize) {
    let flags = bytes[*at];
    *at += 1;
    leb(bytes, at);
    if flags & 1 == 1 {
        leb(bytes, at);
    }
}

#[test]
fn the_page_names_its_files_by_content_and_starts_the_console() {
    let page = read("index.html");
    let glue = only("leads-console-", ".js");
    let main = only("leads-console-", "_bg.wasm");
    let loader = only("split-", ".js");
    let style = only("page-", ".css");
    assert!(hashed(&glue, "leads-console", ".js"), "{glue}");
    assert!(hashed(&main, "leads-console", "_bg.wasm"), "{main}");
    assert!(hashed(&loader, "split", ".js"), "{loader}");
    assert!(hashed(&style, "page", ".css"), "{style}");
    for file in [&glue, &main, &loader, &style] {
        assert!(
            page.contains(&format!("\"/{file}\"")) || page.contains(&format!("'/{file}'")),
            "the page loads /{file}:\n{page}"
        );
    }
    // The start-up script sends the module and the first list itself (no
    // preload links: WebKit never hands their answers to fetch()).
    assert!(
        page.contains(&format!("import(\"/{glue}\")"))
            && page.contains(&format!("\"/{main}\""))
            && page.contains(&format!("\"{}\"", leads_core::config::FIRST_LIST_ID))
            && page.contains("leads-console:started")
            && !page.contains("rel=\"preload\""),
        "the start-up script:\n{page}"
    );
    assert!(
        !page.contains("<!--") && !page.contains("\n "),
        "the page is minified:\n{page}"
    );
    assert!(page.contains("<leads-console></leads-console>"));
}

#[test]
fn the_glue_and_the_loader_find_each_other_and_the_extras_module() {
    let glue_name = only("leads-console-", ".js");
    let loader_name = only("split-", ".js");
    let glue = read(&glue_name);
    let loader = read(&loader_name);
    assert!(
        glue.contains(&format!("\"./{loader_name}\"")),
        "the glue imports the loader by its hashed name"
    );
    assert!(
        loader.contains(&format!("\"./{glue_name}\"")),
        "the loader imports the glue by its hashed name"
    );
    let extras = only("split-extras-", ".wasm");
    assert!(hashed(&extras, "split-extras", ".wasm"), "{extras}");
    assert!(
        loader.contains(&format!("\"./{extras}\"")),
        "the loader fetches {extras}"
    );
    for snippet in glue.split("from\"./snippets/").skip(1) {
        let path = snippet.split('"').next().unwrap_or_default();
        assert!(
            dist().join("snippets").join(path).is_file(),
            "snippets/{path}"
        );
    }
}

#[test]
fn each_module_asks_only_for_what_its_script_provides() {
    let main = boundary(&only("leads-console-", "_bg.wasm"));
    let glue = read(&only("leads-console-", ".js"));
    // scripts/trim-boundary.mjs minified the names: one import module, and
    // every import a key of the glue's imports object.
    let modules: BTreeSet<&str> = main.imports.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(modules.len(), 1, "one import module: {modules:?}");
    let missing: Vec<&str> = main
        .imports
        .iter()
        .map(|(_, field)| field.as_str())
        .filter(|field| !glue.contains(&format!("{field}:")))
        .collect();
    assert!(
        missing.is_empty(),
        "imports the glue does not provide: {missing:?}"
    );
    // scripts/drop-exports.mjs: wasm-streams' classes are gone.
    assert!(
        !main
            .exports
            .iter()
            .any(|e| e.to_lowercase().contains("intounderlying")),
        "{:?}",
        main.exports
    );
    // The extras module takes the main module's table, memory and shared
    // functions through the loader.
    let extras = boundary(&only("split-extras-", ".wasm"));
    let loader = read(&only("split-", ".js"));
    assert!(!extras.imports.is_empty());
    for (module, field) in &extras.imports {
        assert!(
            loader.contains(module.as_str()) && loader.contains(field.as_str()),
            "the loader gives the extras module {module}.{field}"
        );
    }
}
