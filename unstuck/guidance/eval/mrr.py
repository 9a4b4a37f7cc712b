"""Ranking evaluation: MRR@5 of guidance's ranking, and of plain BM25 over the same
index, on the stuck situations in situations.json (demo workspace)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import connection

from unstuck.accounts.models import Person
from unstuck.content.models import Unit

SITUATIONS = Path(__file__).with_name("situations.json")


def load_situations() -> list[dict[str, Any]]:
    return json.loads(SITUATIONS.read_text())["situations"]


def _person(workspace, external_id: str | None):
    return (
        Person.objects.for_workspace(workspace).filter(external_id=external_id).first()
        if external_id
        else None
    )


def reciprocal_rank(ranked_slugs: list[str], expected: list[str], k: int = 5) -> float:
    for i, slug in enumerate(ranked_slugs[:k]):
        if slug in expected:
            return 1.0 / (i + 1)
    return 0.0


def rank_guidance(workspace, request: dict[str, Any]) -> list[str]:
    from unstuck.guidance import ranking

    req = dict(request)
    person = _person(workspace, req.pop("person", None))
    return [c.unit.slug for c in ranking.rank(workspace=workspace, person=person, limit=5, **req)]


def rank_bm25(workspace, request: dict[str, Any]) -> list[str]:
    """Plain BM25 (SQLite FTS5, unstemmed words, OR) over title + text of the request's words."""
    from unstuck.guidance import search as searchmod
    from unstuck.guidance import text as textmod

    words = " ".join(str(request.get(k, "")) for k in ("query", "error", "field", "url")).replace(
        "_", " "
    )
    toks = [
        t
        for t in textmod.tokens(words.replace("/", " "))
        if t not in textmod.STOP_WORDS and t != "crm"
    ]
    if not toks:
        return []
    searchmod.sync_index(workspace)
    match = " OR ".join(f'"{t}"' for t in dict.fromkeys(toks))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT unit_id FROM guidance_bm25 WHERE guidance_bm25 MATCH %s ORDER BY rank LIMIT 5",
            [match],
        )
        ids = [r[0] for r in cursor.fetchall()]
    slugs = dict(Unit.objects.filter(workspace=workspace, id__in=ids).values_list("id", "slug"))
    return [slugs[i] for i in map(_uuid, ids) if i in slugs]


def _uuid(value):
    import uuid

    return uuid.UUID(str(value))


def build_bm25_table(workspace) -> None:
    """A plain FTS5 table of raw words (no stemming, no synonyms, no context) as the baseline."""
    from unstuck.guidance import text as textmod

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS guidance_bm25")
        cursor.execute(
            "CREATE VIRTUAL TABLE guidance_bm25 USING fts5(unit_id UNINDEXED, title, body)"
        )
        for unit in Unit.objects.for_workspace(workspace).published():
            cursor.execute(
                "INSERT INTO guidance_bm25(unit_id, title, body) VALUES (%s, %s, %s)",
                [str(unit.id), unit.title, textmod.unit_text(unit)],
            )


def evaluate(workspace, *, baseline: bool = False) -> dict[str, Any]:
    situations = load_situations()
    if baseline:
        build_bm25_table(workspace)
    rows = []
    for sit in situations:
        ranked = (
            rank_bm25(workspace, sit["request"])
            if baseline
            else rank_guidance(workspace, sit["request"])
        )
        rows.append(
            {
                "id": sit["id"],
                "situation": sit["situation"],
                "rr": reciprocal_rank(ranked, sit["expected"]),
                "ranked": ranked,
                "expected": sit["expected"],
            }
        )
    mrr = sum(r["rr"] for r in rows) / len(rows)
    return {"mrr": mrr, "n": len(rows), "rows": rows}
