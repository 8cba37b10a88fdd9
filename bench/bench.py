#!/usr/bin/env python3
"""`make bench`: measures the console and the server the same way every
time and writes bench/report.md and bench/report.json.

A benchmark, not a test: no figure here fails anything. Sections:
  1. size   - every file the console's page loads: raw, gzip, brotli, and as sent;
              the largest contributors to the wasm (twiggy).
  7. server - GET /v1/leads at 10,000 and 100,000 leads on SQLite and at
              100,000 on PostgreSQL (each sort, with and without a filter,
              pages 1 and 500) and create/update, p50/p99 and requests per
              second under a concurrent load (oha); searches (`q` of 3, 5 and
              10 characters, common and rare, alone and with status=new,
              under two sorts): the first request (which counts the matches)
              and p50/p99 one request at a time.
  8. events - the time from a write's request to its event on each of 200
              open streams: on one SQLite instance, and with two instances
              on one PostgreSQL, written through one and streamed from the
              other (and from the same one).
  9. mirror - the same lists passed through to the vendor's API (a second
              server, 50 ms away) and served from the synced copy
              (`--mirror`), p50/p99; and a search, which only the copy has.
  2-6. browser - the console's own page, the plain-JS baseline
              (bench/baseline/) and the same list in React 19 (bench/react/,
              built by Vite), in the same run with the same server:
              first visits (a new browser context per load) and reloads
              (cache off) to the first row painted, on loopback and on an
              office connection, with a first visit's split (module
              instantiated, first row in the DOM, painted), the wasm's
              fetch and what follows it; a
              Status change to the new rows painted, with and without the
              request's network time, at 20 and at 100 rows a page; JS heap
              and wasm memory after 10 and after 200 view changes; a row's
              status change to the row showing it saved (bench/browser.py).
"""

import datetime
import gzip
import json
import os
import pathlib
import platform
import re
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import browser  # noqa: E402  (beside this file)
import postgres  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
SERVER = ROOT / "target" / "release" / "leads-server"
TEST_SERVER = ROOT / "target" / "release" / "leads-test-server"
OUT = ROOT / "bench"

SORTS = ["-created_at", "created_at", "name", "-name", "-score", "score",
         "status", "-status", "-updated_at", "updated_at"]
# (engine, leads) pairs the server section measures.
TABLES = [("SQLite", 10_000), ("SQLite", 100_000), ("PostgreSQL", 100_000)]
# Search texts by length: one that many demo leads hold, one that few or none do.
SEARCHES = [("son", 3, "common"), ("qzx", 3, "rare"),
            ("smith", 5, "common"), ("90210", 5, "rare"),
            ("jane.smith", 10, "common"), ("5550123456", 10, "rare")]
SEARCH_SORTS = ["-created_at", "name"]
# Requests per measured query, and how many at once.
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))


def machine():
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()}",
    }


# 1. Size -----------------------------------------------------------------

def page_files():
    """What the console's own page loads first: the page, its script, the
    wasm, the split modules' loader, its stylesheet and the wasm-bindgen
    snippets."""
    files = [DIST / "index.html"]
    files += sorted(p for p in DIST.glob("leads-console-*") if p.suffix in (".js", ".wasm"))
    files += sorted(DIST.glob("split-*.js"))
    files += sorted(DIST.glob("page-*.css"))
    files += sorted((DIST / "snippets").rglob("*.js"))
    return files


def later_files():
    """What the page fetches once its first view has answered: the extras
    module (the `#[wasm_split(extras, …)]` functions in src/)."""
    return sorted(DIST.glob("split-*.wasm"))


def brotli_size(path):
    compressed = path.with_name(path.name + ".br")
    if compressed.is_file() and compressed.stat().st_mtime >= path.stat().st_mtime:
        return compressed.stat().st_size
    out = subprocess.run(["brotli", "-c", "-q", "11", str(path)], check=True,
                         capture_output=True).stdout
    return len(out)


def size_row(path):
    raw = path.read_bytes()
    row = {
        "file": str(path.relative_to(DIST)),
        "raw": len(raw),
        "gzip": len(gzip.compress(raw, 9)),
        "brotli": brotli_size(path),
    }
    # The server gzips the page as it sends it (tower-http's default level);
    # every other file goes as its precompressed brotli twin.
    row["sent"] = len(gzip.compress(raw, 6)) if path.name == "index.html" else row["brotli"]
    return row


