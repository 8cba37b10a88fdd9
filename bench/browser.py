"""The browser half of `make bench`: headless Chromium (Debian's) driven over
the DevTools protocol, measuring the console and the plain-JS baseline the
same way in the same run.

First row painted: a probe added to every page before its own scripts
watches each animation frame for a lead row (in the page, or in the
console's shadow root) and keeps the time of the first task after that
frame, when it has been painted, counted from the start of navigation.
(Until 2026-12-06 it kept the frame's own timestamp, which is when the
frame was due, not when it ran: on a first visit the main thread is busy
compiling and rendering, and that timestamp came up to 120 ms before the
row even entered the DOM.) It also notes when the first row entered the DOM (a
mutation observer on the page and on every shadow root attached).

A first visit is a new browser context per load (its own empty cache,
nothing compiled), as a person's first visit is; a reload is the same tab
loading the page again with the HTTP cache turned off (V8 may keep code it
compiled before).
"""

import json
import os
import pathlib
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request

import websocket  # websocket-client, from PyPI (make bench installs it)

PROBE = """
window.__bench = { firstRow: null, rowInDom: null };
(function () {
  const seen = () => {
    if (window.__bench.rowInDom !== null) return;
    const host = document.querySelector('leads-console');
    const root = host && host.shadowRoot ? host.shadowRoot : document;
    if (root.querySelector('tbody tr[data-lead-id]')) window.__bench.rowInDom = performance.now();
  };
  const observe = (root) => new MutationObserver(seen)
    .observe(root, { childList: true, subtree: true });
  observe(document);
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (...args) {
    const root = attach.apply(this, args);
    observe(root);
    return root;
  };
})();
// The frame that first holds a row is painted before the next task runs.
const afterPaint = (then) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => then(performance.now());
  channel.port2.postMessage(null);
};
(function watch() {
  const host = document.querySelector('leads-console');
  const root = host && host.shadowRoot ? host.shadowRoot : document;
  if (root.querySelector('tbody tr[data-lead-id]')) {
    afterPaint((at) => { window.__bench.firstRow = at; });
    return;
  }
  requestAnimationFrame(watch);
})();
const instantiate = WebAssembly.instantiateStreaming;
WebAssembly.instantiateStreaming = async (...args) => {
  const result = await instantiate(...args);
  // The page's own module exports the memory (under a minified name); the
  // extras module, fetched after the first view, imports it and is not
  // timed here.
  const memory = Object.values(result.instance.exports)
    .find((x) => x instanceof WebAssembly.Memory);
  if (memory && !window.__bench.memory) {
    window.__bench.wasmReady = performance.now();
    window.__bench.memory = memory;
  }
  return result;
};
"""

# Changes the Status select to `value` and resolves, on the first frame
# whose rows differ from before, with the time taken and the request's own
# network time.
VIEW_CHANGE = """
(async (value) => {
  const host = document.querySelector('leads-console');
  const root = host && host.shadowRoot ? host.shadowRoot : document;
  const select = root.querySelector('#filter-status') || root.querySelector('#status');
  const ids = () => [...root.querySelectorAll('tbody tr[data-lead-id]')]
    .map(r => r.dataset.leadId).join();
  const before = ids();
  performance.clearResourceTimings();
  const start = performance.now();
  select.value = value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
  const painted = await new Promise(resolve => {
    (function watch() {
      if (ids() !== before) afterPaint(resolve); else requestAnimationFrame(watch);
    })();
  });
  const request = performance.getEntriesByType('resource')
    .filter(e => e.name.includes('/v1/leads')).pop();
  const network = request ? request.responseEnd - request.startTime : 0;
  return { total: painted - start, network };
})
"""

# Changes the first row's status select to the status after its current
# one and resolves, on the first frame where the row shows it saved (the
# PATCH answered and the row no longer busy), with the time taken.
INLINE_EDIT = """
(async () => {
  const host = document.querySelector('leads-console');
  const root = host && host.shadowRoot ? host.shadowRoot : document;
  const row = root.querySelector('tbody tr[data-lead-id]');
  const select = row.querySelector('select');
  const statuses = ['new', 'contacted', 'qualified', 'converted'];
  const value = statuses[(statuses.indexOf(select.value) + 1) % statuses.length];
  const path = '/v1/leads/' + encodeURIComponent(row.dataset.leadId);
  performance.clearResourceTimings();
  const start = performance.now();
  select.value = value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
  const saved = await new Promise(resolve => {
    (function watch() {
      const answered = performance.getEntriesByType('resource')
        .some(e => new URL(e.name).pathname === path);
      if (answered && row.getAttribute('aria-busy') !== 'true' && select.value === value) {
        afterPaint(resolve);
      } else {
        requestAnimationFrame(watch);
      }
    })();
  });
  return saved - start;
})()
"""

