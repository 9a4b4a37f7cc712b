"""The widget's JavaScript as served: read once per process, versioned by content hash,
with a gzipped copy so the bytes on the wire are what the size budget measures."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static" / "unstuck"


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    version: str


_ASSETS: dict[str, tuple[float, Asset]] = {}


def _build(body: bytes) -> Asset:
    return Asset(
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
        version=hashlib.sha256(body).hexdigest()[:12],
    )


def asset(name: str) -> Asset:
    """`players.js` as is; `widget.js` with the versioned URL of players.js filled in.

    Rebuilt when a file changes on disk (cheap stat), so editing the JS needs no restart.
    """
    path = STATIC / name
    deps = [path] + ([STATIC / "players.js"] if name == "widget.js" else [])
    mtime = max(p.stat().st_mtime for p in deps)
    found = _ASSETS.get(name)
    if found and found[0] == mtime:
        return found[1]
    body = path.read_bytes()
    if name == "widget.js":
        players = asset("players.js")
        body = body.replace(b"__PLAYERS_URL__", f"/widget/players.js?v={players.version}".encode())
    built = _build(body)
    _ASSETS[name] = (mtime, built)
    return built
