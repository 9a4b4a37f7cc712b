"""Search and ranking latency at 10,000 and 100,000 units, detector throughput, MRR@5.

    .venv/bin/python bench/guidance_search.py [--sizes 10000,100000] [--queries 300] [--postgres URL]
        [--reuse] [--profile] [--no-detectors]

Creates a fresh database (a SQLite file in a temporary folder, or the PostgreSQL
database `bench_guidance` on the given server -- 127.0.0.1 only), bulk-creates N
published units of ~80 words, indexes them, then prints p50/p99 of:

- search: `guidance.services.search_units` (2-word queries, 1 in 10 with a typo,
  1 in 10 a 3-letter prefix), snippets included;
- ranking: `guidance.ranking.rank` for a request with a host app, URL, field and query.

`--reuse` keeps the database of an earlier run (PostgreSQL only; a SQLite file lives in
a temporary folder) and only adds the units it lacks, so `--sizes 100000 --reuse` times
the 100,000-unit corpus again without rebuilding it. The random stream of the existing
units is replayed, so the queries are the same as in a fresh run. `--profile` prints,
per operation, the SQL statements per call and the share of the time spent in them, and
the slowest statements (EXPLAIN them by hand).

Two corpora (`--corpus`):

- `prose` (default): words Zipf-distributed over a 50,000-word vocabulary with the 100
  most frequent ranks removed -- in real prose those are stop words, which the index
  drops -- so the most common indexed word is in ~12% of units, as "opportunity" might be
  in a CRM workspace.
- `harsh`: Zipf over only 6,000 words with no stop-word head: the most common word is
  ~11% of all words and in every unit, the top ten in most. A worst case for any engine
  that scores every match.

Queries are drawn the same way for both: the first word from the 400 most common, the
second from the 3,000 most common.

Then detector throughput (statements/s through `guidance.services.on_statements` in
batches of 10, as the widget sends them) over two streams: `realistic` (mostly task,
unit and quiz events; 5% errors, 3% searches) and `errors` (40% errors: a detection on
most batches), and MRR@5 of ranking vs plain BM25 on the demo content (SQLite only).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(pg_url: str | None, reuse: bool = False) -> None:
    os.environ["UNSTUCK_DATA_DIR"] = tempfile.mkdtemp(prefix="guidance-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unstuck.settings")
    os.environ["UNSTUCK_SQLITE_SYNCHRONOUS"] = "OFF"
    if pg_url:
        parts = urlsplit(pg_url)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            sys.exit("--postgres must point at 127.0.0.1")
        os.environ["DATABASE_URL"] = parts._replace(path="/bench_guidance").geturl()
        import psycopg

        with psycopg.connect(pg_url, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = 'bench_guidance'"
            ).fetchone()
            if not (reuse and exists):
                conn.execute("DROP DATABASE IF EXISTS bench_guidance")
                conn.execute("CREATE DATABASE bench_guidance")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "te",
    "vo",
    "zi",
    "pe",
    "qu",
    "dor",
    "lin",
    "mar",
    "sen",
    "tal",
]


def vocabulary(rng: random.Random, n: int = 6000) -> list[str]:
    """n distinct words, the CRM words first (the most common)."""
    words = [
        "opportunity",
        "stage",
        "close",
        "date",
        "amount",
        "forecast",
        "call",
        "ticket",
        "escalate",
        "customer",
        "quote",
        "discount",
        "pipeline",
        "sprint",
        "goal",
        "contact",
        "account",
        "approval",
    ]
    seen = set(words)
    while len(words) < n:
        w = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def zipf_words(rng: random.Random, vocab: list[str], k: int, cum_weights: list[float]) -> list[str]:
    # Cumulative weights computed once: choices() draws the same numbers as with
    # `weights=`, without summing 50,000 weights per call.
    return rng.choices(vocab, cum_weights=cum_weights, k=k)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def replay(rng, n: int, vocab, cum_weights) -> None:
    """Draw what building n units draws, so a reused corpus gets the same queries."""
    for _ in range(n):
        zipf_words(rng, vocab, 5, cum_weights)
        zipf_words(rng, vocab, 80, cum_weights)


def build(workspace, n: int, have: int, rng, vocab, cum_weights) -> None:
    from unstuck.content.models import Unit
    from unstuck.guidance import search

    if n <= have:
        return
    batch = []
    for i in range(have, n):
        title = " ".join(zipf_words(rng, vocab, 5, cum_weights)).capitalize()
        body = " ".join(zipf_words(rng, vocab, 80, cum_weights)) + "."
        batch.append(
            Unit(
                workspace=workspace,
                slug=f"u{i}",
                kind="guide",
                title=title,
                summary=body[:120],
                body_md=body,
                payload={"steps": [{"title": "Step", "body": body[:200]}]},
                status="published",
                duration_s=120,
            )
        )
        if len(batch) == 2000:
            Unit.objects.bulk_create(batch)
            search.index_units(batch)
            batch = []
    if batch:
        Unit.objects.bulk_create(batch)
        search.index_units(batch)
    # Mark the index in sync with the content version (as after a lazy sync) without
    # indexing the new units a second time.
    from django.utils import timezone

    from unstuck.guidance.models import SearchIndexState

    workspace.refresh_from_db()
    SearchIndexState.objects.filter(workspace=workspace).update(
        content_version=workspace.content_version, synced_at=timezone.now()
    )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does after a bulk load
            cursor.execute("ANALYZE guidance_searchdoc")


def typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :]


def queries(rng, vocab, cum_weights, count):
    out = []
    common = vocab[:400]
    for i in range(count):
        a, b = rng.choice(common), rng.choice(vocab[:3000])
        if i % 10 == 0:
            a = typo(rng, a) if len(a) > 4 else a
        elif i % 10 == 1:
            a = a[:3]
        out.append(f"{a} {b}")
    return out


def profile(label: str, call, qs: list[str], *, fresh: bool = False) -> None:
    """SQL statements per call, the share of time in SQL, and the slowest statements.

    With `fresh`, each call starts without the per-generation parsed queries and matches,
    as a query nobody asked since the last index change does; without, each call is
    made once before it is measured.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from unstuck.guidance import search

    statements, wall = [], 0.0
    for q in qs:
        if fresh:
            for state in search._states.values():
                state.parsed.clear()
                state.hits.clear()
        else:
            call(q)
        t = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            call(q)
        wall += time.perf_counter() - t
        statements += ctx.captured_queries
    sql_s = sum(float(s["time"]) for s in statements)
    print(
        f"         {label}: {len(statements) / len(qs):.1f} statements per call, "
        f"{sql_s / wall:.0%} of the time in SQL"
    )
    for s in sorted(statements, key=lambda s: -float(s["time"]))[:3]:
        print(f"           {float(s['time']) * 1000:6.1f} ms  {s['sql'][:160]}")


