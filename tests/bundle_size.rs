//! The console's download stays small: people open it on office PCs and on
//! phones in the field. Budgets are for what the server actually sends, the
//! brotli files `make build` writes next to each asset.

use std::path::Path;

/// Brotli-compressed wasm, in bytes.
const WASM_BUDGET: u64 = 215 * 1024;
/// Brotli-compressed JS glue and CSS together, in bytes.
const GLUE_AND_CSS_BUDGET: u64 = 9 * 1024;

fn compressed_sizes(ext: &str) -> u64 {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("dist");
    let entries = std::fs::read_dir(&dist).unwrap_or_else(|err| {
        panic!(
            "{} is missing ({err}); run `make build` first",
            dist.display()
        )
    });
    let sizes: Vec<u64> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(&format!(".{ext}.br")))
        .map(|p| p.metadata().map(|m| m.len()).unwrap_or(0))
        .collect();
    assert!(!sizes.is_empty(), "no .{ext}.br in dist/; run `make build`");
    sizes.iter().sum()
}

#[test]
fn compressed_wasm_fits_its_budget() {
    let wasm = compressed_sizes("wasm");
    assert!(
        wasm <= WASM_BUDGET,
        "wasm is {wasm} bytes brotli'd, over {WASM_BUDGET}"
    );
}

#[test]
fn compressed_glue_and_styles_fit_their_budget() {
    let rest = compressed_sizes("js") + compressed_sizes("css");
    assert!(
        rest <= GLUE_AND_CSS_BUDGET,
        "JS and CSS are {rest} bytes brotli'd, over {GLUE_AND_CSS_BUDGET}"
    );
}
