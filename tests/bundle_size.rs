//! The console's download stays small: people open it on office PCs and on
//! phones in the field. Budgets are for what the server actually sends: the
//! brotli file `make build` writes next to an asset when there is one.

use std::path::{Path, PathBuf};

/// Everything a first load fetches: the page and each file it names.
/// 4 KiB more on 2026-12-06 for search and tags (135,122 → 137,948 B: tag
/// buttons, the view's `q` and `tag`, the marks' hook; the field and the
/// folding rule come with the extras module). Then the console in four
/// languages, which issue 30 allows 3 KB over the 138,786 B before them:
/// it came to 146,221 B, then down to 140,857 B once messages named their
/// keys by hash, std's hash maps gave way to the one Leptos brings, the
/// Connect form and the notices' views moved to the extras module, the
/// language's signal was read one way only, and wasm-opt rebuilt each
/// function's control flow (docs/performance.md has each step). The
/// budget is that allowance, so the languages stay within it.
const FIRST_LOAD_BUDGET: u64 = 138_786 + 3 * 1024;
/// The extras module, fetched after the first view (what the
/// `#[wasm_split(extras, …)]` functions in src/ reach). 2 KiB more on
/// 2026-12-06 for the create's Idempotency-Key, the stream's announced
/// keep-alive and "Use my text"; 2 KiB more later that day (81,419 →
/// 83,148 B) for its split points moved beside their features, saves
/// ordered by time rather than by text (a timestamp parser), one 429
/// pause, and the host's events passed in to the edit state; 8 KiB more
/// for search (83,148 → 89,460 B): the field, the active tag, the marks
/// and `leads-core`'s folding rule with its Unicode tables; 1 KiB more for
/// the languages (90,074 → 92,573 B): the dialogs', bars' and forms' words
/// read from the catalog, counted and listed as the language does; 3 KiB
/// more for the Connect form, moved here from the first load.
const EXTRAS_BUDGET: u64 = 94 * 1024;

fn dist() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("dist")
}

/// What the server sends for `file`: its brotli twin's size when it has
/// one; the page, which the server gzips as it sends it, gzipped.
fn sent_size(file: &Path) -> u64 {
    if file.file_name().is_some_and(|name| name == "index.html") {
        let page = std::fs::read(file).unwrap_or_else(|err| panic!("{}: {err}", file.display()));
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gzip, &page).expect("gzip in memory");
        return gzip.finish().expect("gzip in memory").len() as u64;
    }
    let br = PathBuf::from(format!("{}.br", file.display()));
    let sent = if br.exists() { br } else { file.to_owned() };
    sent.metadata()
        .unwrap_or_else(|err| panic!("{}: {err}", sent.display()))
        .len()
}

/// The files `index.html` names (`"/x.js"`, `'/x_bg.wasm'`), once each.
fn first_load_files() -> Vec<PathBuf> {
    let page = dist().join("index.html");
    let html = std::fs::read_to_string(&page)
        .unwrap_or_else(|err| panic!("{} ({err}); run `make build` first", page.display()));
    let mut files: Vec<PathBuf> = html
        .split(['"', '\''])
        .filter_map(|s| s.strip_prefix('/'))
        .filter(|s| !s.is_empty() && !s.contains(['<', '>', ' ']))
        .map(|s| dist().join(s))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files.dedup();
    files.push(page);
    files
}

#[test]
fn the_first_load_fits_its_budget() {
    let files = first_load_files();
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    assert!(
        names.iter().any(|n| n.ends_with("_bg.wasm")),
        "the page names its wasm: {names:?}"
    );
    assert!(
        !names.iter().any(|n| n.contains("split-extras-")),
        "the extras module is not part of the first load: {names:?}"
    );
    let total: u64 = files.iter().map(|f| sent_size(f)).sum();
    assert!(
        total <= FIRST_LOAD_BUDGET,
        "the first load is {total} bytes, over {FIRST_LOAD_BUDGET}: {names:?}"
    );
}

#[test]
fn the_extras_module_fits_its_budget() {
    let extras: Vec<PathBuf> = std::fs::read_dir(dist())
        .expect("dist/; run `make build` first")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.starts_with("split-extras-") && name.ends_with(".wasm")
        })
        .collect();
    assert_eq!(extras.len(), 1, "one extras module in dist/: {extras:?}");
    let size = sent_size(&extras[0]);
    assert!(
        size <= EXTRAS_BUDGET,
        "the extras module is {size} bytes, over {EXTRAS_BUDGET}"
    );
}
