"""Time from the script tag to a usable "Help, I'm stuck!" button, in Chromium, on the sample CRM.

    .venv/bin/python bench/widget_ready.py [--runs 15]

A fresh SQLite data folder with the demo workspace, served by `unstuck serve` (granian,
2 workers) on 127.0.0.1; Debian's Chromium (headless, via Playwright) opens the CRM's
opportunity form as a demo sales rep. For each load it records, with the page's own
clock: when the widget.js request started, when the button existed, and when it was
usable (placements and strings loaded). First a cold load (empty browser cache), then
warm loads (widget.js cached, context revalidated with its ETag).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from widget_context import free_port, wait_up  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

SEED = r"""
import sys, django, json
django.setup()
from django.core import signing
from unstuck.demo import services, views
ws = services.load_demo_workspace(origins=services.origins_for("127.0.0.1", int(sys.argv[1])))
person = ws.people.filter(team="Sales", is_anonymous=False).order_by("external_id").first()
value = signing.get_cookie_signer(salt=views.COOKIE + views.COOKIE_SALT).sign(person.external_id)
print(json.dumps({"cookie": views.COOKIE, "value": value}))
"""

PROBE = """() => new Promise(done => {
  const t = {};
  function poll() {
    const w = document.querySelector('unstuck-widget');
    const b = w && w.shadowRoot && w.shadowRoot.querySelector('button.b');
    if (b && t.button === undefined) t.button = performance.now();
    if (b && b.getAttribute('aria-disabled') === 'false') {
      t.usable = performance.now();
      const e = performance.getEntriesByType('resource').find(r => r.name.includes('/widget.js'));
      t.script_start = e ? e.startTime : 0;
      t.script_end = e ? e.responseEnd : 0;
      t.transfer = e ? e.transferSize : 0;
      return done(t);
    }
    requestAnimationFrame(poll);
  }
  poll();
})"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15)
    opts = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests" / "e2e"))
    from playwright.sync_api import sync_playwright

    from conftest import find_chromium  # the browser the e2e tests use

    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("no Chromium found (apt-get install chromium)")
    data_dir = Path(tempfile.mkdtemp(prefix="unstuck-bench-ready-"))
    env = dict(
        os.environ,
        UNSTUCK_DATA_DIR=str(data_dir),
        UNSTUCK_DEBUG="0",
        UNSTUCK_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="unstuck.settings",
    )
    env.pop("DATABASE_URL", None)
    unstuck = str(Path(PY).parent / "unstuck")
    port = free_port()
    server = None
    try:
        subprocess.run([unstuck, "migrate"], env=env, check=True, capture_output=True, cwd=ROOT)
        seeded = json.loads(
            subprocess.run(
                [PY, "-c", SEED, str(port)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            ).stdout.splitlines()[-1]
        )
        server = subprocess.Popen(
            [
                unstuck,
                "serve",
                "--no-migrate",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "2",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        wait_up(f"{base}/healthz")
        url = f"{base}/crm/opportunities/new"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            )
            context = browser.new_context()
            context.add_cookies([{"name": seeded["cookie"], "value": seeded["value"], "url": base}])
            page = context.new_page()
            runs = []
            for i in range(opts.runs + 1):
                page.goto(url, wait_until="commit")
                runs.append(page.evaluate(PROBE))
                if i == 0:
                    cold = runs.pop()
            browser.close()

        def show(label: str, rows: list[dict]) -> None:
            def med(key: str) -> float:
                return statistics.median(r[key] for r in rows)

            print(
                f"{label:28s} script request at {med('script_start'):6.1f} ms, loaded {med('script_end'):6.1f} ms, "
                f"button {med('button'):6.1f} ms, usable {med('usable'):6.1f} ms "
                f"(script tag -> usable {med('usable') - med('script_start'):6.1f} ms)"
            )

        print(
            f"sample CRM {url}; Chromium headless; times from navigation start (page clock), medians"
        )
        show("cold (1 load)", [cold])
        show(f"warm ({opts.runs} loads)", runs)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    start = time.time()
    main()
    print(f"({time.time() - start:.0f} s)")
