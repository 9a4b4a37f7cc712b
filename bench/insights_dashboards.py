"""Insights over a large statement log: rollup build time and dashboard render time.

    .venv/bin/python bench/insights_dashboards.py [--statements 1000000] [--postgres URL]

Creates a fresh database (a SQLite file in a temporary folder, or the PostgreSQL
database `bench_insights` on the given server — 127.0.0.1 only), bulk-inserts N
statements of simulated work (200 people in 5 teams, 8 weeks, 3 tasks on 6 places,
12 units; the same mix of verbs as the demo simulation), then prints:

- the full rollup build (`unstuck rollup --rebuild`) and an incremental run after
  10,000 more statements;
- with `--data-dir DIR` (SQLite) or `--reuse` (PostgreSQL) a second run reuses the
  data set and only rebuilds and measures;
- for every dashboard and the stuck-point report: the median of 5 full page renders
  (HTTP GET through Django's test client, templates and SVG charts included) and of
  the matching API call.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(pg_url: str | None, data_dir: str = "", reuse_pg: bool = False) -> bool:
    """Prepare the database; True when an earlier run's data set is reused."""
    reuse = bool(data_dir) and (Path(data_dir) / "unstuck.sqlite3").exists() and not pg_url
    os.environ["UNSTUCK_DATA_DIR"] = data_dir or tempfile.mkdtemp(prefix="insights-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unstuck.settings")
    os.environ["UNSTUCK_SQLITE_SYNCHRONOUS"] = "OFF"
    if pg_url:
        if urlsplit(pg_url).hostname not in ("127.0.0.1", "localhost"):
            raise SystemExit("only a local PostgreSQL")
        import psycopg

        with psycopg.connect(pg_url, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = 'bench_insights'"
            ).fetchone()
            reuse = bool(reuse_pg and exists)
            if not reuse:
                conn.execute("DROP DATABASE IF EXISTS bench_insights")
                conn.execute("CREATE DATABASE bench_insights")
        os.environ["DATABASE_URL"] = pg_url.rsplit("/", 1)[0] + "/bench_insights"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return reuse


def generate(
    ws, n: int, *, seed: int = 1, days: int = 56, offset: int = 0, stored_now: bool = False
) -> int:
    from unstuck.accounts.models import Person
    from unstuck.content.models import Unit
    from unstuck.lrs import profile as P
    from unstuck.lrs.models import Statement

    rng = random.Random(seed)
    people = list(Person.objects.filter(workspace=ws))
    units = [str(u) for u in Unit.objects.filter(workspace=ws).values_list("id", flat=True)]
    tasks = [
        ("log-call", "/crm/calls/new/", 95_000, "outcome"),
        ("create-opportunity", "/crm/opportunities/new/", 210_000, "close_date"),
        ("update-forecast", "/crm/forecast/", 260_000, "amount"),
    ]
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - timedelta(days=days)
    batch: list[Statement] = []
    made = 0
    now = datetime.now(UTC)

    def add(person, verb, object_id, object_type, ts, **cols):
        nonlocal made
        data = cols.pop("data", {})
        batch.append(
            Statement(
                workspace=ws,
                statement_id=uuid.uuid4(),
                stored=now if stored_now else ts,
                timestamp=ts,
                verb_id=verb,
                object_id=object_id,
                object_type="Activity",
                actor_key=f"account:https://unstuck.dev/people/{ws.slug}|{person.external_id}",
                person=person,
                host_app="crm",
                data={"verb": {"id": verb}, "object": {"id": object_id}, **data},
                **cols,
            )
        )
        made += 1

    while made < n:
        person = rng.choice(people)
        ts = start + timedelta(seconds=rng.randint(0, days * 86400 - 3600))
        key, page, base, fld = rng.choice(tasks)
        session = f"b{offset}-{made}"
        common = {"page": page, "task": key, "session_id": session}
        obj = P.task_activity_id("crm", key)
        if rng.random() < 0.3:
            unit = rng.choice(units)
            add(
                person,
                P.VERB_EXPERIENCED,
                P.unit_activity_id(unit),
                P.ACTIVITY_UNIT,
                ts,
                unit_id=unit,
                duration_ms=rng.randint(60, 200) * 1000,
                **common,
            )
            ts += timedelta(seconds=90)
        add(person, P.VERB_STARTED, obj, P.ACTIVITY_TASK, ts, **common)
        if rng.random() < 0.2:
            add(
                person,
                P.VERB_ENCOUNTERED_ERROR,
                P.page_activity_id("crm", page),
                P.ACTIVITY_PAGE,
                ts,
                field=fld,
                **common,
            )
        if rng.random() < 0.1:
            add(
                person,
                P.VERB_REQUESTED_HELP,
                P.page_activity_id("crm", page),
                P.ACTIVITY_PAGE,
                ts,
                field=fld,
                **common,
            )
            add(
                person,
                P.VERB_SEARCHED,
                f"{P.PROFILE_BASE}/search",
                P.ACTIVITY_SEARCH,
                ts,
                **common,
                data={"context": {"extensions": {P.EXT_RESULTS: rng.randint(0, 3)}}},
            )
        ms = int(base * rng.lognormvariate(0, 0.35))
        ts += timedelta(milliseconds=ms)
        add(
            person,
            P.VERB_COMPLETED,
            obj,
            P.ACTIVITY_TASK,
            ts,
            success=True,
            duration_ms=ms,
            **common,
        )
        if rng.random() < 0.15:
            add(
                person,
                P.VERB_RATED,
                f"{P.PROFILE_BASE}/pulses/confidence",
                P.ACTIVITY_SURVEY,
                ts,
                **common,
                data={"result": {"extensions": {P.RESULT_EXT_CONFIDENCE: rng.randint(1, 5)}}},
            )
        if len(batch) >= 5000:
            Statement.objects.bulk_create(batch)
            batch.clear()
    if batch:
        Statement.objects.bulk_create(batch)
    return made


