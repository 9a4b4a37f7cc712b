"""Content lint: what makes a unit less than bite-sized, and how to fix it.

Errors block publishing; warnings are shown to authors and in `unstuck lint`.

| code | level | when |
|---|---|---|
| too_long | error | the estimate is over 5 minutes; the issue carries a split suggestion |
| too_short | warning | the estimate is under 30 seconds |
| missing_summary | warning | no summary (learners see it in lists and search) |
| quiz_without_feedback | warning | a quiz choice has no feedback |
| empty_checklist | warning | a checklist has no items |
| no_transcript | warning | a video or audio has no transcript (accessibility, search) |
| verification_expired | warning | last verified + review interval is in the past |
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from .duration import Part, duration_parts, format_s

MAX_DURATION_S = 300
MIN_DURATION_S = 30
# A split aims for parts comfortably inside the limit, not just under it.
SPLIT_TARGET_S = 240


@dataclass
class Issue:
    level: str  # "error" | "warning"
    code: str
    message: str
    field: str | None = None
    suggestion: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def lint_content(
    content: dict[str, Any], *, review_due_at: datetime | None = None, now: datetime | None = None
) -> list[Issue]:
    """Lint a unit's working copy (kind, summary, body_md, payload, duration_s)."""
    kind = content["kind"]
    payload = content.get("payload") or {}
    duration = int(content.get("duration_s") or 0)
    issues: list[Issue] = []
    if duration > MAX_DURATION_S:
        suggestion = split_suggestion(kind, content.get("body_md", ""), payload)
        issues.append(
            Issue(
                "error",
                "too_long",
                f"About {format_s(duration)}, over the 5-minute limit. {suggestion['message']}",
                "duration_s",
                suggestion,
            )
        )
    elif duration < MIN_DURATION_S:
        issues.append(
            Issue(
                "warning",
                "too_short",
                f"About {format_s(duration)}: under 30 seconds; is anything missing?",
                "duration_s",
            )
        )
    if not (content.get("summary") or "").strip():
        issues.append(
            Issue(
                "warning",
                "missing_summary",
                "No summary: learners see it in lists and search results.",
                "summary",
            )
        )
    if kind == "quiz":
        for qi, question in enumerate(payload.get("questions") or []):
            missing = [
                ci
                for ci, c in enumerate(question.get("choices") or [])
                if not (c.get("feedback") or "").strip()
            ]
            if missing:
                issues.append(
                    Issue(
                        "warning",
                        "quiz_without_feedback",
                        f"Question {qi + 1} has {len(missing)} choice(s) without feedback; say why an answer is right or wrong.",
                        f"payload.questions.{qi}.choices.{missing[0]}.feedback",
                    )
                )
    if kind == "checklist" and not payload.get("items"):
        issues.append(
            Issue("warning", "empty_checklist", "The checklist has no items.", "payload.items")
        )
    if kind in ("video", "audio") and not (
        payload.get("transcript_vtt") or payload.get("transcript")
    ):
        issues.append(
            Issue(
                "warning",
                "no_transcript",
                "No transcript: people who cannot listen, and search, need one.",
                "payload.transcript_vtt" if kind == "video" else "payload.transcript",
            )
        )
    if review_due_at is not None and now is not None and review_due_at < now:
        issues.append(
            Issue(
                "warning",
                "verification_expired",
                f"Review was due on {review_due_at.date().isoformat()}: check the unit is still "
                "right and mark it verified.",
                "last_verified_at",
            )
        )
    return issues


def split_suggestion(kind: str, body_md: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Where to split a long unit: contiguous groups of its parts, each under the target.

    Returns {"message", "units": [{"parts": [labels], "fields": [paths], "duration_s"}]}.
    """
    parts = duration_parts(kind, body_md, payload)
    total = sum(p.seconds for p in parts)
    if kind == "scenario":
        longest = max(parts, key=lambda p: p.seconds, default=None)
        label = longest.label if longest else "the longest path"
        return {
            "message": f"Shorten {label}, or make two scenarios: end the first where the path branches.",
            "units": [],
        }
    if kind == "process_map":
        return {
            "message": "Split the map into sub-processes at its decisions, one unit each, and link them in a collection.",
            "units": [],
        }
    if len(parts) < 2:
        what = "chapters" if kind in ("video", "audio") else "headings (##) to the body"
        return {"message": f"Add {what} so it can be split, or shorten it.", "units": []}
    groups = _partition(parts, total)
    units = [
        {
            "parts": [p.label for p in g],
            "fields": [p.field for p in g],
            "duration_s": math.ceil(sum(p.seconds for p in g)),
        }
        for g in groups
    ]
    described = "; ".join(
        f"{_span(g)} ({format_s(float(u['duration_s']))})"  # type: ignore[arg-type]
        for g, u in zip(groups, units, strict=True)
    )
    return {"message": f"Split into {len(units)} units: {described}.", "units": units}


def _partition(parts: list[Part], total: float) -> list[list[Part]]:
    """Contiguous groups of roughly equal length: each part goes to the group its midpoint
    falls in. More groups are tried until each is under the limit (or parts run out)."""
    count = max(2, math.ceil(total / SPLIT_TARGET_S))
    while True:
        target = total / count
        groups: list[list[Part]] = [[] for _ in range(count)]
        elapsed = 0.0
        for part in parts:
            index = min(count - 1, int((elapsed + part.seconds / 2) / target)) if target else 0
            groups[index].append(part)
            elapsed += part.seconds
        groups = [g for g in groups if g]
        if all(sum(p.seconds for p in g) <= MAX_DURATION_S for g in groups) or count >= len(parts):
            return groups
        count += 1


def _span(group: list[Part]) -> str:
    if len(group) == 1:
        return group[0].label
    return f"{group[0].label} to {group[-1].label}"


def has_errors(issues: list[Issue]) -> bool:
    return any(i.level == "error" for i in issues)
