"""The widget's page-context endpoint under granian, beside a bare Django JSON view.

    .venv/bin/python bench/widget_context.py [--units 10000] [--placements 2000] [--duration 8]

A fresh SQLite data folder: one workspace with N published units and M placements on
one host app (patterns spread over 200 page families, audiences, selectors), served by
`unstuck serve --workers 2`. Load comes from separate processes on 127.0.0.1
(bench/_load.py, keep-alive). Prints, for the bare view and GET /widget/v1/context
(full answers, and 304 revalidations): peak req/s with 16 connections, then p50/p99
at half of the context endpoint's peak rate (paced, open-loop).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _load import free_port, wait_up  # noqa: E402  (shared with the other benches)

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

SEED = r"""
import sys, django, time
django.setup()
from unstuck.accounts.services import create_workspace, create_host_app
from unstuck.content.models import Unit
from unstuck.delivery.models import Placement
from unstuck.accounts.services import bump_content_version
from unstuck.delivery.identity import sign_token
n_units, n_placements, origin = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ws = create_workspace(name="Bench", slug="bench")
app = create_host_app(workspace=ws, name="CRM", slug="crm", allowed_origins=[origin])
units = [Unit(workspace=ws, slug=f"unit-{i}", kind="guide", status="published", title=f"Unit {i}",
              summary="How to do thing %d" % i, payload={"steps": [{"title": "x", "body": "y"}]}, duration_s=120)
         for i in range(n_units)]
Unit.objects.bulk_create(units, batch_size=1000)
triggers = ["page_shown", "field_focused", "page_shown", "error_event"]
rows = []
for i in range(n_placements):
    family = i % 200
    pattern = [f"/app{family}/:id/edit", f"/app{family}/*", f"/app{family}", "/app%d/:id/fields/f%d" % (family, i)][i % 4]
    trig = triggers[i % 4]
    rows.append(Placement(
        workspace=ws, host_app=app, unit=units[(i * 5) % n_units], url_pattern=pattern,
        element=[{"id": f"f{i}"}, {"name": f"f{i}"}] if trig != "page_shown" else [],
        field_key=f"f{i}" if trig == "field_focused" else "", trigger=trig,
        trigger_config={"code": "E%d" % i} if trig == "error_event" else {},
        audience={"teams": ["Sales"]} if i % 7 == 0 else ({"roles": ["manager"]} if i % 11 == 0 else {}),
        presentation="tooltip" if trig == "field_focused" else "panel", priority=i % 5))
