"""What the screenshot scripts share: a built server on a temporary
database, and Chromium (bench/browser.py, over DevTools) at a width and
colour scheme, taking PNGs of the page."""

import base64
import contextlib
import pathlib
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import browser  # noqa: E402  (bench/browser.py: Chromium over DevTools)


@contextlib.contextmanager
def server(binary, *flags):
    """Runs target/release/BINARY with FLAGS on a temporary database and
    yields its base URL once it answers."""
    with tempfile.TemporaryDirectory() as folder:
        port = browser.free_port()
        base = f"http://127.0.0.1:{port}"
        process = subprocess.Popen(
            [str(ROOT / "target/release" / binary), *flags,
             "--addr", f"127.0.0.1:{port}", "--db", f"{folder}/leads.db",
             "--dist", str(ROOT / "dist")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/config.json").read()
                    break
                except OSError:
                    time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)


@contextlib.contextmanager
def chromium(width, dark):
    """Chromium with a 900 px tall window WIDTH wide, light or dark."""
    opened = browser.Chromium()
    try:
        opened.send("Emulation.setDeviceMetricsOverride", width=width, height=900,
                    deviceScaleFactor=1, mobile=False)
        opened.send("Emulation.setEmulatedMedia", features=[
            {"name": "prefers-color-scheme", "value": "dark" if dark else "light"}])
        yield opened
    finally:
        opened.close()


def shoot(opened, path):
    """Writes what the page shows now to PATH, without a focus ring."""
    opened.evaluate("document.activeElement && document.activeElement.blur()")
    shot = opened.send("Page.captureScreenshot", format="png")
    pathlib.Path(path).write_bytes(base64.b64decode(shot["data"]))
    print(f"wrote {path}")


def arguments(default):
    """OUT [WIDTH] [dark] from the command line."""
    out = sys.argv[1] if len(sys.argv) > 1 else default
    width = int(sys.argv[2]) if len(sys.argv) > 2 else 1280
    dark = len(sys.argv) > 3 and sys.argv[3] == "dark"
    return out, width, dark
