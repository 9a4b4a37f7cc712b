"""A small keep-alive HTTP load generator, for when `wrk` is not installed.

    python bench/_load.py URL [--duration 10] [--connections 8] [--header "Name: value"]

One process per connection (so the client is not limited by one core's GIL), each
sending GET requests back to back over one keep-alive connection. Prints JSON:
{"rps", "p50", "p99" (milliseconds), "errors", "requests"}. Only for 127.0.0.1 targets.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import socket
import time
import urllib.request
from urllib.parse import urlsplit


def free_port() -> int:
    """A free TCP port on 127.0.0.1 for a benchmark's server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_up(url: str, timeout_s: float = 60) -> None:
    """Wait until `url` answers 200, or fail after `timeout_s`."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not come up in {timeout_s:.0f} s")


def worker(url: str, headers: dict[str, str], duration_s: float, queue) -> None:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=10)
    latencies: list[float] = []
    errors = 0
    end = time.perf_counter() + duration_s
    while True:
        start = time.perf_counter()
        if start >= end:
            break
        try:
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            if resp.status >= 300:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=10)
        latencies.append(time.perf_counter() - start)
    queue.put((latencies, errors))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--header", action="append", default=[])
    opts = parser.parse_args()
    if urlsplit(opts.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("only local targets")
    headers = dict(h.split(": ", 1) for h in opts.header)
    queue: mp.Queue = mp.Queue()
    procs = [
        mp.Process(target=worker, args=(opts.url, headers, opts.duration, queue))
        for _ in range(opts.connections)
    ]
    for p in procs:
        p.start()
    latencies: list[float] = []
    errors = 0
    for _ in procs:
        got, errs = queue.get()
        latencies += got
        errors += errs
    for p in procs:
        p.join()
    latencies.sort()

    def pct(q: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0.0
        )

    print(
        json.dumps(
            {
                "rps": len(latencies) / opts.duration,
                "p50": pct(0.50),
                "p99": pct(0.99),
                "errors": errors,
                "requests": len(latencies),
            }
        )
    )


if __name__ == "__main__":
    main()