Placement.objects.bulk_create(rows, batch_size=1000)
bump_content_version(workspace=ws)
token = sign_token(app, sub="rep-1", name="Rep One", team="Sales", role="rep", locale="en", expires_in_s=20 * 3600)
print(__import__("json").dumps({"embed_key": app.embed_key, "token": token}))
"""


def peak(url: str, headers: dict[str, str], duration_s: float, connections: int) -> dict:
    args = [
        PY,
        str(ROOT / "bench" / "_load.py"),
        url,
        "--duration",
        str(duration_s),
        "--connections",
        str(connections),
    ]
    for k, v in headers.items():
        args += ["--header", f"{k}: {v}"]
    return json.loads(
        subprocess.run(args, capture_output=True, text=True, check=True).stdout.splitlines()[-1]
    )


def _paced(url: str, headers: dict[str, str], rate: float, duration_s: float, queue) -> None:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    lat, errors, interval = [], 0, 1.0 / rate
    start = time.perf_counter()
    n = 0
    while True:
        due = start + n * interval
        now = time.perf_counter()
        if due - start >= duration_s:
            break
        if due > now:
            time.sleep(due - now)
        t0 = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            errors += resp.status >= 400
        except (OSError, http.client.HTTPException):
            errors += 1
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        lat.append(time.perf_counter() - t0)
        n += 1
    queue.put((lat, errors))


def at_rate(
    url: str, headers: dict[str, str], rate: float, duration_s: float, procs: int = 8
) -> dict:
    """Open-loop load at `rate` req/s spread over `procs` client processes."""
    queue: mp.Queue = mp.Queue()
    workers = [
        mp.Process(target=_paced, args=(url, headers, rate / procs, duration_s, queue))
        for _ in range(procs)
    ]
    for w in workers:
        w.start()
    lat, errors = [], 0
    for _ in workers:
        got, errs = queue.get()
        lat += got
        errors += errs
    for w in workers:
        w.join()
    lat.sort()

    def pct(q: float) -> float:
        return lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else 0.0

    return {"rps": len(lat) / duration_s, "p50": pct(0.5), "p99": pct(0.99), "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--placements", type=int, default=2_000)
    parser.add_argument("--duration", type=float, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    opts = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="unstuck-bench-widget-"))
    env = dict(
        os.environ,
        UNSTUCK_DATA_DIR=str(data_dir),
        UNSTUCK_BENCH_VIEWS="1",
        UNSTUCK_DEBUG="0",
        UNSTUCK_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="unstuck.settings",
    )
    env.pop("DATABASE_URL", None)
    unstuck = str(Path(PY).parent / "unstuck")
    origin = "https://crm.example.com"
    server = None
    try:
        t0 = time.time()
        subprocess.run([unstuck, "migrate"], env=env, check=True, capture_output=True, cwd=ROOT)
        seeded = json.loads(
            subprocess.run(
                [PY, "-c", SEED, str(opts.units), str(opts.placements), origin],
                env=env,
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            ).stdout.splitlines()[-1]
        )
        print(
            f"seeded {opts.units} units and {opts.placements} placements in {time.time() - t0:.1f} s"
        )
        port = free_port()
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
                str(opts.workers),
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        wait_up(f"{base}/bench/bare")
        headers = {
            "X-Unstuck-App": seeded["embed_key"],
            "Authorization": f"Bearer {seeded['token']}",
            "Origin": origin,
        }
        context = f"{base}/widget/v1/context?url=%2Fapp17%2F42%2Fedit"
        req = urllib.request.Request(context, headers=headers)
        with urllib.request.urlopen(req) as resp:
            body = json.loads(resp.read())
            etag = resp.headers["ETag"]
        print(
            f"context answer: {len(body['placements'])} placements matched, {len(json.dumps(body))} bytes"
        )
        for _ in range(50):  # warm both workers' compiled matchers
            urllib.request.urlopen(urllib.request.Request(context, headers=headers)).read()
        scenarios = [
            ("bare Django JSON view (ceiling)", f"{base}/bench/bare", {}),
            ("GET /widget/v1/context (200)", context, headers),
            (
                "GET /widget/v1/context (304, If-None-Match)",
                context,
                {**headers, "If-None-Match": etag},
            ),
        ]
        print(
            f"granian WSGI, {opts.workers} workers; bench/_load.py, {opts.connections} connections, "
            f"{opts.duration:g} s each; {os.cpu_count()} CPUs shared by server and client"
        )
        results = {}
        for name, url, h in scenarios:
            results[name] = peak(url, h, opts.duration, opts.connections)
            r = results[name]
            # bench/_load.py counts every non-2xx answer as an error, so the 304s count there.
            errors = (
                "all 304 as expected"
                if "304" in name and r["errors"] == r["requests"]
                else r["errors"]
            )
            print(
                f"  peak  {name:46s} {r['rps']:8.0f} req/s  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms"
                f"  errors {errors}"
            )
        bare = results[scenarios[0][0]]["rps"]
        ctx = results[scenarios[1][0]]["rps"]
        print(f"  context / bare throughput: {ctx / bare:.0%}")
        half = ctx / 2
        for name, url, h in scenarios[:2]:
            r = at_rate(url, h, half, opts.duration)
            print(
                f"  at {half:.0f} req/s  {name:40s} p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms"
                f"  errors {r['errors']}"
            )
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
