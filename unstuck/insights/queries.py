"""Insights read helpers used by other apps. Always take a workspace."""

from __future__ import annotations


def hidden_placement_ids(*, workspace, person) -> set:
    """Placements that a running pilot shows only to its pilot group, when `person` is
    not in that group. Delivery leaves these out of the page context.

    INTERFACE FIRST: issue 5 (pilots) fills this in.
    """
    return set()


def pulse_for(*, workspace, person, task: str = "", unit_id: str = "") -> dict | None:
    """A confidence pulse to ask now (after a task or a unit), or None.

    At most once per person per task per week. Returns {"id": str, "question": str,
    "task": str, "unit_id": str} — the widget shows a 1–5 scale and records the answer
    as a `rated` statement with result.extensions[RESULT_EXT_CONFIDENCE].

    INTERFACE FIRST: issue 5 fills this in.
    """
    return None