def profile_ops(workspace, qs: list[str]) -> None:
    from unstuck.guidance import ranking, services

    def rank(q: str) -> None:
        ranking.rank(
            workspace=workspace, host_app="crm", url="/crm/opportunities/7/", field="stage", query=q
        )

    profile(
        "search (new queries)",
        lambda q: services.search_units(workspace=workspace, query=q, record=False, limit=10),
        qs[:50],
        fresh=True,
    )
    profile("ranking (new queries, new field)", rank, qs[:50], fresh=True)
    profile("ranking (repeated queries)", rank, qs[:50])


def time_search(workspace, qs: list[str]) -> tuple[list[float], float]:
    from unstuck.guidance import services

    lat, hits = [], 0
    for q in qs:
        t = time.perf_counter()
        hits += bool(services.search_units(workspace=workspace, query=q, record=False, limit=10))
        lat.append((time.perf_counter() - t) * 1000)
    return lat, hits / len(qs)


def time_rank(workspace, qs: list[str]) -> list[float]:
    from unstuck.guidance import ranking

    lat = []
    for q in qs:
        t = time.perf_counter()
        ranking.rank(
            workspace=workspace, host_app="crm", url="/crm/opportunities/7/", field="stage", query=q
        )
        lat.append((time.perf_counter() - t) * 1000)
    return lat


