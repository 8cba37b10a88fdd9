#!/usr/bin/env python3
"""Takes docs/live-1.png and docs/live-2.png: the console going live, from
the real build with demo data. The server simulates a call a second
(`--simulate-calls 1`); the first picture shows new leads waiting behind
"Show {n} new leads", the second the view after pressing it, with them
highlighted. Run through `make screenshot`.

    scripts/screenshot_live.py OUT_PREFIX [WIDTH] [dark]
"""

import time

import shots

ROOT_JS = "document.querySelector('leads-console').shadowRoot"


def wait_for(chromium, script, done, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = chromium.evaluate(script)
        if done(value):
            return value
        time.sleep(0.1)
    raise SystemExit(f"gave up waiting: {script}")


def main():
    prefix, width, dark = shots.arguments("docs/live")
    with shots.server("leads-server", "--simulate-calls", "1") as base, \
            shots.chromium(width, dark) as chromium:
        chromium.load(f"{base}/")
        button = f"({ROOT_JS}.querySelector('.fresh-leads') || {{}}).textContent"
        wait_for(chromium, button, lambda text: (text or "").strip() == "Show 3 new leads")
        shots.shoot(chromium, f"{prefix}-1.png")
        chromium.evaluate(f"{ROOT_JS}.querySelector('.fresh-leads').click()")
        wait_for(chromium, f"{ROOT_JS}.querySelectorAll('tr.row--new').length",
                 lambda n: n >= 3)
        shots.shoot(chromium, f"{prefix}-2.png")


if __name__ == "__main__":
    main()
