"""Read helpers for other apps (delivery, guidance, adaptive). Always take a workspace.

A published Unit row is exactly what learners see; drafts of published units live in
`unit.draft` and never leak through these helpers.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils import timezone

from unstuck.accounts.models import Person, Workspace

from .models import Collection, Status, Unit


def published_units(workspace: Workspace) -> QuerySet[Unit]:
    return Unit.objects.for_workspace(workspace).published()


def unit_for_learner(workspace: Workspace, unit_id: UUID | str) -> Unit | None:
    """The published unit with this id (or slug) in this workspace, else None."""
    qs = published_units(workspace).prefetch_related("skills")
    try:
        return qs.filter(pk=UUID(str(unit_id))).first()
    except ValueError:
        return qs.filter(slug=str(unit_id)).first()


def unit_in_locale(unit: Unit, locale: str | None) -> Unit:
    """The published translation of `unit` in `locale` (exact tag, then language), else
    the original (or `unit` itself). Works from the original or any translation."""
    if not locale:
        return unit
    original_id = unit.translation_of_id or unit.pk
    family = list(
        Unit.objects.filter(workspace_id=unit.workspace_id, status=Status.PUBLISHED).filter(
            Q(pk=original_id) | Q(translation_of_id=original_id)
        )
    )
    wanted = locale.lower()
    for candidate in family:
        if candidate.locale.lower() == wanted:
            return candidate
    language = wanted.split("-")[0]
    for candidate in family:
        if candidate.locale.lower().split("-")[0] == language:
            return candidate
    for candidate in family:
        if candidate.pk == original_id:
            return candidate
    return unit


def unit_for_person(workspace: Workspace, unit_id: UUID | str, person: Person | None) -> Unit | None:
    """The published unit, in the person's locale (or the workspace's) when translated."""
    unit = unit_for_learner(workspace, unit_id)
    if unit is None:
        return None
    locale = (person.locale if person is not None else "") or workspace.default_locale
    return unit_in_locale(unit, locale)


def stale_units(workspace: Workspace, now: Any = None) -> QuerySet[Unit]:
    """Units whose review is due: last verified + review interval is in the past."""
    return (
        Unit.objects.for_workspace(workspace)
        .exclude(status=Status.ARCHIVED)
        .filter(review_due_at__lt=now or timezone.now())
    )


def collection_units(collection: Collection, *, published_only: bool = True) -> list[Unit]:
    """The units of a collection in order (only published ones for learners)."""
    items = collection.items.select_related("unit").order_by("position")
    units = [item.unit for item in items]
    if published_only:
        units = [u for u in units if u.status == Status.PUBLISHED]
    return units
