#!/usr/bin/env python3
"""Takes docs/bulk.png: a bulk status change in progress, from the real
build with demo data. The test server (built by `make build-test-server`)
answers the batch's PATCHes slowly, so the picture shows the progress bar
part of the way. Run through `make screenshot`.

    scripts/screenshot_bulk.py OUT [WIDTH] [dark]
"""

import base64
import json
import pathlib
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import browser  # noqa: E402  (bench/browser.py: Chromium over DevTools)


def post(base, path, body):
    request = urllib.request.Request(f"{base}{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request).read()


def main():
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "docs/bulk.png")
    width = int(sys.argv[2]) if len(sys.argv) > 2 else 1280
    dark = len(sys.argv) > 3 and sys.argv[3] == "dark"
    with tempfile.TemporaryDirectory() as folder:
        port = browser.free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [str(ROOT / "target/release/leads-test-server"), "--test-faults",
             "--addr", f"127.0.0.1:{port}", "--db", f"{folder}/leads.db",
             "--dist", str(ROOT / "dist")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        chromium = None
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/config.json").read()
                    break
                except OSError:
                    time.sleep(0.1)
            chromium = browser.Chromium()
            chromium.send("Emulation.setDeviceMetricsOverride", width=width, height=900,
                          deviceScaleFactor=1, mobile=False)
            chromium.send("Emulation.setEmulatedMedia", features=[
                {"name": "prefers-color-scheme", "value": "dark" if dark else "light"}])
            chromium.load(f"{base}/")
            post(base, "/_test/faults", {"matches": "PATCH /v1/leads/", "delay_ms": 500})
            # Choose the page's leads and apply; four at a time, half a
            # second each, so about eight are answered a second later.
            chromium.evaluate("""(async () => {
              const root = document.querySelector('leads-console').shadowRoot;
              root.querySelector('[aria-label="Select all on this page"]').click();
              while (!root.querySelector('#bulk-status')) {
                await new Promise((resolve) => requestAnimationFrame(resolve));
              }
              root.querySelector('#bulk-status').value = 'contacted';
              root.querySelector('#bulk-status').dispatchEvent(new Event('change'));
              root.querySelector('.bulk .button--primary').click();
            })()""")
            time.sleep(1.2)
            chromium.evaluate("document.activeElement && document.activeElement.blur()")
            shot = chromium.send("Page.captureScreenshot", format="png")
            out.write_bytes(base64.b64decode(shot["data"]))
            print(f"wrote {out}")
        finally:
            if chromium:
                chromium.close()
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
