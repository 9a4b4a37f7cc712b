"""Adaptive: mastery per person and skill, spaced reinforcement (FSRS), the daily budget.

INTERFACE FIRST: the signatures below are what delivery's widget and help center call.
Issue 6 replaces these bodies with the real model; signatures and shapes stay.
"""

from __future__ import annotations

from typing import Any


def today(*, workspace, person) -> dict[str, Any]:
    """The Today list: reviews due that fit in what is left of today's budget.

    Returns {"budget_s": int, "used_s": int, "items": [{"card_id": str, "unit_id": str,
    "unit_title": str, "question": str, "choices": [{"id": str, "text": str}], "due": iso str,
    "estimate_s": int}]}.
    """
    return {"budget_s": workspace.daily_budget_s, "used_s": 0, "items": []}


def answer_review(*, workspace, person, card_id: str, choice_id: str) -> dict[str, Any]:
    """Grade a review answer, reschedule the card, update mastery.

    Returns {"correct": bool, "feedback": str, "next_due": iso str}.
    """
    raise NotImplementedError("spaced reinforcement comes with issue 6")


def on_statements(*, workspace, person, statements: list[dict[str, Any]]) -> None:
    """Update mastery and review cards from statements just recorded for `person`."""
    return None
