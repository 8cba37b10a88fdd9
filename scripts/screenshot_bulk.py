#!/usr/bin/env python3
"""Takes docs/bulk.png: a bulk status change in progress, from the real
build with demo data. The test server (`make build-test-server`)
answers the batch's PATCHes slowly, so the picture shows the progress bar
part of the way. Run through `make screenshot`.

    scripts/screenshot_bulk.py OUT [WIDTH] [dark]
"""

import json
import time
import urllib.request

import shots


def post(base, path, body):
    request = urllib.request.Request(f"{base}{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request).read()


def main():
    out, width, dark = shots.arguments("docs/bulk.png")
    with shots.server("leads-test-server", "--test-faults") as base, \
            shots.chromium(width, dark) as chromium:
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
        shots.shoot(chromium, out)


if __name__ == "__main__":
    main()
