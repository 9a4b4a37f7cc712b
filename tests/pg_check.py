"""Is the PostgreSQL of the test run reachable? Exit 0 yes, 1 no (skip), 2 no but required (CI)."""

import os
import sys

import psycopg

url = sys.argv[1] if len(sys.argv) > 1 else "postgres://postgres@127.0.0.1:5432/test"
try:
    psycopg.connect(url, connect_timeout=3).close()
except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        print(f"PostgreSQL at {url} is required in CI but not reachable: {exc}", file=sys.stderr)
        sys.exit(2)
    sys.exit(1)
sys.exit(0)
