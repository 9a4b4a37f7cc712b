"""Units API under granian: listing and fetching units beside a bare Django JSON view.

    .venv/bin/python bench/units_api.py [--units 10000] [--duration 10] [--connections 16]

A fresh SQLite data folder with one workspace of N units (published, with skills), served
by `unstuck serve --workers 2`; load comes from a separate process on 127.0.0.1 (`wrk` when
installed, else bench/_load.py). Authentication is an API key, as an integration would use.
Prints req/s and p50/p99 for: the bare view (the ceiling), GET /units/{id}, GET /units.
"""

from __future__ import annotations

import argparse
import json
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
import json, os, random, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unstuck.settings")
django.setup()
from django.db import transaction
from django.utils import timezone
from unstuck.accounts.services import create_workspace, create_api_key
from unstuck.content import services
from unstuck.content.models import Unit, Status

n = int(sys.argv[1])
ws = create_workspace(name="Bench", slug="bench")
skills = [services.create_skill(workspace=ws, slug=f"skill-{i}", name=f"Skill {i}") for i in range(20)]
template = services.create_unit(
    workspace=ws, kind="guide", slug="template", title="Log a call",
    summary="Record a sales call in the CRM in under a minute.",
    body_md="Logging calls keeps the **forecast** honest.\n\n" + "Some words about it. " * 30,
    payload={"steps": [{"title": f"Step {i}", "body": "Press the *button* and check the result."}
                       for i in range(5)]},
    skills=[skills[0].slug, skills[1].slug], tags=["crm", "calls"])
services.publish_unit(unit=template)
template.refresh_from_db()
now = timezone.now()
rows = []
for i in range(n - 1):
    rows.append(Unit(workspace=ws, kind="guide", slug=f"unit-{i}", title=f"Log a call, part {i}",
                     summary=template.summary, body_md=template.body_md, body_html=template.body_html,
                     payload=template.payload, tags=template.tags, locale="en", status=Status.PUBLISHED,
                     duration_s=template.duration_s, version=1, published_at=now, last_verified_at=now,
                     review_due_at=template.review_due_at))
with transaction.atomic():
    Unit.objects.bulk_create(rows, batch_size=1000)
    through = Unit.skills.through
    ids = list(Unit.objects.filter(workspace=ws).values_list("pk", flat=True))
    links = [through(unit_id=u, skill_id=skills[k % 20].pk) for k, u in enumerate(ids)]
    links += [through(unit_id=u, skill_id=skills[(k + 7) % 20].pk) for k, u in enumerate(ids)]
    through.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)
key, secret = create_api_key(workspace=ws, name="bench", scopes=["read"])
unit = Unit.objects.filter(workspace=ws).order_by("?").first()
print(json.dumps({"key": f"{key.key_id}:{secret}", "unit": str(unit.pk), "units": Unit.objects.count()}))
"""


def run_wrk(
    url: str, headers: dict[str, str], duration_s: int, connections: int
) -> dict[str, float]:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{duration_s}s", "--latency"]
    for k, v in headers.items():
        args += ["-H", f"{k}: {v}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    result: dict[str, float] = {"errors": 0.0}
    for line in out.splitlines():
        parts = line.split()
        if line.startswith("Requests/sec:"):
            result["rps"] = float(parts[1])
        elif len(parts) == 2 and parts[0] in ("50%", "99%"):
            result["p" + parts[0][:-1]] = _ms(parts[1])
        elif "Non-2xx" in line:
            result["errors"] = float(parts[-1])
    return result


def _ms(text: str) -> float:
    for suffix, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


def run_python(
    url: str, headers: dict[str, str], duration_s: int, connections: int
) -> dict[str, float]:
    out = subprocess.run(
        [
            PY,
            str(ROOT / "bench" / "_load.py"),
            url,
            "--duration",
            str(duration_s),
            "--connections",
            str(connections),
            *[f"--header={k}: {v}" for k, v in headers.items()],
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    opts = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="unstuck-bench-units-"))
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
    server = None
    try:
        t0 = time.time()
        subprocess.run([unstuck, "migrate"], env=env, check=True, capture_output=True, cwd=ROOT)
        seeded = json.loads(
            subprocess.run(
                [PY, "-c", SEED, str(opts.units)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            ).stdout.splitlines()[-1]
        )
        print(f"seeded {seeded['units']} units in {time.time() - t0:.1f} s ({data_dir})")
        port = free_port()
        log = open(data_dir / "server.log", "w")  # noqa: SIM115 (closed with the folder)
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
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        wait_up(f"{base}/bench/bare")
        auth = {"Authorization": f"Bearer {seeded['key']}"}
        run = run_wrk if shutil.which("wrk") else run_python
        client = "wrk" if run is run_wrk else "bench/_load.py"
        scenarios = [
            ("bare Django JSON view (ceiling)", f"{base}/bench/bare", {}),
            ("GET /api/v1/units/{id}", f"{base}/api/v1/units/{seeded['unit']}", auth),
            ("GET /api/v1/units (50 per page)", f"{base}/api/v1/units", auth),
        ]
        for _, url, headers in scenarios:  # warm every worker's connections and caches
            req = urllib.request.Request(url, headers=headers)
            for _ in range(20):
                with urllib.request.urlopen(req) as resp:
                    assert resp.status == 200, url
        print(
            f"granian WSGI, {opts.workers} workers; load: {client}, {opts.connections} connections, "
            f"{opts.duration} s each; {os.cpu_count()} CPUs shared by server and client"
        )
        print(f"{'scenario':<36}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>9}")
        results = {}
        for name, url, headers in scenarios:
            r = run(url, headers, opts.duration, opts.connections)
            results[name] = r
            print(
                f"{name:<36}{r['rps']:>10.0f}{r['p50']:>10.2f}{r['p99']:>10.2f}{int(r.get('errors', 0)):>9}"
            )
        ceiling = results[scenarios[0][0]]["rps"]
        one = results[scenarios[1][0]]["rps"]
        listing = results[scenarios[2][0]]["rps"]
        print(
            f"fetch one unit: {one / ceiling:.0%} of the ceiling (goal: at least 60%); "
            f"list: {listing / ceiling:.0%}"
        )
    finally:
        if server is not None and (data_dir / "server.log").stat().st_size:
            print(
                "server log (first lines):", (data_dir / "server.log").read_text()[:800], sep="\n"
            )
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        if not opts.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
