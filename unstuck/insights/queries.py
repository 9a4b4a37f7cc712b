"""Insights read helpers used by other apps. Always take a workspace."""

from __future__ import annotations


def hidden_placement_ids(*, workspace, person) -> set:
    """Placements that a running pilot shows only to its pilot group, when `person` is
    not in that group. Delivery leaves these out of the page context.

    INTERFACE FIRST: issue 5 (pilots) fills this in.
    """
    return set()
