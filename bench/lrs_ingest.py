"""xAPI ingestion: statements per second for batches of 1, 50 and 500.

    .venv/bin/python bench/lrs_ingest.py [--engine sqlite|postgres|both] [--pg postgres://postgres@127.0.0.1:5432/postgres]

Each engine gets a fresh database (a temporary SQLite file with the project's settings:
WAL, synchronous=FULL; or a scratch PostgreSQL database `unstuck_bench_lrs`). For each
batch size, statements in the Unstuck profile (actor, verb, activity with a definition,
context extensions, result) are sent two ways:

- `http`:    POST /xapi/statements through Django's full request stack (auth, JSON
             parsing, validation, storage; no socket), one request per batch;
- `service`: lrs.services.record_statements directly (what Unstuck's own apps call).

Every batch is its own transaction (commit + fsync). Prints statements/s (wall clock)
and statements per CPU-second of the benchmark process (SQLite's work runs inside it;
PostgreSQL's server work does not), which shows the cost apart from other load on the
machine and from fsync waits.
Bounded: about a minute per engine.

    .venv/bin/python bench/lrs_ingest.py --server [--engine sqlite] [--workers 2] [--clients 4]
        [--preload 0,100000,1000000]

measures the deployment instead: `unstuck serve` (granian, `--workers` processes) on a
fresh database, and `--clients` processes each POSTing batches of 500 over keep-alive HTTP
on 127.0.0.1 back to back (bodies built before the clock starts). Prints statements/s over
the wall clock of the whole run and each request's p50/p99, and on SQLite the server
processes' CPU time per 1,000 statements and bytes written to storage per statement (from
/proc: figures that do not move with other load on the machine, unlike statements/s). Every acknowledged batch is
committed with synchronous=FULL, as in production. `--preload` first fills the database
with bench/lrs_query.py's data set (100,000 takes ~20 s on SQLite, 1,000,000 ~3 min), to
show how ingestion slows as the indexes grow.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAN = [(1, 400), (50, 5000), (500, 20000)]  # (batch size, statements sent)


def statements(n: int, seq: int) -> list[dict]:
    out = []
    for i in range(n):
        k = seq + i
        out.append(
            {
                "id": str(uuid.uuid4()),
                "actor": {
                    "objectType": "Agent",
                    "account": {
                        "homePage": "https://unstuck.dev/people/bench",
                        "name": f"p{k % 500}",
                    },
                },
                "verb": {
                    "id": "http://adlnet.gov/expapi/verbs/experienced",
                    "display": {"en-US": "experienced"},
                },
                "object": {
                    "objectType": "Activity",
                    "id": f"https://unstuck.dev/xapi/units/u{k % 200}",
                    "definition": {
                        "type": "https://unstuck.dev/xapi/activities/unit",
                        "name": {"en-US": f"Unit {k % 200}"},
                    },
                },
                "result": {"success": True, "duration": "PT42S"},
                "context": {
                    "platform": "Unstuck",
                    "registration": str(uuid.uuid4()),
                    "contextActivities": {"category": [{"id": "https://unstuck.dev/xapi/profile"}]},
                    "extensions": {
                        "https://unstuck.dev/xapi/extensions/host-app": "crm",
                        "https://unstuck.dev/xapi/extensions/page": f"/page/{k % 30}",
                        "https://unstuck.dev/xapi/extensions/field": "stage",
                    },
                },
                "timestamp": "2025-03-04T09:15:00.000Z",
            }
        )
    return out


def _bench_workspace():
    """Set Django up in this (child) process, migrate its fresh database, and create the
    bench workspace with a full-scope key: (workspace, key, secret)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unstuck.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from unstuck.accounts.services import create_api_key, create_workspace

    ws = create_workspace(name="Bench", slug="bench")
    key, secret = create_api_key(workspace=ws, name="bench", scopes=["all"])
    return ws, key, secret


def _basic(key_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key_id}:{secret}".encode()).decode()


