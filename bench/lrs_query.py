"""xAPI queries: p50/p99 of filtered statement GETs with paging, at 100k and 1M statements.

    .venv/bin/python bench/lrs_query.py [--engine sqlite|postgres] [--sizes 100000,1000000]
        [--requests 200] [--reuse]

Builds a fresh database (temporary SQLite file, or a scratch PostgreSQL database
`unstuck_bench_lrs_q`, dropped at the end), fills it with statements inserted directly in
bulk (the data set, not the ingestion path: 2,000 agents, 20 verbs, 5,000 activities in
50 courses, a registration per 10 statements, a year of `stored` times), vacuums and
analyzes it as autovacuum would, then times GET
/xapi/statements through Django's full request stack (HTTP Basic auth, filters, JSON;
no socket) for each query shape below, and the same query's second page through its
`more` link. Prints p50/p99 in milliseconds per shape and size. A few minutes in all.

With --reuse each size gets its own database that is kept for the next run
(`unstuck_bench_lrs_q_<size>`, or a SQLite file under $TMPDIR/unstuck-bench-lrs-q-sqlite-<size>/):
a run finds it filled and only migrates, vacuums and times, so queries and indexes can be
iterated on without the 7-9 minute 1M fill. Drop them by hand when done (3 GB at 1M).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
AGENTS, VERBS, ACTIVITIES, COURSES = 2000, 20, 5000, 50
HOME = "https://lms.example.com"


def verb(i: int) -> str:
    return f"http://adlnet.gov/expapi/verbs/v{i}"


def activity(i: int) -> str:
    return f"https://content.example.com/activities/a{i}"


def course(i: int) -> str:
    return f"https://content.example.com/courses/c{i}"


def fill(workspace, start: int, count: int, authority_key: str) -> None:
    """Insert statements [start, start+count) directly (no validation: this is the data set)."""
    from django.db import connection, transaction

    from unstuck.lrs.models import Statement, StatementActivity, StatementAgent, key_hash
    from unstuck.lrs.services import _STATEMENT_COLUMNS, _db_uuid

    ops = connection.ops
    sqlite = connection.vendor == "sqlite"
    base = datetime(2024, 1, 1, tzinfo=UTC)
    ws = _db_uuid(workspace.pk)
    cols = ("id", *_STATEMENT_COLUMNS)
    placeholders = ", ".join("%s" if sqlite or c != "data" else "%s::jsonb" for c in cols)
    sql = f"INSERT INTO {Statement._meta.db_table} ({', '.join(cols)}) VALUES ({placeholders})"
    sa_sql = (
        f"INSERT INTO {StatementActivity._meta.db_table} "
        "(workspace_id, statement_id, activity_id, key_hash, stored) VALUES (%s, %s, %s, %s, %s)"
    )
    sg_sql = (
        f"INSERT INTO {StatementAgent._meta.db_table} "
        "(workspace_id, statement_id, agent_key, key_hash, stored, verb_hash) "
        "VALUES (%s, %s, %s, %s, %s, %s)"
    )
    rnd = random.Random(start)
    step = 10_000
    for chunk in range(start, start + count, step):
        rows, sa, sg = [], [], []
        reg = None
        for i in range(chunk, min(chunk + step, start + count)):
            a, v, act = rnd.randrange(AGENTS), rnd.randrange(VERBS), rnd.randrange(ACTIVITIES)
            crs = act % COURSES
            if i % 10 == 0:
                reg = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
            sid = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
            stored = base + timedelta(seconds=i * 30)
            actor_key = f"account:{HOME}|u{a}"
            data = {
                "id": sid,
                "actor": {"account": {"homePage": HOME, "name": f"u{a}"}},
                "verb": {"id": verb(v)},
                "object": {"id": activity(act)},
                "context": {
                    "registration": reg,
                    "contextActivities": {"parent": [{"id": course(crs)}]},
                },
                "result": {"success": bool(i % 3)},
                "timestamp": stored.isoformat(),
                "stored": stored.isoformat(),
                "version": "1.0.0",
                "authority": {"account": {"homePage": "https://unstuck.dev/keys", "name": "bench"}},
            }
            t = ops.adapt_datetimefield_value(stored) if sqlite else stored
            rows.append(
                (
                    i + 1,
                    ws,
                    _db_uuid(sid),
                    t,
                    t,
                    verb(v),
                    activity(act),
                    "Activity",
                    None,  # object_ref
                    actor_key,
                    authority_key,
                    None,
                    _db_uuid(reg),
                    False,
                    False,
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    bool(i % 3),
                    None,
                    None,
                    None,
                    False,
                    json.dumps(data),
                )
            )
            sa += [
                (ws, i + 1, activity(act), key_hash(workspace.pk, activity(act)), t),
                (ws, i + 1, course(crs), key_hash(workspace.pk, course(crs)), t),
            ]
            verb_hash = key_hash(workspace.pk, verb(v))
            sg += [
                (ws, i + 1, actor_key, key_hash(workspace.pk, actor_key), t, verb_hash),
                (ws, i + 1, authority_key, key_hash(workspace.pk, authority_key), t, verb_hash),
            ]
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(sql, rows)
            cur.executemany(sa_sql, sa)
            cur.executemany(sg_sql, sg)


def shapes(rnd: random.Random) -> dict[str, dict]:
    agent = json.dumps({"account": {"homePage": HOME, "name": f"u{rnd.randrange(AGENTS)}"}})
    return {
        "latest page": {"limit": 50},
        "verb": {"verb": verb(rnd.randrange(VERBS)), "limit": 50},
        "agent": {"agent": agent, "limit": 50},
        "activity": {"activity": activity(rnd.randrange(ACTIVITIES)), "limit": 50},
        "course, related": {
            "activity": course(rnd.randrange(COURSES)),
            "related_activities": "true",
            "limit": 50,
        },
        "agent, related": {"agent": agent, "related_agents": "true", "limit": 50},
        "agent+verb+since": {
            "agent": agent,
            "verb": verb(rnd.randrange(VERBS)),
            "since": "2024-03-01T00:00:00Z",
            "limit": 25,
        },
        "since..until asc": {
            "since": "2024-02-01T00:00:00Z",
            "until": "2024-02-15T00:00:00Z",
            "ascending": "true",
            "limit": 100,
        },
    }


def run(sizes: list[int], requests: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unstuck.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    from unstuck.accounts.models import ApiKey, Workspace
    from unstuck.accounts.services import create_api_key, create_workspace
    from unstuck.lrs.models import Statement
    from unstuck.lrs.services import key_authority
    from unstuck.lrs.validation import agent_key

    ws = Workspace.objects.filter(slug="bench").first() or create_workspace(
        name="Bench", slug="bench"
    )
    first_key = ApiKey.objects.filter(workspace=ws).order_by("pk").first()
    key, secret = create_api_key(workspace=ws, name="bench", scopes=["all"])
    # A kept data set's statements name the first run's key as authority.
    authority = agent_key(key_authority((first_key or key).key_id))
    headers = {
        "HTTP_AUTHORIZATION": "Basic "
        + base64.b64encode(f"{key.key_id}:{secret}".encode()).decode(),
        "HTTP_X_EXPERIENCE_API_VERSION": "1.0.3",
    }
    client = Client()
    have = Statement.objects.filter(workspace=ws).count()
    for size in sizes:
        if have > size:
            raise SystemExit(f"The database already holds {have:,} statements, more than {size:,}.")
        start = time.perf_counter()
        fill(ws, have, size - have, authority)
        filled = f"filled in {time.perf_counter() - start:.0f} s" if size > have else "reused"
        have = size
        with connection.cursor() as cur:
            # What autovacuum does in production after a million inserts: statistics, and
            # on PostgreSQL the visibility map (index-only scans) and hint bits; without it
            # every first read of a page writes it and index-only scans visit the heap.
            cur.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
        print(f"## {size:,} statements ({filled})")
        print(
            f"{'query':<20} {'p50 ms':>8} {'p99 ms':>8} {'page 2 p50':>11} {'page 2 p99':>11} {'rows':>6}"
        )
        rnd = random.Random(7)
        for params in shapes(random.Random(1)).values():  # warm up: imports, caches
            client.get("/xapi/statements?" + urlencode(params), **headers)
        timings: dict[str, list[float]] = {}
        more_timings: dict[str, list[float]] = {}
        rows_seen: dict[str, int] = {}
        for _ in range(requests):
            for name, params in shapes(rnd).items():
                t0 = time.perf_counter()
                r = client.get("/xapi/statements?" + urlencode(params), **headers)
                timings.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, r.content[:300]
                body = r.json()
                rows_seen[name] = rows_seen.get(name, 0) + len(body["statements"])
                if body["more"]:
                    t0 = time.perf_counter()
                    r2 = client.get(body["more"], **headers)
                    more_timings.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
                    assert r2.status_code == 200
        for name, values in timings.items():
            more = more_timings.get(name, [0.0])
            print(
                f"{name:<20} {pct(values, 50):>8.1f} {pct(values, 99):>8.1f} {pct(more, 50):>11.1f} "
                f"{pct(more, 99):>11.1f} {rows_seen[name] // requests:>6}"
            )
        sys.stdout.flush()


def pct(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return (
        statistics.quantiles(values, n=100, method="inclusive")[p - 1] if p < 100 else max(values)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep one database per size between runs and skip the fill when it is full",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        run(sizes, args.requests)
        return
    print(
        f"# xAPI statement queries on {args.engine}; {os.cpu_count()} cores; {args.requests} requests per shape"
    )
    if args.reuse:
        # One kept database per size: a 1M data set cannot answer for 100k.
        rc = 0
        for size in sizes:
            data = Path(tempfile.gettempdir()) / f"unstuck-bench-lrs-q-{args.engine}-{size}"
            data.mkdir(exist_ok=True)
            rc = rc or run_child(args, [size], str(data), f"unstuck_bench_lrs_q_{size}", keep=True)
        raise SystemExit(rc)
    with tempfile.TemporaryDirectory(prefix="lrs-qbench-") as data:
        raise SystemExit(run_child(args, sizes, data, "unstuck_bench_lrs_q", keep=False))


def run_child(args: argparse.Namespace, sizes: list[int], data: str, db: str, *, keep: bool) -> int:
    """Run the timings in a child process with its own data folder and database."""
    env = {**os.environ, "UNSTUCK_DATA_DIR": data}
    env.pop("DATABASE_URL", None)
    if args.engine == "postgres":
        import psycopg

        with psycopg.connect(args.pg, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone()
            if not keep:
                conn.execute(f"DROP DATABASE IF EXISTS {db}")
            if not (keep and exists):
                conn.execute(f"CREATE DATABASE {db}")
        env["DATABASE_URL"] = args.pg.rsplit("/", 1)[0] + "/" + db
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            "--sizes",
            ",".join(map(str, sizes)),
            "--requests",
            str(args.requests),
        ],
        env=env,
        cwd=ROOT,
        timeout=3000,
    )
    if args.engine == "postgres" and not keep:
        with psycopg.connect(args.pg, autocommit=True) as conn:  # 3 GB at 1M: do not keep it
            conn.execute(f"DROP DATABASE IF EXISTS {db}")
    return done.returncode


if __name__ == "__main__":
    main()
