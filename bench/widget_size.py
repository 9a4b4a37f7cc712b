"""Widget size as served: the core (/widget.js) and the lazily loaded players, gzipped.

    .venv/bin/python bench/widget_size.py

Goal: the core (button, panel, tooltip engine, track) at most 12 KB gzipped.
Serves through Django's test client, so the bytes are exactly what /widget.js sends.
"""

from __future__ import annotations

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unstuck.settings")
os.environ.setdefault("UNSTUCK_DATA_DIR", tempfile.mkdtemp(prefix="unstuck-bench-size-"))

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

LIMIT_CORE_GZ = 12 * 1024


def main() -> None:
    client = Client()
    rows = []
    for name, url in (
        ("core  /widget.js", "/widget.js"),
        ("players /widget/players.js", "/widget/players.js"),
    ):
        raw = client.get(url).content
        gz = client.get(url, HTTP_ACCEPT_ENCODING="gzip").content
        rows.append((name, len(raw), len(gz)))
        print(
            f"{name:30s} {len(raw):7d} bytes raw  {len(gz):6d} bytes gzipped ({len(gz) / 1024:.1f} KB)"
        )
    core_gz = rows[0][2]
    print(
        f"core budget: {core_gz / 1024:.1f} KB of {LIMIT_CORE_GZ / 1024:.0f} KB gzipped -> "
        f"{'OK' if core_gz <= LIMIT_CORE_GZ else 'OVER'}"
    )
    sys.exit(0 if core_gz <= LIMIT_CORE_GZ else 1)


if __name__ == "__main__":
    main()
