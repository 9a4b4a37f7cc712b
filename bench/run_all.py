"""Run every benchmark in turn with its default (documented) settings: `make bench`.

Each benchmark is its own command and prints its own figures; this only runs them in
sequence and stops at the first failure. Pass names to run a subset:

    .venv/bin/python bench/run_all.py units_api widget_size
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = [
    "units_api",
    "lrs_ingest",
    "lrs_query",
    "widget_size",
    "widget_context",
    "widget_ready",
    "guidance_search",
    "insights_dashboards",
]


def main(argv: list[str]) -> int:
    chosen = argv or BENCHES
    unknown = [name for name in chosen if name not in BENCHES]
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHES)}",
            file=sys.stderr,
        )
        return 2
    for name in chosen:
        print(f"\n=== {name} " + "=" * (60 - len(name)), flush=True)
        started = time.monotonic()
        result = subprocess.run([sys.executable, str(HERE / f"{name}.py")], check=False)
        print(
            f"--- {name}: {time.monotonic() - started:.0f} s, exit {result.returncode}", flush=True
        )
        if result.returncode != 0:
            return result.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
