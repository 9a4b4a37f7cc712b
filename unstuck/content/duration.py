"""Estimated time to finish a unit, per kind, recomputed on every save.

The estimate is the sum of "parts" (the body, each step, each question, ...), so the
lint's split suggestion uses the very numbers the duration is made of. The rules
(docs/authoring.md repeats them):

| kind | estimate |
|---|---|
| every kind | the Markdown body read at 200 words a minute |
| guide | each step read, plus 10 s to do it |
| video, audio | the media length (chapters are the parts) |
| checklist | each item read, plus 5 s to check it |
| process map | each node read, plus 8 s to follow it |
| quick reference | each section read |
| quiz | 30 s per question |
| scenario | the longest path: each node and its choices read, plus 10 s to decide, plus the feedback and outcome on the way |
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

WORDS_PER_MINUTE = 200
GUIDE_STEP_S = 10
CHECKLIST_ITEM_S = 5
PROCESS_NODE_S = 8
QUIZ_QUESTION_S = 30
SCENARIO_DECISION_S = 10

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_MD_NOISE = re.compile(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|<[^>]+>|```[a-z]*")


@dataclass(frozen=True)
class Part:
    """A piece of a unit that takes time: its label, the field it lives in, seconds."""

    label: str
    field: str
    seconds: float


def word_count(text: str) -> int:
    return len(_WORD.findall(_MD_NOISE.sub(" ", text or "")))


def reading_s(*texts: str) -> float:
    return sum(word_count(t) for t in texts) * 60 / WORDS_PER_MINUTE


def body_sections(body_md: str) -> list[tuple[str, str]]:
    """Split a Markdown body at its level-1 to level-3 headings: [(heading, text)]."""
    sections: list[tuple[str, str]] = []
    heading = "introduction"
    lines: list[str] = []
    for line in (body_md or "").splitlines():
        match = re.match(r"^#{1,3}\s+(.*)", line)
        if match:
            if "".join(lines).strip():
                sections.append((heading, "\n".join(lines)))
            heading, lines = match.group(1).strip() or "untitled section", []
        else:
            lines.append(line)
    if "".join(lines).strip() or heading != "introduction":
        sections.append((heading, "\n".join(lines)))
    return sections


def duration_parts(kind: str, body_md: str, payload: dict[str, Any]) -> list[Part]:
    parts: list[Part] = []
    for heading, text in body_sections(body_md):
        seconds = reading_s(heading if heading != "introduction" else "", text)
        if seconds:
            parts.append(Part(f"body section “{heading}”", "body_md", seconds))
    parts.extend(_KIND_PARTS.get(kind, lambda p: [])(payload or {}))
    return parts


def estimate_duration_s(kind: str, body_md: str, payload: dict[str, Any]) -> int:
    return math.ceil(sum(p.seconds for p in duration_parts(kind, body_md, payload)))


def _guide(p: dict) -> list[Part]:
    return [
        Part(
            f"step {i + 1} “{s.get('title', '')}”",
            f"payload.steps.{i}",
            reading_s(s.get("title", ""), s.get("body", "")) + GUIDE_STEP_S,
        )
        for i, s in enumerate(p.get("steps") or [])
    ]


def _media(p: dict) -> list[Part]:
    length = float(p.get("length_s") or 0)
    chapters = p.get("chapters") or []
    if not chapters:
        return [Part("the recording", "payload.length_s", length)] if length else []
    parts = []
    starts = [float(c.get("start_s") or 0) for c in chapters]
    if starts[0] > 0:
        parts.append(Part("the opening before the first chapter", "payload.chapters", starts[0]))
    for i, c in enumerate(chapters):
        end = starts[i + 1] if i + 1 < len(chapters) else length
        parts.append(
            Part(
                f"chapter {i + 1} “{c.get('title', '')}” at {format_s(starts[i])}",
                f"payload.chapters.{i}",
                max(0.0, end - starts[i]),
            )
        )
    return parts


def _checklist(p: dict) -> list[Part]:
    return [
        Part(
            f"item {i + 1}",
            f"payload.items.{i}",
            reading_s(it.get("text", ""), it.get("details", "")) + CHECKLIST_ITEM_S,
        )
        for i, it in enumerate(p.get("items") or [])
    ]


def _process_map(p: dict) -> list[Part]:
    return [
        Part(
            f"node “{n.get('label', '')}”",
            f"payload.nodes.{i}",
            reading_s(n.get("label", ""), n.get("description", "")) + PROCESS_NODE_S,
        )
        for i, n in enumerate(p.get("nodes") or [])
    ]


def _quick_reference(p: dict) -> list[Part]:
    return [
        Part(
            f"section {i + 1} “{s.get('title', '')}”",
            f"payload.sections.{i}",
            reading_s(s.get("title", ""), s.get("body", "")),
        )
        for i, s in enumerate(p.get("sections") or [])
    ]


def _quiz(p: dict) -> list[Part]:
    return [
        Part(f"question {i + 1}", f"payload.questions.{i}", QUIZ_QUESTION_S)
        for i, _ in enumerate(p.get("questions") or [])
    ]


def scenario_longest_path(p: dict) -> tuple[float, list[str]]:
    """Seconds and node ids of the longest path through a scenario (validated: a DAG)."""
    nodes = {n["id"]: n for n in p.get("nodes") or [] if "id" in n}
    outcomes = p.get("outcomes") or {}

    @cache
    def best(node_id: str) -> tuple[float, tuple[str, ...]]:
        node = nodes[node_id]
        choices = node.get("choices") or []
        here = (
            reading_s(node.get("text", ""), *(c.get("text", "") for c in choices))
            + SCENARIO_DECISION_S
        )
        top: tuple[float, tuple[str, ...]] = (0.0, ())
        for c in choices:
            after = reading_s(c.get("feedback", ""))
            if c.get("next") in nodes:
                sub = best(c["next"])
                cand = (after + sub[0], sub[1])
            else:
                cand = (after + reading_s(outcomes.get(c.get("outcome") or "", "")), ())
            if cand[0] > top[0]:
                top = cand
        return here + top[0], (node_id, *top[1])

    start = p.get("start") or next(iter(nodes), None)
    if start not in nodes:
        return 0.0, []
    seconds, path = best(start)
    return seconds, list(path)


def _scenario(p: dict) -> list[Part]:
    seconds, path = scenario_longest_path(p)
    if not path:
        return []
    return [
        Part(f"the longest path ({len(path)} nodes: {' → '.join(path)})", "payload.nodes", seconds)
    ]


_KIND_PARTS = {
    "guide": _guide,
    "video": _media,
    "audio": _media,
    "checklist": _checklist,
    "process_map": _process_map,
    "quick_reference": _quick_reference,
    "quiz": _quiz,
    "scenario": _scenario,
}


def format_s(seconds: float) -> str:
    seconds = int(round(seconds))
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest}s"
    return f"{minutes}m {rest:02d}s" if rest else f"{minutes}m"
