"""The assistant: answers a question from the workspace's own units.

Offline by default (extractive): the passages of the best-matching units that share the
most words with the question, ordered by that overlap, trimmed, each cited. With
UNSTUCK_LLM_BASE_URL and UNSTUCK_LLM_MODEL set, an OpenAI-compatible chat endpoint writes
the answer from those same passages only (grounded, citing [1], [2], ...), streamed; on
any error or timeout the extractive answer is used instead.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from . import search as searchmod
from . import text as textmod

logger = logging.getLogger("unstuck.guidance.assistant")

MAX_SOURCES = 4
MAX_PASSAGES = 3
NOT_FOUND = "I could not find this in your workspace's units. Try other words, or ask a colleague."

SYSTEM_PROMPT = (
    "You answer questions from employees using ONLY the numbered sources given, which come "
    "from their company's training units. Answer in 2-5 short sentences or steps. Cite every "
    "claim with the source number in brackets, like [1]. If the sources do not answer the "
    'question, say exactly: "I don\'t know from the available units." Never use outside knowledge.'
)


@dataclass
class Source:
    number: int
    unit_id: str
    title: str
    url: str
    passages: list[str]


def unit_url(unit) -> str:
    base = getattr(settings, "BASE_URL", "") or ""
    return f"{base}/help/{unit.workspace.slug}/units/{unit.id}"


def retrieve(workspace, question: str) -> tuple[list[Source], list[list[str]]]:
    from unstuck.content.models import Unit

    hits, parsed = searchmod.search(workspace, question, limit=MAX_SOURCES * 2)
    if not hits:
        return [], parsed.groups
    # By primary key, checked here (see ranking.published_units for why).
    units = {
        str(u.id): u
        for u in Unit.objects.filter(pk__in=[h.unit_id for h in hits])
        .order_by()
        .select_related("workspace")
        if u.workspace_id == workspace.pk and u.status == "published"
    }
    alts = {a.rstrip("*") for g in parsed.groups for a in g}
    sources: list[Source] = []
    for h in hits:
        unit = units.get(h.unit_id)
        if unit is None:
            continue
        language = textmod.language_for(unit.locale)
        scored = []
        for i, passage in enumerate(textmod.passages(textmod.unit_text(unit))):
            words = {textmod.stem(t, language) for t in textmod.tokens(passage)}
            overlap = sum(1 for a in alts if any(w.startswith(a) for w in words))
            if overlap:
                scored.append((overlap, -i, passage))
        scored.sort(reverse=True)
        best = [s[2] for s in scored[:MAX_PASSAGES]]
        # Keep reading order within a unit: steps read better in sequence.
        best.sort(key=lambda s: -next(x[1] for x in scored if x[2] == s))
        if not best:
            continue
        sources.append(
            Source(
                number=len(sources) + 1,
                unit_id=str(unit.id),
                title=unit.title,
                url=unit_url(unit),
                passages=best,
            )
        )
        if len(sources) >= MAX_SOURCES:
            break
    return sources, parsed.groups


def _trim(passage: str, words: int = 45) -> str:
    parts = passage.split()
    return passage if len(parts) <= words else " ".join(parts[:words]) + " …"


def extractive_answer(sources: list[Source]) -> str:
    if not sources:
        return NOT_FOUND
    lines = []
    for s in sources[:3]:
        lines.append(f"{s.title} [{s.number}]: " + " ".join(_trim(x) for x in s.passages[:2]))
    return "\n\n".join(lines)


def citations(sources: list[Source]) -> list[dict[str, Any]]:
    return [
        {"number": s.number, "unit_id": s.unit_id, "title": s.title, "url": s.url} for s in sources
    ]


# --- the optional LLM --------------------------------------------------------------------


def llm_configured() -> bool:
    return bool(settings.LLM_BASE_URL and settings.LLM_MODEL)


def _messages(question: str, sources: list[Source]) -> list[dict[str, str]]:
    context = "\n\n".join(f"[{s.number}] {s.title}\n" + "\n".join(s.passages) for s in sources)
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Sources:\n{context or '(none)'}\n\nQuestion: {question}"},
    ]


def _request(question: str, sources: list[Source], *, stream: bool) -> urllib.request.Request:
    body = {
        "model": settings.LLM_MODEL,
        "messages": _messages(question, sources),
        "stream": stream,
        "temperature": 0.1,
    }
    headers = {
        "Content-Type": "application/json",
        "Accept": "text/event-stream" if stream else "application/json",
    }
    if settings.LLM_API_KEY:
        headers["Authorization"] = f"Bearer {settings.LLM_API_KEY}"
    url = settings.LLM_BASE_URL.rstrip("/") + "/chat/completions"
    return urllib.request.Request(
        url, data=json.dumps(body).encode(), headers=headers, method="POST"
    )


def llm_stream(question: str, sources: list[Source]) -> Iterator[str]:
    """Yield answer text pieces from a streaming chat completion (server-sent events)."""
    with urllib.request.urlopen(
        _request(question, sources, stream=True), timeout=settings.LLM_TIMEOUT_S
    ) as resp:
        for raw in resp:
            line = raw.decode("utf-8", "replace").strip()
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                return
            chunk = json.loads(data)
            for choice in chunk.get("choices") or []:
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    yield piece


def llm_complete(question: str, sources: list[Source]) -> str:
    with urllib.request.urlopen(
        _request(question, sources, stream=False), timeout=settings.LLM_TIMEOUT_S
    ) as resp:
        data = json.loads(resp.read().decode("utf-8"))
    return data["choices"][0]["message"]["content"].strip()


LLM_ERRORS = (
    urllib.error.URLError,
    TimeoutError,
    OSError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
)


def answer(workspace, question: str) -> dict[str, Any]:
    """The whole answer at once: {"answer", "citations", "mode", "found"}."""
    sources, _ = retrieve(workspace, question)
    if llm_configured() and sources:
        try:
            text = llm_complete(question, sources)
            return {
                "answer": text,
                "citations": citations(sources),
                "mode": "llm",
                "found": "don't know" not in text.lower(),
            }
        except LLM_ERRORS as exc:
            logger.warning("assistant LLM failed, answering extractively: %s", exc)
    return {
        "answer": extractive_answer(sources),
        "citations": citations(sources),
        "mode": "extractive",
        "found": bool(sources),
    }


def answer_events(workspace, question: str) -> Iterator[dict[str, Any]]:
    """The answer as a sequence of events for streaming: {"type": "citations"}, then
    {"type": "delta", "text"}..., then {"type": "done", "mode", "found", "answer"}."""
    sources, _ = retrieve(workspace, question)
    yield {"type": "citations", "citations": citations(sources)}
    if llm_configured() and sources:
        pieces: list[str] = []
        try:
            for piece in llm_stream(question, sources):
                pieces.append(piece)
                yield {"type": "delta", "text": piece}
            text = "".join(pieces)
            yield {
                "type": "done",
                "mode": "llm",
                "found": "don't know" not in text.lower(),
                "answer": text,
            }
            return
        except LLM_ERRORS as exc:
            logger.warning("assistant LLM stream failed, answering extractively: %s", exc)
            if pieces:
                # Part of an answer was already sent; say it was cut and add the extract.
                yield {
                    "type": "delta",
                    "text": "\n\n(The writer stopped; here is what the units say.)\n\n",
                }
    text = extractive_answer(sources)
    yield {"type": "delta", "text": text}
    yield {"type": "done", "mode": "extractive", "found": bool(sources), "answer": text}