def realistic_statement(rng, p, actor, units: list[str]):
    """One widget statement in roughly the mix a CRM session sends."""
    kind = rng.random()
    page = rng.choice(
        ["/crm/opportunities/7/", "/crm/opportunities/new/", "/crm/calls/new/", "/crm/forecast/"]
    )
    ctx = {p.EXT_HOST_APP: "crm", p.EXT_PAGE: page}
    task = rng.choice(["create-opportunity", "update-opportunity", "log-call"])
    if kind < 0.30:
        return p.statement(
            actor=actor,
            verb=p.VERB_STARTED,
            object_id=p.task_activity_id("crm", task),
            extensions={**ctx, p.EXT_TASK: task},
        )
    if kind < 0.55:
        return p.statement(
            actor=actor,
            verb=p.VERB_COMPLETED,
            object_id=p.task_activity_id("crm", task),
            result={
                "success": rng.random() < 0.9,
                "extensions": {p.RESULT_EXT_DURATION_MS: rng.randint(30_000, 90_000)},
            },
            extensions={**ctx, p.EXT_TASK: task},
        )
    if kind < 0.70:
        return p.statement(
            actor=actor,
            verb=p.VERB_EXPERIENCED,
            object_id=p.unit_activity_id(rng.choice(units)),
            extensions=ctx,
        )
    if kind < 0.80:
        return p.statement(
            actor=actor,
            verb=p.VERB_PROGRESSED,
            object_id=p.unit_activity_id(rng.choice(units)),
            extensions=ctx,
        )
    if kind < 0.86:
        return p.statement(
            actor=actor,
            verb=p.VERB_ANSWERED,
            object_id=p.unit_activity_id(rng.choice(units)),
            result={"success": rng.random() < 0.8},
            extensions=ctx,
        )
    if kind < 0.90:
        return p.statement(
            actor=actor,
            verb=p.VERB_RATED,
            object_id=p.unit_activity_id(rng.choice(units)),
            extensions=ctx,
        )
    if kind < 0.95:
        return p.statement(
            actor=actor,
            verb=p.VERB_ENCOUNTERED_ERROR,
            object_id=p.page_activity_id("crm", page),
            extensions={
                **ctx,
                p.EXT_FIELD: rng.choice(["stage", "amount", "close_date"]),
                p.EXT_ERROR_CODE: "E1",
                p.EXT_TASK: task,
            },
        )
    if kind < 0.98:
        return p.statement(
            actor=actor,
            verb=p.VERB_SEARCHED,
            object_id=f"{p.PROFILE_BASE}/search",
            extensions={**ctx, p.EXT_QUERY: rng.choice(["stage", "close date", "discount"])},
        )
    return p.statement(
        actor=actor,
        verb=p.VERB_REQUESTED_HELP,
        object_id=p.page_activity_id("crm", page),
        extensions=ctx,
    )


def detector_throughput(
    workspace, rng, seconds: float = 15.0, stream: str = "errors"
) -> tuple[int, float]:
    from unstuck.accounts.models import Person
    from unstuck.guidance import services
    from unstuck.lrs import profile as p

    people = [
        Person.objects.get_or_create(
            workspace=workspace, external_id=f"bench{i}", defaults={"name": f"B{i}"}
        )[0]
        for i in range(50)
    ]
    units = [str(u) for u in workspace_unit_ids(workspace)]
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        person = rng.choice(people)
        actor = p.actor_for_person(person)
        batch = []
        for _ in range(10):
            if stream == "realistic":
                batch.append(realistic_statement(rng, p, actor, units))
                continue
            kind = rng.random()
            if kind < 0.4:
                batch.append(
                    p.statement(
                        actor=actor,
                        verb=p.VERB_ENCOUNTERED_ERROR,
                        object_id=p.page_activity_id("crm", "/x"),
                        extensions={
                            p.EXT_HOST_APP: "crm",
                            p.EXT_PAGE: "/crm/opportunities/1/",
                            p.EXT_FIELD: rng.choice(["stage", "amount", "close_date"]),
                            p.EXT_ERROR_CODE: "E1",
                        },
                    )
                )
            elif kind < 0.6:
                batch.append(
                    p.statement(
                        actor=actor,
                        verb=p.VERB_COMPLETED,
                        object_id=p.task_activity_id("crm", "t"),
                        result={
                            "success": True,
                            "extensions": {p.RESULT_EXT_DURATION_MS: rng.randint(30_000, 90_000)},
                        },
                        extensions={p.EXT_HOST_APP: "crm", p.EXT_TASK: "create-opportunity"},
                    )
                )
            else:
                batch.append(
                    p.statement(
                        actor=actor,
                        verb=p.VERB_EXPERIENCED,
                        object_id=p.unit_activity_id("x"),
                        extensions={p.EXT_HOST_APP: "crm", p.EXT_PAGE: "/crm/forecast/"},
                    )
                )
        services.on_statements(workspace=workspace, person=person, statements=batch)
        done += len(batch)
    return done, done / (time.perf_counter() - start)


