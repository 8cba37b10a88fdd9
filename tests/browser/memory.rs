//! The console's memory stays flat however long it is used: staff keep it
//! open all day. The wasm module's linear memory only ever grows, so its
//! size after many view changes is the most the console ever held.

use serde_json::Value;

use crate::harness::Harness;

/// Keeps the module's memory where a test can read it: the page's start-up
/// script announces the instantiated module, whose one memory is exported
/// under a minified name.
const KEEP_MEMORY: &str = "addEventListener('leads-console:started', (e) => { \
    window.leadsMemory = Object.values(e.detail.wasm).find((x) => x instanceof WebAssembly.Memory); });";

/// Changes the Status filter `count` times, each time waiting until other
/// rows are on screen, and returns the module's memory in bytes after. A
/// script does twenty at most, well inside WebDriver's script timeout on a
/// busy machine.
async fn view_changes(h: &Harness, count: u32) -> u64 {
    let mut memory = 0;
    let mut left = count;
    while left > 0 {
        let now = left.min(20);
        memory = some_view_changes(h, now).await;
        left -= now;
    }
    memory
}

async fn some_view_changes(h: &Harness, count: u32) -> u64 {
    let script = format!(
        "const statuses = ['new', 'contacted', 'qualified', 'converted', ''];
         const select = root.querySelector('#filter-status');
         const ids = () => [...root.querySelectorAll('tbody tr[data-lead-id]')]
           .map((row) => row.dataset.leadId).join();
         for (let n = 0; n < {count}; n++) {{
           const before = ids();
           const next = statuses[(statuses.indexOf(select.value) + 1) % statuses.length];
           select.value = next;
           select.dispatchEvent(new Event('change', {{ bubbles: true }}));
           while (ids() === before) {{
             await new Promise((resolve) => requestAnimationFrame(resolve));
           }}
         }}
         return window.leadsMemory.buffer.byteLength;"
    );
    match h
        .js(&format!("return (async () => {{ {script} }})();"))
        .await
    {
        Value::Number(n) => n.as_u64().unwrap_or(0),
        other => panic!("the page did not report its memory: {other}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn memory_stays_flat_over_two_hundred_view_changes_of_a_hundred_rows() {
    let h = Harness::start().await;
    h.on_every_page(KEEP_MEMORY).await;
    h.open("/?limit=100").await;
    h.find("tbody tr[data-lead-id]").await;
    let warmed = view_changes(&h, 20).await;
    let after = view_changes(&h, 200).await;
    // Before the vendored reactive_graph fix this grew by about 8.6 MB;
    // growth now, if any, is the allocator's, a page or two.
    assert!(
        after <= warmed + 512 * 1024,
        "wasm memory grew from {warmed} to {after} bytes over 200 view changes"
    );
    h.finish().await;
}
