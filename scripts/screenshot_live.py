#!/usr/bin/env python3
"""Takes docs/live-1.png and docs/live-2.png: the console going live, from
the real build with demo data. The server simulates a call a second
(`--simulate-calls 1`); the first picture shows new leads waiting behind
"Show {n} new leads", the second the view after pressing it, with them
highlighted. Run through `make screenshot`.

    scripts/screenshot_live.py OUT_PREFIX [WIDTH] [dark]
"""

import base64
import pathlib
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import browser  # noqa: E402  (bench/browser.py: Chromium over DevTools)

SHOW = """(() => {
  const root = document.querySelector('leads-console').shadowRoot;
  const button = root && root.querySelector('.fresh-leads');
  return button ? button.textContent.trim() : '';
})()"""


def wait_for(chromium, script, done, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = chromium.evaluate(script)
        if done(value):
            return value
        time.sleep(0.1)
    raise SystemExit(f"gave up waiting: {script}")


def shoot(chromium, path):
    chromium.evaluate("document.activeElement && document.activeElement.blur()")
    shot = chromium.send("Page.captureScreenshot", format="png")
    path.write_bytes(base64.b64decode(shot["data"]))
    print(f"wrote {path}")


def main():
    prefix = sys.argv[1] if len(sys.argv) > 1 else "docs/live"
    width = int(sys.argv[2]) if len(sys.argv) > 2 else 1280
    dark = len(sys.argv) > 3 and sys.argv[3] == "dark"
    with tempfile.TemporaryDirectory() as folder:
        port = browser.free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [str(ROOT / "target/release/leads-server"), "--simulate-calls", "1",
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
            wait_for(chromium, SHOW, lambda text: text == "Show 3 new leads")
            shoot(chromium, pathlib.Path(f"{prefix}-1.png"))
            chromium.evaluate("""document.querySelector('leads-console').shadowRoot
                                   .querySelector('.fresh-leads').click()""")
            wait_for(chromium, """document.querySelector('leads-console').shadowRoot
                                    .querySelectorAll('tr.row--new').length""",
                     lambda n: n >= 3)
            shoot(chromium, pathlib.Path(f"{prefix}-2.png"))
        finally:
            if chromium:
                chromium.close()
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