def run_engine() -> None:
    """Runs inside a child process whose environment selects the database."""
    ws, key, secret = _bench_workspace()
    from django.test import Client

    from unstuck.lrs.services import record_statements
    from unstuck.wsgi import freeze_startup_objects

    freeze_startup_objects()  # as `unstuck serve` does
    client = Client()
    headers = {
        "HTTP_AUTHORIZATION": _basic(key.key_id, secret),
        "HTTP_X_EXPERIENCE_API_VERSION": "1.0.3",
    }
    seq = 0
    rows = []
    for how in ("http", "service"):
        for batch, total in PLAN:
            payloads = [statements(batch, seq + i * batch) for i in range(total // batch)]
            seq += total
            bodies = [json.dumps(p) for p in payloads] if how == "http" else None
            start, cpu_start = time.perf_counter(), time.process_time()
            if how == "http":
                for body in bodies:
                    r = client.post(
                        "/xapi/statements", body, content_type="application/json", **headers
                    )
                    assert r.status_code == 200, r.content[:300]
            else:
                for p in payloads:
                    record_statements(workspace=ws, statements=p)
            elapsed = time.perf_counter() - start
            cpu = time.process_time() - cpu_start
            rows.append(
                (how, batch, total, total / elapsed, elapsed / (total // batch) * 1000, total / cpu)
            )
    for how, batch, total, rate, ms, per_cpu_s in rows:
        print(
            json.dumps(
                {
                    "path": how,
                    "batch": batch,
                    "statements": total,
                    "per_s": round(rate),
                    "ms_per_request": round(ms, 2),
                    "per_cpu_s": round(per_cpu_s),
                }
            )
        )


def make_credentials(preload: int) -> None:
    """Runs in a child process: migrate a fresh database, print a workspace's key and secret;
    with `preload`, first fill the workspace with that many statements (bench/lrs_query.py's
    data set, inserted directly) so ingestion is measured into a database of that size."""
    ws, key, secret = _bench_workspace()
    if preload:
        from django.db import connection

        sys.path.insert(0, str(ROOT / "bench"))
        from lrs_query import fill

        from unstuck.lrs.services import key_authority
        from unstuck.lrs.validation import agent_key

        fill(ws, 0, preload, agent_key(key_authority(key.key_id, key.name)))
        with connection.cursor() as cur:
            cur.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM (ANALYZE)")
    print(json.dumps({"key": key.key_id, "secret": secret}))


def client(port: int, auth: str, bodies: list[bytes], start_at: float, out) -> None:
    """One client process: POST its bodies back to back over one keep-alive connection."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {
        "Authorization": auth,
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
    }
    while time.time() < start_at:
        time.sleep(0.001)
    latencies = []
    for body in bodies:
        t0 = time.perf_counter()
        conn.request("POST", "/xapi/statements", body=body, headers=headers)
        resp = conn.getresponse()
        answer = resp.read()
        if resp.status != 200:
            raise SystemExit(f"POST answered {resp.status}: {answer[:300]!r}")
        latencies.append(time.perf_counter() - t0)
    if os.environ.get("BENCH_DEBUG"):
        print([round(x * 1000) for x in latencies], file=sys.stderr)
    out.put((time.time(), latencies))


def _tree_usage(pid: int) -> tuple[float, float, int]:
    """CPU seconds (user, system) and bytes written to storage so far by process `pid` and
    its descendants (Linux /proc; zeros elsewhere): a measure of the server's work that
    does not depend on what else the machine is doing, unlike statements/s."""
    user = system = written = 0
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            user += int(fields[11])
            system += int(fields[12])
            for line in Path(f"/proc/{p}/io").read_text().splitlines():
                if line.startswith("write_bytes:"):
                    written += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return user / tick, system / tick, written


def run_server(
    engine: str, pg: str, workers: int, clients: int, batches: int, preload: int
) -> None:
    import multiprocessing as mp

    sys.path.insert(0, str(ROOT / "bench"))
    from _load import free_port, wait_up

    batch = 500
    with tempfile.TemporaryDirectory(prefix="lrs-bench-") as data:
        env = {**os.environ, "UNSTUCK_DATA_DIR": data}
        env.pop("DATABASE_URL", None)
        if engine == "postgres":
            url = _scratch_pg(pg)
            if url is None:
                raise SystemExit("postgres: not reachable")
            env["DATABASE_URL"] = url
        made = subprocess.run(
            [sys.executable, __file__, "--credentials", "--preload", str(preload)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        cred = json.loads(made.stdout.strip().splitlines()[-1])
        auth = _basic(cred["key"], cred["secret"])
        port = free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "unstuck"),
                "serve",
                "--no-migrate",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        try:
            wait_up(f"http://127.0.0.1:{port}/xapi/about")
            seq = 0
            per_client = []
            for _ in range(clients):
                bodies = []
                for _ in range(batches):
                    bodies.append(json.dumps(statements(batch, seq)).encode())
                    seq += batch
                per_client.append(bodies)
            # One warm-up batch per worker process (imports, connections, caches).
            warm = [
                json.dumps(statements(batch, seq + i * batch)).encode() for i in range(workers * 2)
            ]
            queue: mp.Queue = mp.Queue()
            client(port, auth, warm, 0, queue)
            queue.get()
            start_at = time.time() + 1.0
            usage_before = _tree_usage(server.pid)
            procs = [
                mp.Process(target=client, args=(port, auth, bodies, start_at, queue))
                for bodies in per_client
            ]
            for proc in procs:
                proc.start()
            results = [queue.get() for _ in procs]
            for proc in procs:
                proc.join()
            if any(proc.exitcode for proc in procs):
                raise SystemExit("a client failed")
            usage = [b - a for a, b in zip(usage_before, _tree_usage(server.pid), strict=True)]
        finally:
            server.terminate()
            server.wait(timeout=30)
    elapsed = max(end for end, _ in results) - start_at
    latencies = sorted(x for _, lat in results for x in lat)
    total = clients * batches * batch
    print(
        f"{engine}: {preload:,} stored before; {workers} worker(s), {clients} clients, "
        f"{total} statements in batches of "
        f"{batch}: {total / elapsed:,.0f} statements/s; request p50 "
        f"{latencies[len(latencies) // 2] * 1000:.0f} ms, p99 "
        f"{latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000:.0f} ms"
    )
    if engine == "sqlite":  # PostgreSQL's own work happens outside the server's processes
        print(
            f"  server CPU per 1,000 statements: {usage[0] * 1e6 / total:.0f} ms user, "
            f"{usage[1] * 1e6 / total:.0f} ms system; {usage[2] / total / 1024:.1f} KB "
            "written to storage per statement (WAL and checkpoints)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--server", action="store_true", help="measure `unstuck serve` over HTTP")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--batches", type=int, default=20, help="batches of 500 per client")
    parser.add_argument(
        "--preload",
        default="0",
        help="statements stored before measuring, comma-separated for several runs (--server)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--credentials", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_engine()
        return
    if args.credentials:
        make_credentials(int(args.preload))
        return
    if args.server:
        for engine in ["sqlite", "postgres"] if args.engine == "both" else [args.engine]:
            for preload in (int(n) for n in args.preload.split(",")):
                run_server(engine, args.pg, args.workers, args.clients, args.batches, preload)
        return
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    print(f"# xAPI ingestion, batches {[b for b, _ in PLAN]}; {os.cpu_count()} cores")
    for engine in engines:
        with tempfile.TemporaryDirectory(prefix="lrs-bench-") as data:
            env = {**os.environ, "UNSTUCK_DATA_DIR": data}
            env.pop("DATABASE_URL", None)
            if engine == "postgres":
                url = _scratch_pg(args.pg)
                if url is None:
                    print("# postgres: not reachable, skipped")
                    continue
                env["DATABASE_URL"] = url
            print(f"## {engine}")
            sys.stdout.flush()
            done = subprocess.run(
                [sys.executable, __file__, "--child"],
                env=env,
                cwd=ROOT,
                timeout=600,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                print(done.stderr[-2000:])
                raise SystemExit(1)
            print(
                f"{'path':<8} {'batch':>5} {'statements':>10} {'statements/s':>13} {'ms/request':>11} "
                f"{'per CPU-s':>10}"
            )
            for line in done.stdout.splitlines():
                row = json.loads(line)
                print(
                    f"{row['path']:<8} {row['batch']:>5} {row['statements']:>10} {row['per_s']:>13} "
                    f"{row['ms_per_request']:>11} {row['per_cpu_s']:>10}"
                )


def _scratch_pg(url: str) -> str | None:
    try:
        import psycopg
    except ImportError:
        return None
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=3) as conn:
            conn.execute("DROP DATABASE IF EXISTS unstuck_bench_lrs")
            conn.execute("CREATE DATABASE unstuck_bench_lrs")
    except psycopg.Error:
        return None
    return url.rsplit("/", 1)[0] + "/unstuck_bench_lrs"


if __name__ == "__main__":
    main()