OFFICE = {"offline": False, "latency": 40,
          "downloadThroughput": 10_000_000 / 8, "uploadThroughput": 5_000_000 / 8}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Chromium:
    """One headless Chromium and one tab, spoken to over DevTools."""

    def __init__(self):
        # Chromium's helper processes may still write as it exits.
        self.folder = tempfile.TemporaryDirectory(ignore_cleanup_errors=True)
        port = free_port()
        self.process = subprocess.Popen(
            ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
             f"--remote-debugging-port={port}", f"--user-data-dir={self.folder.name}",
             "--window-size=1280,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as r:
                    pages = [t for t in json.load(r) if t["type"] == "page"]
                if pages:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("Chromium did not open its DevTools port")
            time.sleep(0.1)
        self.socket = websocket.create_connection(pages[0]["webSocketDebuggerUrl"],
                                                  timeout=120)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version") as r:
            self.browser = websocket.create_connection(json.load(r)["webSocketDebuggerUrl"],
                                                       timeout=120)
        self.next_id = 0
        self.session = None
        self.send("Page.enable")
        self.send("Network.enable")
        self.send("Page.addScriptToEvaluateOnNewDocument", source=PROBE)

    def send(self, method, **params):
        """`method` in the tab, or in the first visit's tab while one is
        open."""
        if self.session is None:
            return self._call(self.socket, method, None, params)
        return self._call(self.browser, method, self.session, params)

    def _call(self, socket_, method, session, params):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        socket_.send(json.dumps(message))
        while True:
            message = json.loads(socket_.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression,
                           awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}…: {result['exceptionDetails']}")
        return result["result"].get("value")

    def load(self, url):
        """Opens `url` and returns its probe's figures once a row shows."""
        self.send("Page.navigate", url=url)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            figures = self.evaluate(
                "(() => { const b = window.__bench; if (!b || b.firstRow === null) return null;"
                " const wasm = performance.getEntriesByType('resource')"
                "   .find(e => e.name.endsWith('.wasm'));"
                " return { firstRow: b.firstRow, rowInDom: b.rowInDom,"
                "   wasmReady: b.wasmReady || null,"
                "   wasmFetched: wasm ? wasm.responseEnd : null,"
                "   wasmStart: wasm ? wasm.startTime : null }; })()")
            if figures:
                return figures
            time.sleep(0.02)
        raise RuntimeError(f"no lead row on {url} within a minute")

    def first_visit(self, url, throttled=False):
        """`url` opened in a new browser context (nothing cached, nothing
        compiled), its figures, and the context thrown away."""
        browser = lambda method, **params: self._call(self.browser, method, None, params)
        context = browser("Target.createBrowserContext")["browserContextId"]
        target = browser("Target.createTarget", url="about:blank",
                         browserContextId=context)["targetId"]
        self.session = browser("Target.attachToTarget", targetId=target,
                               flatten=True)["sessionId"]
        try:
            self.send("Page.enable")
            self.send("Network.enable")
            self.send("Page.addScriptToEvaluateOnNewDocument", source=PROBE)
            if throttled:
                self.send("Network.emulateNetworkConditions", **OFFICE)
            return self.load(url)
        finally:
            self.session = None
            browser("Target.disposeBrowserContext", browserContextId=context)

    def close(self):
        self.browser.close()
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        self.folder.cleanup()


def summary(values):
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return {"median": round(statistics.median(ordered), 1), "p90": round(p90, 1),
            "runs": len(ordered)}


def cold_loads(browser, url, runs, throttled=False):
    """Reloads of `url` in one tab with the HTTP cache off."""
    browser.send("Network.setCacheDisabled", cacheDisabled=True)
    if throttled:
        browser.send("Network.emulateNetworkConditions", **OFFICE)
    loads = [browser.load(url) for _ in range(runs)]
    if throttled:
        browser.send("Network.emulateNetworkConditions", offline=False, latency=0,
                     downloadThroughput=-1, uploadThroughput=-1)
    return load_figures(loads)


def first_visits(browser, url, runs, throttled=False):
    """`runs` first visits to `url`, each in a new browser context."""
    return load_figures([browser.first_visit(url, throttled) for _ in range(runs)])


def load_figures(loads):
    """Medians and p90s of loads: to the first row painted, and its split
    (until the module is instantiated, from there to the first row in the
    DOM, from there to the paint)."""
    result = {"first_row_ms": summary([l["firstRow"] for l in loads])}
    dom = [l for l in loads if l["rowInDom"] is not None]
    if dom:
        result["row_in_dom_ms"] = summary([l["rowInDom"] for l in dom])
        result["dom_to_paint_ms"] = summary([l["firstRow"] - l["rowInDom"] for l in dom])
    ready = [l for l in dom if l["wasmReady"] is not None]
    if ready:
        result["module_ready_ms"] = summary([l["wasmReady"] for l in ready])
        result["ready_to_dom_ms"] = summary([l["rowInDom"] - l["wasmReady"] for l in ready])
    wasm = [l for l in loads if l["wasmFetched"] is not None and l["wasmReady"] is not None]
    if wasm:
        result["wasm_fetch_ms"] = summary([l["wasmFetched"] - l["wasmStart"] for l in wasm])
        result["wasm_after_fetch_ms"] = summary([l["wasmReady"] - l["wasmFetched"] for l in wasm])
    return result


def view_changes(browser, url, runs):
    browser.send("Network.setCacheDisabled", cacheDisabled=False)
    browser.load(url)
    values = ["new", "contacted", "qualified", "converted", ""]
    changes = [browser.evaluate(f"{VIEW_CHANGE}({json.dumps(values[i % len(values)])})")
               for i in range(runs)]
    return {"with_network_ms": summary([c["total"] for c in changes]),
            "without_network_ms": summary([c["total"] - c["network"] for c in changes])}


def memory_after_view_changes(browser, url, early=10, late=200):
    """JS heap and wasm memory, after a garbage collection, once `early`
    view changes are done and again after `late`: a page that keeps
    something per view grows between the two."""
    browser.send("Network.setCacheDisabled", cacheDisabled=False)
    browser.load(url)
    browser.send("HeapProfiler.enable")
    values = ["new", "contacted", "qualified", "converted", ""]
    result = {}
    done = 0
    for target in (early, late):
        while done < target:
            browser.evaluate(f"{VIEW_CHANGE}({json.dumps(values[done % len(values)])})")
            done += 1
        browser.send("HeapProfiler.collectGarbage")
        heap = browser.send("Runtime.getHeapUsage")["usedSize"]
        wasm = browser.evaluate(
            "window.__bench.memory ? window.__bench.memory.buffer.byteLength : 0")
        result[str(target)] = {"js_heap_bytes": heap, "wasm_memory_bytes": wasm,
                               "total_bytes": heap + wasm}
    return result


def inline_edits(browser, url, runs):
    browser.send("Network.setCacheDisabled", cacheDisabled=False)
    browser.load(url)
    return {"saved_ms": summary([browser.evaluate(INLINE_EDIT) for _ in range(runs)])}


def measure(base):
    """Every browser figure for the console (`/`) and the baseline."""
    runs = int(os.environ.get("BENCH_LOADS", "15"))
    browser = Chromium()
    try:
        pages = {"baseline": f"{base}/baseline.html", "react": f"{base}/react/index.html",
                 "console": f"{base}/"}
        result = {}
        for name, url in pages.items():
            result[name] = {
                "first_visit": first_visits(browser, url, runs),
                "first_visit_office": first_visits(browser, url, max(5, runs // 3),
                                                   throttled=True),
                "cold": cold_loads(browser, url, runs),
                "cold_office": cold_loads(browser, url, max(5, runs // 3), throttled=True),
                "view_change": view_changes(browser, url, 2 * runs),
                "view_change_100": view_changes(browser, f"{url}?limit=100", 2 * runs),
                "memory": memory_after_view_changes(browser, url),
                "inline_edit": inline_edits(browser, url, 2 * runs),
            }
        return result
    finally:
        browser.close()


def baseline_files():
    """The baseline page's files, to serve beside the console."""
    folder = pathlib.Path(__file__).resolve().parent / "baseline"
    return sorted(folder.iterdir())


def react_build():
    """The React reference's build (`make bench` runs Vite), to serve at
    /react/ beside the console."""
    return pathlib.Path(__file__).resolve().parent / "react" / "dist"