def workspace_unit_ids(workspace) -> list:
    from unstuck.content.models import Unit

    return list(Unit.objects.filter(workspace=workspace).values_list("id", flat=True)[:200])


def mrr() -> tuple[float, float]:
    from unstuck.demo.services import load_demo_workspace
    from unstuck.guidance.eval.mrr import evaluate

    ws = load_demo_workspace()
    return evaluate(ws)["mrr"], evaluate(ws, baseline=True)["mrr"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--postgres", default="")
    ap.add_argument("--corpus", choices=["prose", "harsh"], default="prose")
    ap.add_argument("--reuse", action="store_true", help="keep an earlier run's database")
    ap.add_argument("--profile", action="store_true", help="statements per call, SQL share")
    ap.add_argument("--no-detectors", action="store_true", help="skip detector throughput")
    args = ap.parse_args()
    setup(args.postgres or None, reuse=args.reuse)
    from unstuck.wsgi import freeze_startup_objects

    freeze_startup_objects()  # as `unstuck serve` does: full collections skip startup objects
    from django.db import connection

    from unstuck.accounts.services import create_workspace

    rng = random.Random(42)
    if args.corpus == "harsh":
        vocab = vocabulary(rng)
        cum_weights = list(itertools.accumulate(1.0 / (i + 1) for i in range(len(vocab))))
    else:
        vocab = vocabulary(rng, 50_000)
        cum_weights = list(itertools.accumulate(1.0 / (i + 101) for i in range(len(vocab))))
    from unstuck.accounts.models import Workspace
    from unstuck.content.models import Unit

    ws = Workspace.objects.filter(slug="bench").first() if args.reuse else None
    ws = ws or create_workspace(name="Bench", slug="bench")
    existing = Unit.objects.filter(workspace=ws).count()
    print(f"engine: {connection.vendor}, corpus: {args.corpus}, reused units: {existing}")
    have = 0
    for n in [int(x) for x in args.sizes.split(",")]:
        if existing > n:
            sys.exit(f"the reused database has {existing} units, more than {n}")
        t = time.perf_counter()
        replay(rng, min(existing, n) - have, vocab, cum_weights)
        have = max(have, min(existing, n))
        build(ws, n, have, rng, vocab, cum_weights)
        have = n
        ws.refresh_from_db()
        print(f"{n:>7} units: indexed in {time.perf_counter() - t:.1f} s (cumulative build)")
        qs = queries(rng, vocab, cum_weights, args.queries)
        time_search(ws, qs[:20])  # warm caches (vocabulary, statements)
        lat, found = time_search(ws, qs)
        print(
            f"         search  p50 {statistics.median(lat):6.2f} ms  p99 {pct(lat, 0.99):6.2f} ms  "
            f"({found:.0%} of queries found something)"
        )
        lat = time_rank(ws, qs)
        print(
            f"         ranking p50 {statistics.median(lat):6.2f} ms  p99 {pct(lat, 0.99):6.2f} ms"
        )
        if args.profile:
            profile_ops(ws, qs)
    for stream in () if args.no_detectors else ("realistic", "errors"):
        count, rate = detector_throughput(ws, rng, stream=stream)
        print(
            f"detectors ({stream} stream): {count} statements through on_statements, {rate:,.0f} statements/s"
        )
    if connection.vendor == "sqlite":
        ours, bm25 = mrr()
        print(f"MRR@5 on {63} demo situations: ranking {ours:.3f}, plain BM25 {bm25:.3f}")


if __name__ == "__main__":
    main()