def timed(fn, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument(
        "--postgres", default="", help="e.g. postgres://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument(
        "--data-dir", default="", help="SQLite: keep the data set here; reuse it when present"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="PostgreSQL: reuse bench_insights if present"
    )
    opts = parser.parse_args()
    reuse = setup(opts.postgres or None, opts.data_dir, opts.reuse)

    from django.db import connection
    from django.test import Client

    from unstuck.accounts.services import (
        add_member,
        create_host_app,
        create_person,
        create_user,
        create_workspace,
    )
    from unstuck.content.models import Unit
    from unstuck.insights.services import build_rollups, create_pilot, create_task

    if reuse:
        from unstuck.accounts.models import Workspace
        from unstuck.insights.models import Pilot
        from unstuck.lrs.models import Statement

        ws = Workspace.objects.get(slug="bench")
        user = ws.memberships.get().user
        pilot = Pilot.objects.get(workspace=ws)
        made, insert_s = Statement.objects.filter(workspace=ws).count() - 10_000, 0.0
        began = time.perf_counter()
        build_rollups(workspace=ws, rebuild=True)
        rebuild_s = time.perf_counter() - began
        incremental_s = 0.0
    else:
        ws = create_workspace(name="Bench", slug="bench")
        create_host_app(workspace=ws, name="CRM", slug="crm")
        teams = ["Sales", "Support", "PM", "New hires", "Ops"]
        for i in range(200):
            create_person(
                workspace=ws, external_id=f"p{i:03}", name=f"Person {i}", team=teams[i % 5]
            )
        for i in range(12):
            Unit.objects.create(
                workspace=ws,
                slug=f"u{i}",
                kind="guide",
                title=f"Unit {i}",
                status="published",
                duration_s=150,
            )
        tasks = [
            create_task(workspace=ws, host_app="crm", key=k, name=k)
            for k in ("log-call", "create-opportunity", "update-forecast")
        ]
        user = create_user(email="owner@bench.example", password="bench-password-1")
        add_member(workspace=ws, user=user, role="owner")
        today = datetime.now(UTC).date()
        pilot = create_pilot(
            workspace=ws,
            data={
                "name": "Bench pilot",
                "starts_on": today - timedelta(days=28),
                "ends_on": today + timedelta(days=7),
                "group_teams": ["Sales"],
                "control_mode": "random",
                "task_ids": [str(t.pk) for t in tasks],
            },
        )

        from django.db import transaction

        began = time.perf_counter()
        with transaction.atomic():
            made = generate(ws, opts.statements)
        insert_s = time.perf_counter() - began
        began = time.perf_counter()
        build_rollups(workspace=ws, rebuild=True)
        rebuild_s = time.perf_counter() - began
        generate(ws, 10_000, seed=2, days=2, offset=1, stored_now=True)
        began = time.perf_counter()
        build_rollups(workspace=ws)
        incremental_s = time.perf_counter() - began

    client = Client()
    client.force_login(user)
    pages = {
        "overview": ("/insights/bench/", "/api/v1/insights/overview"),
        "stuck points": ("/insights/bench/stuck-points/", "/api/v1/insights/stuck-points"),
        "units": ("/insights/bench/units/", "/api/v1/insights/units"),
        "learning time": ("/insights/bench/learning-time/", "/api/v1/insights/learning-time"),
        "pilot report": (
            f"/insights/bench/pilots/{pilot.pk}/",
            f"/api/v1/insights/pilots/{pilot.pk}/report",
        ),
        "pilots list": ("/insights/bench/pilots/", "/api/v1/insights/pilots"),
    }
    results = {}
    for name, (page, api) in pages.items():
        for url in (page, api):
            response = client.get(url, HTTP_X_UNSTUCK_WORKSPACE="bench")
            assert response.status_code == 200, (url, response.status_code)
        results[name] = {
            "page_ms": round(timed(lambda p=page: client.get(p)), 1),
            "api_ms": round(
                timed(lambda a=api: client.get(a, HTTP_X_UNSTUCK_WORKSPACE="bench")), 1
            ),
        }
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "statements": made + 10_000,
                "insert_s": round(insert_s, 1),
                "rollup_rebuild_s": round(rebuild_s, 1),
                "rollup_incremental_10k_s": round(incremental_s, 2),
                "dashboards": results,
            },
            indent=2,
        )
    )
    if opts.postgres:
        connection.close()


if __name__ == "__main__":
    main()
