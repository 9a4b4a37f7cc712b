"""Guidance: search, ranking, need detection, nudges and the assistant.

INTERFACE FIRST: the signatures below are what other apps (delivery's widget and help
center) call. Issue 6 replaces these simple bodies with the real search, ranking,
detectors and assistant; the signatures and return shapes stay.
"""

from __future__ import annotations

from typing import Any


def search_units(*, workspace, query: str, person=None, host_app: str = "", limit: int = 10,
                 channel: str = "widget", record: bool = True) -> list[dict[str, Any]]:
    """Published units matching `query`, best first.

    Returns [{"unit": Unit, "score": float, "snippet": str (safe HTML with <mark>), "reasons": [str]}].
    With `record`, the search is recorded as a statement (searches finding nothing are content gaps).
    """
    from django.db.models import Q

    from unstuck.content.models import Unit

    q = query.strip()
    if not q:
        return []
    qs = Unit.objects.for_workspace(workspace).published().filter(
        Q(title__icontains=q) | Q(summary__icontains=q) | Q(body_md__icontains=q)
    )[:limit]
    return [{"unit": u, "score": 1.0, "snippet": u.summary, "reasons": ["matches your search"]} for u in qs]


def suggest(*, workspace, host_app: str = "", url: str = "", field: str = "", error: str = "",
            query: str = "", person=None, limit: int = 5) -> list[dict[str, Any]]:
    """The ranked units for a request context. Same shape as search_units."""
    return search_units(workspace=workspace, query=query, person=person, limit=limit, record=False) if query else []


def answer_question(*, workspace, person, question: str, channel: str = "widget") -> dict[str, Any]:
    """Answer from the workspace's own units.

    Returns {"answer": str, "citations": [{"unit_id": str, "title": str, "url": str}],
             "mode": "extractive" | "llm", "found": bool}.
    """
    hits = search_units(workspace=workspace, query=question, person=person, limit=3, record=False)
    return {
        "answer": " ".join(h["unit"].summary for h in hits) or "",
        "citations": [{"unit_id": str(h["unit"].id), "title": h["unit"].title, "url": ""} for h in hits],
        "mode": "extractive",
        "found": bool(hits),
    }


def on_statements(*, workspace, person, statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run the need detectors over statements just recorded for `person`.

    Returns the nudges to show now in the widget:
    [{"id": str, "unit_id": str, "title": str, "reason": str, "presentation": "tip",
      "placement_id": str | None, "field": str | None}].
    """
    return []


def pending_nudges(*, workspace, person, host_app: str = "") -> list[dict[str, Any]]:
    """Nudges created earlier (e.g. by a background detector) not yet delivered. Same shape."""
    return []
