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


def unit_for_person(
    workspace: Workspace, unit_id: UUID | str, person: Person | None
) -> Unit | None:
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


def unit_stamp(workspace: Workspace, unit_id: UUID) -> tuple[str, str, int] | None:
    """(updated_at, status, workspace content_version) of a unit, or None when it is not in
    the workspace. Keys the cached JSON of a unit: any edit changes updated_at, and skill
    renames bump content_version.

    One indexed lookup in plain SQL: on the hottest read of the API the ORM's query
    compilation costs more than the query itself (measured with bench/units_api.py).
    """
    from django.db import connection

    pk = Unit._meta.pk
    assert pk is not None
    unit_param = pk.get_db_prep_value(unit_id, connection)
    ws_param = Workspace._meta.pk.get_db_prep_value(workspace.pk, connection)  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.updated_at, u.status, w.content_version FROM content_unit u "
            "JOIN accounts_workspace w ON w.id = u.workspace_id "
            "WHERE u.id = %s AND u.workspace_id = %s",
            [unit_param, ws_param],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return str(row[0]), row[1], int(row[2])