def sizes():
    rows = [size_row(path) for path in page_files()]
    total = {k: sum(r[k] for r in rows) for k in ("raw", "gzip", "brotli", "sent")}
    return {"files": rows, "total": total, "later": [size_row(p) for p in later_files()],
            "wasm_top": wasm_top()}


def wasm_top():
    """The 20 largest items of the console's wasm, by name: the release
    build before wasm-bindgen and wasm-opt, which still has its names."""
    if not shutil.which("twiggy"):
        return {"note": "twiggy is not installed (make bench installs it)"}
    subprocess.run(["cargo", "build", "--release", "--target", "wasm32-unknown-unknown",
                    "-p", "leads-console", "--lib", "--bins"], cwd=ROOT, check=True,
                   capture_output=True)
    wasm = ROOT / "target" / "wasm32-unknown-unknown" / "release" / "leads-console.wasm"
    out = subprocess.run(["twiggy", "top", "-n", "24", "-f", "json", str(wasm)],
                         check=True, capture_output=True, text=True).stdout
    return {"file": str(wasm.relative_to(ROOT)), "items": json.loads(out)}


# 7. Server ---------------------------------------------------------------

def start_server(folder, leads, dist=DIST, database=None, more=(), binary=SERVER, env=None):
    """The release server on `database` (a PostgreSQL URL), else on a SQLite
    file in `folder`, seeded with `leads` demo leads."""
    port = browser.free_port()
    log = open(folder / f"server-{port}.log", "w")
    where = ["--database", database] if database else ["--db", str(folder / f"leads-{port}.db")]
    proc = subprocess.Popen([str(binary), "--addr", f"127.0.0.1:{port}", *where,
                             "--dist", str(dist), "--demo-leads", str(leads), *more],
                            stdout=log, stderr=subprocess.STDOUT,
                            env=None if env is None else {**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/readyz", timeout=1)
            return proc, base
        except OSError:
            if proc.poll() is not None:
                sys.exit(f"leads-server stopped; see {log.name}")
            time.sleep(0.2)
    proc.kill()
    sys.exit("leads-server did not get ready in 10 minutes")


def oha(url, method="GET", body=None, requests=REQUESTS, concurrency=CONCURRENCY):
    command = ["oha", "--no-tui", "--output-format", "json", "-n", str(requests),
               "-c", str(concurrency), "-m", method, url]
    if body is not None:
        command[1:1] = ["-H", "content-type: application/json", "-d", body]
    result = json.loads(subprocess.run(command, check=True, capture_output=True,
                                       text=True).stdout)
    codes = result.get("statusCodeDistribution", {})
    bad = {code: n for code, n in codes.items() if not code.startswith("2")}
    if bad:
        sys.exit(f"{method} {url} answered {bad}")
    percentiles = result["latencyPercentiles"]
    return {
        "p50_ms": round(percentiles["p50"] * 1000, 3),
        "p99_ms": round(percentiles["p99"] * 1000, 3),
        "rps": round(result["summary"]["requestsPerSec"]),
    }


def server():
    results = []
    with postgres.cluster() as database:
        for engine, leads in TABLES:
            with tempfile.TemporaryDirectory() as folder:
                url = database(f"list_{leads}") if engine == "PostgreSQL" else None
                proc, base = start_server(pathlib.Path(folder), leads, database=url)
                try:
                    results += lists(engine, base, leads)
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
    return results


def lists(engine, base, leads):
    rows = []
    for sort in SORTS:
        for label, query in (("", ""), ("status=new", "&status=new")):
            for page in (1, 500):
                url = f"{base}/v1/leads?sort={sort}{query}&page={page}"
                rows.append({"engine": engine, "leads": leads, "sort": sort, "filter": label,
                             "page": page, **oha(url)})
    rows.append({"engine": engine, "leads": leads, "sort": "create", "filter": "", "page": 0,
                 **oha(f"{base}/v1/leads", "POST", '{"name": "Bench Lead"}')})
    rows.append({"engine": engine, "leads": leads, "sort": "update", "filter": "", "page": 0,
                 **oha(f"{base}/v1/leads/lead_001", "PATCH", '{"status": "contacted"}')})
    return rows + [{"engine": engine, **row} for row in searches(base, leads)]


# 8. Events across instances ----------------------------------------------

STREAMS = 200
EVENT_WRITES = 100


def stream_sockets(base, count):
    """`count` open /v1/events streams on `base`, as raw sockets."""
    host, port = base.removeprefix("http://").split(":")
    sockets = []
    for _ in range(count):
        sock = socket.create_connection((host, int(port)))
        sock.sendall(f"GET /v1/events HTTP/1.1\r\nHost: {host}\r\n"
                     "Accept: text/event-stream\r\n\r\n".encode())
        sockets.append(sock)
    return sockets


def event_latencies(write_base, stream_base, label):
    """Opens STREAMS streams on `stream_base`, makes EVENT_WRITES creates
    through `write_base` (one every 20 ms), and times each from its request
    to its event on every stream."""
    sockets = stream_sockets(stream_base, STREAMS)
    received = {}  # (socket index, write number) -> time
    done = threading.Event()
    pattern = re.compile(rb'"name":"bench-event-(\d+)"')

    def read():
        chooser = selectors.DefaultSelector()
        for index, sock in enumerate(sockets):
            sock.setblocking(False)
            chooser.register(sock, selectors.EVENT_READ, [index, b""])
        while not done.is_set():
            for key, _ in chooser.select(timeout=0.1):
                chunk = key.fileobj.recv(65536)
                now = time.perf_counter()
                index, tail = key.data
                text = tail + chunk
                for match in pattern.finditer(text):
                    received.setdefault((index, int(match.group(1))), now)
                key.data[1] = text[-200:]
        chooser.close()

    reader = threading.Thread(target=read)
    reader.start()
    time.sleep(1)  # every stream has its position before the first write
    sent = {}
    for n in range(EVENT_WRITES):
        body = json.dumps({"name": f"bench-event-{n}"}).encode()
        request = urllib.request.Request(f"{write_base}/v1/leads", data=body, method="POST",
                                         headers={"content-type": "application/json"})
        sent[n] = time.perf_counter()
        urllib.request.urlopen(request).read()
        time.sleep(0.02)
    deadline = time.monotonic() + 10
    while len(received) < STREAMS * EVENT_WRITES and time.monotonic() < deadline:
        time.sleep(0.05)
    done.set()
    reader.join()
    for sock in sockets:
        sock.close()
    times = sorted((at - sent[n]) * 1000 for (_, n), at in received.items())
    quantile = lambda q: round(times[min(len(times) - 1, int(q * len(times)))], 2)  # noqa: E731
    return {"label": label, "streams": STREAMS, "writes": EVENT_WRITES,
            "delivered": len(times), "expected": STREAMS * EVENT_WRITES,
            "p50_ms": quantile(0.5), "p99_ms": quantile(0.99)}


def events():
    rows = []
    more = ["--max-event-streams", str(STREAMS * 2)]
    with tempfile.TemporaryDirectory() as folder:
        folder = pathlib.Path(folder)
        proc, base = start_server(folder, 0, more=more)
        try:
            rows.append(event_latencies(base, base, "SQLite, one instance"))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        with postgres.cluster() as database:
            url = database("events")
            a, a_base = start_server(folder, 0, database=url, more=more)
            b, b_base = start_server(folder, 0, database=url, more=more)
            try:
                rows.append(event_latencies(a_base, a_base,
                                            "PostgreSQL, written and streamed on one instance"))
                rows.append(event_latencies(b_base, a_base,
                                            "PostgreSQL, written on B, streamed on A"))
            finally:
                for proc in (a, b):
                    proc.terminate()
                    proc.wait(timeout=30)
    return rows


# 9. The synced copy against passing lists through ------------------------

MIRROR_LEADS = 10_000
VENDOR_DELAY_MS = 50
VENDOR_KEY = "bench-vendor-key"
MIRROR_QUERIES = [("page 1", "sort=-created_at"), ("status=new, page 1", "status=new"),
                  ("by name, page 50", "sort=name&page=50")]


def mirror():
    """The vendor: the test server with every /v1 answer held 50 ms (its
    fault injector), as an API across the internet would be. In front of
    it, one server passing lists through and one serving a synced copy."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        folder = pathlib.Path(folder)
        vendor, vendor_base = start_server(folder, MIRROR_LEADS, binary=TEST_SERVER,
                                           more=["--api-key", VENDOR_KEY, "--test-faults"])
        proxies = []
        try:
            rule = json.dumps({"matches": "/v1/", "delay_ms": VENDOR_DELAY_MS}).encode()
            urllib.request.urlopen(urllib.request.Request(
                vendor_base + "/_test/faults", data=rule,
                headers={"content-type": "application/json"}))
            upstream = ["--upstream", vendor_base + "/v1"]
            env = {"LEADS_UPSTREAM_KEY": VENDOR_KEY}
            through, through_base = start_server(folder, 0, more=upstream, env=env)
            proxies.append(through)
            copy, copy_base = start_server(folder, 0, env=env,
                                           more=[*upstream, "--mirror", "--sync-max-rps", "50"])
            proxies.append(copy)
            deadline = time.monotonic() + 600
            started = time.monotonic()
            while True:
                try:
                    urllib.request.urlopen(copy_base + "/v1/leads?q=a", timeout=5)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        sys.exit("the copy did not complete in 10 minutes")
                    time.sleep(0.2)
            walk_s = round(time.monotonic() - started, 1)
            for label, query in MIRROR_QUERIES:
                row = {"list": label, "walk_s": walk_s}
                for name, base in (("through", through_base), ("copy", copy_base)):
                    figures = oha(f"{base}/v1/leads?{query}", requests=REQUESTS // 4)
                    row.update({f"{name}_{key}": value for key, value in figures.items()})
                rows.append(row)
            search = oha(f"{copy_base}/v1/leads?q=smith", requests=REQUESTS // 4)
            rows.append({"list": "q=smith", "walk_s": walk_s,
                         **{f"copy_{key}": value for key, value in search.items()}})
        finally:
            for proc in (vendor, *proxies):
                proc.terminate()
                proc.wait(timeout=30)
    return rows


def searches(base, leads):
    """Each search once by itself (the server has not counted its matches
    yet), then one request at a time: the time a person waits for an answer,
    without the queue a concurrent load builds behind the database's lock."""
    rows = []
    for text, length, kind in SEARCHES:
        for label, query in (("", ""), ("status=new", "&status=new")):
            for sort in SEARCH_SORTS:
                url = f"{base}/v1/leads?q={text}&sort={sort}{query}"
                start = time.perf_counter()
                with urllib.request.urlopen(url) as answer:
                    total = json.load(answer)["meta"]["total"]
                first = (time.perf_counter() - start) * 1000
                rows.append({"leads": leads, "q": text, "length": length, "kind": kind,
                             "filter": label, "sort": sort, "matches": total,
                             "first_ms": round(first, 3),
                             **oha(url, requests=REQUESTS // 4, concurrency=1)})
    return rows


# 2-6. Browser ---------------------------------------------------------

def browser_figures():
    """The console and the baseline, served side by side by one server."""
    with tempfile.TemporaryDirectory() as folder:
        folder = pathlib.Path(folder)
        dist = folder / "dist"
        shutil.copytree(DIST, dist)
        for path in browser.baseline_files():
            shutil.copy(path, dist / path.name)
        # Sent brotli-compressed, as the console's own files are.
        shutil.copytree(browser.react_build(), dist / "react")
        for script in (dist / "react" / "assets").glob("*.js"):
            subprocess.run(["brotli", "-q", "11", "-k", str(script)], check=True)
        proc, base = start_server(folder, 250, dist)
        try:
            return browser.measure(base)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def browser_rows(figures):
    """(label, baseline, React, console) for each browser figure, in ms."""
    rows = []
    for key, label in (("first_visit", "first visit → first row painted (loopback)"),
                       ("first_visit_office", "first visit → first row painted (10 Mbit/s, 40 ms)"),
                       ("cold", "reload, cache off → first row painted (loopback)"),
                       ("cold_office", "reload, cache off → first row painted (10 Mbit/s, 40 ms)")):
        for stat in ("median", "p90"):
            rows.append((f"{label}, {stat}", figures["baseline"][key]["first_row_ms"][stat],
                         figures["react"][key]["first_row_ms"][stat],
                         figures["console"][key]["first_row_ms"][stat]))
    # Where a first visit's time goes (only the console has a module).
    for key, label in (("module_ready_ms", "first visit: until the module is instantiated"),
                       ("ready_to_dom_ms", "first visit: from there to the first row in the DOM"),
                       ("row_in_dom_ms", "first visit: first row in the DOM"),
                       ("dom_to_paint_ms", "first visit: from there to the paint")):
        other = {page: figures[page]["first_visit"].get(key, {}).get("median")
                 for page in ("baseline", "react")}
        rows.append((f"{label}, median", other["baseline"], other["react"],
                     figures["console"]["first_visit"][key]["median"]))
    for view, prefix in (("view_change", ""), ("view_change_100", "100 rows: ")):
        for key, label in (("with_network_ms", "Status change → rows painted"),
                           ("without_network_ms", "the same, less the request's network time")):
            for stat in ("median", "p90"):
                rows.append((f"{prefix}{label}, {stat}",
                             figures["baseline"][view][key][stat],
                             figures["react"][view][key][stat],
                             figures["console"][view][key][stat]))
    for stat in ("median", "p90"):
        rows.append((f"a row's status changed → saved and shown, {stat}",
                     figures["baseline"]["inline_edit"]["saved_ms"][stat],
                     figures["react"]["inline_edit"]["saved_ms"][stat],
                     figures["console"]["inline_edit"]["saved_ms"][stat]))
    return rows


def memory_rows(figures):
    """(label, baseline, React, console) in KB, after 10 and 200 view changes."""
    rows = []
    for after in ("10", "200"):
        for key, label in (("js_heap_bytes", "JS heap"), ("wasm_memory_bytes", "wasm memory"),
                           ("total_bytes", "together")):
            rows.append((f"after {after} view changes: {label}",
                         round(figures["baseline"]["memory"][after][key] / 1000),
                         round(figures["react"]["memory"][after][key] / 1000),
                         round(figures["console"]["memory"][after][key] / 1000)))
    return rows


# Report --------------------------------------------------------------------

def markdown(report):
    m = report["machine"]
    lines = ["# Bench report", "",
             f"{m['date']}, {m['cpu']}, {m['cores']} cores, {m['system']}.", "",
             "## Size (the console's own page)", "",
             "| file | raw | gzip | brotli | as sent |", "|---|---:|---:|---:|---:|"]
    for row in report["size"]["files"]:
        lines.append(f"| {row['file']} | {row['raw']:,} | {row['gzip']:,} | {row['brotli']:,} "
                     f"| {row['sent']:,} |")
    t = report["size"]["total"]
    lines.append(f"| **first load** | **{t['raw']:,}** | **{t['gzip']:,}** | **{t['brotli']:,}** "
                 f"| **{t['sent']:,}** |")
    for row in report["size"].get("later", []):
        lines.append(f"| {row['file']} (after the first view) | {row['raw']:,} | "
                     f"{row['gzip']:,} | {row['brotli']:,} | {row['sent']:,} |")
    top = report["size"]["wasm_top"]
    if "items" in top:
        # Names and wasm-bindgen's own data are not code the console ships.
        top = dict(top, items=[i for i in top["items"]
                               if not i["name"].startswith(('"function names"', "custom section"))][:20])
    lines += ["", "### Largest items in the wasm", ""]
    if "items" in top:
        lines += [f"From `{top['file']}` (before the split, wasm-bindgen and wasm-opt).", "",
                  "| item | bytes | % |", "|---|---:|---:|"]
        for item in top["items"]:
            name = item["name"].replace("|", "\\|")[:100]
            lines.append(f"| `{name}` | {item['shallow_size']:,} | "
                         f"{item['shallow_size_percent']:.2f} |")
    else:
        lines.append(top["note"])
    lines += ["", "## Server: GET /v1/leads, create and update", "",
              f"{REQUESTS} requests per row, {CONCURRENCY} at once, release build, "
              "loopback, oha.", "",
              "| engine | leads | sort | filter | page | p50 ms | p99 ms | req/s |",
              "|---|---:|---|---|---:|---:|---:|---:|"]
    for r in (r for r in report["server"] if "q" not in r):
        page = r["page"] or "—"
        lines.append(f"| {r['engine']} | {r['leads']:,} | {r['sort']} | {r['filter'] or '—'} | "
                     f"{page} | {r['p50_ms']} | {r['p99_ms']} | {r['rps']:,} |")
    lines += ["", "## Server: search", "",
              f"`q` alone and with `status=new`; the first request counts the matches, then "
              f"{REQUESTS // 4} requests one at a time (oha). Goal: p99 under 5 ms at 100,000.", "",
              "| engine | leads | q | length | kind | filter | sort | matches | first ms | p50 ms "
              "| p99 ms |",
              "|---|---:|---|---:|---|---|---|---:|---:|---:|---:|"]
    for r in (r for r in report["server"] if "q" in r):
        lines.append(f"| {r['engine']} | {r['leads']:,} | `{r['q']}` | {r['length']} | {r['kind']} | "
                     f"{r['filter'] or '—'} | {r['sort']} | {r['matches']:,} | {r['first_ms']} | "
                     f"{r['p50_ms']} | {r['p99_ms']} |")
    lines += ["", "## Server: live events", "",
              f"From a create's request to its event on each of {STREAMS} open `/v1/events` "
              f"streams; {EVENT_WRITES} creates, one every 20 ms; release build, loopback.", "",
              "| set-up | events delivered | p50 ms | p99 ms |", "|---|---:|---:|---:|"]
    for r in report["events"]:
        lines.append(f"| {r['label']} | {r['delivered']:,} of {r['expected']:,} | "
                     f"{r['p50_ms']} | {r['p99_ms']} |")
    copy = report.get("mirror", [])
    if copy:
        lines += ["", "## Server: the synced copy (`--mirror`) against passing lists through", "",
                  f"The vendor is a second server with {MIRROR_LEADS:,} leads, every answer "
                  f"held {VENDOR_DELAY_MS} ms; {REQUESTS // 4} requests per row, "
                  f"{CONCURRENCY} at once (oha). The copy's first walk took "
                  f"{copy[0]['walk_s']} s.", "",
                  "| list | through p50 ms | through p99 ms | copy p50 ms | copy p99 ms |",
                  "|---|---:|---:|---:|---:|"]
        for r in copy:
            lines.append(f"| {r['list']} | {r.get('through_p50_ms', '— (no search)')} | "
                         f"{r.get('through_p99_ms', '—')} | {r['copy_p50_ms']} | "
                         f"{r['copy_p99_ms']} |")
    figures = report["browser"]
    lines += ["", "## Browser: the console against the plain-JS baseline and React 19", "",
              "Debian's headless Chromium, the same server and demo data, the same run; "
              "medians and p90 of "
              f"{figures['console']['first_visit']['first_row_ms']['runs']} first visits (a new "
              "browser context each: nothing cached, nothing compiled), as many reloads of "
              f"one tab with its cache off ({figures['console']['cold_office']['first_row_ms']['runs']} "
              f"of each throttled) and {figures['console']['view_change']['with_network_ms']['runs']} "
              "view changes. Painted: the first task after the frame that shows the rows.",
              "", "| ms | baseline (plain JS) | React 19 | console | console ÷ baseline "
              "| console ÷ React |", "|---|---:|---:|---:|---:|---:|"]
    shown = lambda value: "—" if value is None else value
    ratio = lambda console, other: f"{console / other:.2f}×" if other else "—"
    for label, base, react, console in browser_rows(figures):
        lines.append(f"| {label} | {shown(base)} | {shown(react)} | {console} | "
                     f"{ratio(console, base)} | {ratio(console, react)} |")
    first, cold = figures["console"]["first_visit"], figures["console"]["cold"]
    if "wasm_fetch_ms" in first and "wasm_fetch_ms" in cold:
        lines += ["", f"The console's wasm (loopback): on a first visit fetched in "
                  f"{first['wasm_fetch_ms']['median']} ms and instantiated "
                  f"{first['wasm_after_fetch_ms']['median']} ms after its last byte; on a "
                  f"reload {cold['wasm_fetch_ms']['median']} and "
                  f"{cold['wasm_after_fetch_ms']['median']} ms (medians). From the module "
                  f"to the first row in the DOM: {first['ready_to_dom_ms']['median']} ms on a "
                  f"first visit, {cold['ready_to_dom_ms']['median']} ms on a reload, where "
                  "V8 has compiled the functions the first render calls before."]
    lines += ["", "### Memory", "",
              "After a forced garbage collection (DevTools), once 10 view changes are done "
              "and again after 200; the baseline has no wasm. Linear memory never shrinks, "
              "so it shows the most the console ever held.", "",
              "| KB | baseline | React 19 | console |", "|---|---:|---:|---:|"]
    for label, base, react, console in memory_rows(figures):
        lines.append(f"| {label} | {base:,} | {react:,} | {console:,} |")
    lines.append("")
    return "\n".join(lines)


def main():
    for need in (SERVER, TEST_SERVER, DIST / "index.html"):
        if not need.exists():
            sys.exit(f"{need} is missing: run make build (make bench does)")
    if not shutil.which("oha"):
        sys.exit("oha is not installed: run make bench, which installs it")
    report = {"machine": machine(), "size": sizes(), "browser": browser_figures(),
              "server": server(), "events": events(), "mirror": mirror()}
    OUT.mkdir(exist_ok=True)
    (OUT / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    (OUT / "report.md").write_text(markdown(report))
    print(f"wrote {OUT / 'report.md'} and {OUT / 'report.json'}")


if __name__ == "__main__":
    main()
