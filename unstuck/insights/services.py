"""Insights services: work tasks, pilots, and the demo history simulation.

Every write here runs in a transaction. Pilot changes bump the workspace's
content_version, because delivery caches which placements a person may see
(`queries.hidden_placement_ids`) under that stamp.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from django.db import transaction

from unstuck.accounts.models import HostApp, Person, Workspace
from unstuck.accounts.services import bump_content_version
from unstuck.errors import ApiError, Conflict

from .models import Pilot, WorkTask

_EVENT_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:")


def _check_event(name: str, field: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100 or not set(name) <= _EVENT_CHARS:
        raise ApiError(
            f"{field}: an event name of letters, digits and _ - . : (at most 100).", field=field
        )
    return name


def _host_app(workspace: Workspace, slug: str) -> HostApp:
    host_app = HostApp.objects.filter(workspace=workspace, slug=slug).first()
    if host_app is None:
        raise ApiError(f"host_app: no host app {slug!r} in this workspace.", field="host_app")
    return host_app


# --- work tasks ----------------------------------------------------------------------


@transaction.atomic
def create_task(
    *,
    workspace: Workspace,
    host_app: str,
    key: str,
    name: str,
    description: str = "",
    start_event: str = "task_started",
    end_event: str = "task_completed",
    fail_event: str = "task_failed",
) -> WorkTask:
    from unstuck.accounts.services import _check_slug

    app = _host_app(workspace, host_app)
    _check_slug(key, "key")
    if not (name or "").strip():
        raise ApiError(
            "name: give the task a name people recognise, e.g. Log a call.", field="name"
        )
    if WorkTask.objects.filter(workspace=workspace, host_app=app, key=key).exists():
        raise Conflict(f"key: {host_app} already has a task {key!r}.", field="key")
    return WorkTask.objects.create(
        workspace=workspace,
        host_app=app,
        key=key,
        name=name.strip()[:200],
        description=description,
        start_event=_check_event(start_event, "start_event"),
        end_event=_check_event(end_event, "end_event"),
        fail_event=_check_event(fail_event, "fail_event") if fail_event else "",
    )


@transaction.atomic
def update_task(*, task: WorkTask, changes: dict[str, Any]) -> WorkTask:
    for attr in ("start_event", "end_event", "fail_event"):
        if attr in changes and changes[attr] is not None:
            setattr(
                task,
                attr,
                _check_event(changes[attr], attr)
                if (changes[attr] or attr != "fail_event")
                else "",
            )
    if changes.get("name") is not None:
        if not changes["name"].strip():
            raise ApiError("name: may not be empty.", field="name")
        task.name = changes["name"].strip()[:200]
    if changes.get("description") is not None:
        task.description = changes["description"]
    task.save()
    return task


@transaction.atomic
def delete_task(*, task: WorkTask) -> None:
    task.delete()


# --- pilots --------------------------------------------------------------------------


def _people(workspace: Workspace, ids: list[str], field: str) -> list[Person]:
    people = list(Person.objects.filter(workspace=workspace, id__in=ids)) if ids else []
    if len(people) != len(set(ids)):
        found = {str(p.id) for p in people}
        missing = next(i for i in ids if i not in found)
        raise ApiError(f"{field}: no person {missing} in this workspace.", field=field)
    return people


def _teams(value: Any, field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
        raise ApiError(f"{field}: a list of team names.", field=field)
    return sorted({t.strip() for t in value})


def group_person_ids(pilot: Pilot, *, control: bool = False) -> set:
    """The ids of the people in the pilot group (or the control group): listed people
    plus everyone in the listed teams. The pilot group wins over the control group."""
    people = pilot.control_people if control else pilot.group_people
    teams = pilot.control_teams if control else pilot.group_teams
    ids = set(people.values_list("id", flat=True))
    if teams:
        ids |= set(
            Person.objects.filter(workspace_id=pilot.workspace_id, team__in=teams).values_list(
                "id", flat=True
            )
        )
    if control:
        ids -= group_person_ids(pilot)
    return ids


def _draw_control(pilot: Pilot) -> None:
    """Draw the control group at random from the rest of the workspace with the pilot's
    seed: sorted ids, then random.Random(seed).sample — the same people every time."""
    group = group_person_ids(pilot)
    rest = sorted(
        str(pk)
        for pk in Person.objects.filter(workspace_id=pilot.workspace_id, is_anonymous=False)
        .exclude(id__in=group)
        .values_list("id", flat=True)
    )
    size = min(pilot.control_size or len(group), len(rest))
    chosen = random.Random(pilot.seed).sample(rest, size) if size else []
    pilot.control_people.set(Person.objects.filter(workspace_id=pilot.workspace_id, id__in=chosen))


def _apply_pilot(pilot: Pilot, data: dict[str, Any], *, creating: bool) -> Pilot:
    ws = pilot.workspace
    if "name" in data and data["name"] is not None:
        if not data["name"].strip():
            raise ApiError("name: give the pilot a name.", field="name")
        pilot.name = data["name"].strip()[:200]
    for attr in ("description",):
        if data.get(attr) is not None:
            setattr(pilot, attr, data[attr])
    for attr in ("starts_on", "ends_on"):
        if data.get(attr) is not None:
            value = data[attr]
            if isinstance(value, str):
                try:
                    value = date.fromisoformat(value)
                except ValueError as exc:
                    raise ApiError(f"{attr}: a date like 2026-03-01.", field=attr) from exc
            setattr(pilot, attr, value)
    if pilot.ends_on < pilot.starts_on:
        raise ApiError("ends_on: the pilot must end on or after its start.", field="ends_on")
    if data.get("control_mode") is not None:
        if data["control_mode"] not in Pilot.ControlMode.values:
            raise ApiError("control_mode: one of none, chosen, random.", field="control_mode")
        pilot.control_mode = data["control_mode"]
    if data.get("control_size") is not None:
        if int(data["control_size"]) < 1:
            raise ApiError("control_size: at least 1.", field="control_size")
        pilot.control_size = int(data["control_size"])
    if data.get("seed") is not None:
        pilot.seed = int(data["seed"])
    if data.get("group_teams") is not None:
        pilot.group_teams = _teams(data["group_teams"], "group_teams")
    if data.get("control_teams") is not None:
        pilot.control_teams = _teams(data["control_teams"], "control_teams")
    if data.get("placement_ids") is not None:
        ids = [str(i) for i in data["placement_ids"]]
        known = _known_placements(ws, ids)
        missing = [i for i in ids if i not in known]
        if missing:
            raise ApiError(
                f"placement_ids: no placement {missing[0]} in this workspace.",
                field="placement_ids",
            )
        pilot.placement_ids = sorted(set(ids))
    pilot.save()
    if data.get("group_people") is not None:
        pilot.group_people.set(_people(ws, [str(i) for i in data["group_people"]], "group_people"))
    if data.get("control_people") is not None:
        pilot.control_people.set(
            _people(ws, [str(i) for i in data["control_people"]], "control_people")
        )
    if data.get("unit_ids") is not None:
        from unstuck.content.models import Unit

        ids = [str(i) for i in data["unit_ids"]]
        units = list(Unit.objects.filter(workspace=ws, id__in=ids))
        if len(units) != len(set(ids)):
            raise ApiError("unit_ids: a unit is not in this workspace.", field="unit_ids")
        pilot.units.set(units)
    if data.get("task_ids") is not None:
        ids = [str(i) for i in data["task_ids"]]
        tasks = list(WorkTask.objects.filter(workspace=ws, id__in=ids))
        if len(tasks) != len(set(ids)):
            raise ApiError("task_ids: a task is not in this workspace.", field="task_ids")
        pilot.tasks.set(tasks)
    if not pilot.group_teams and not pilot.group_people.exists():
        raise ApiError(
            "group_people: name the people or teams in the pilot group.", field="group_people"
        )
    if pilot.control_mode == Pilot.ControlMode.RANDOM and (
        creating
        or any(
            k in data
            for k in ("control_mode", "seed", "control_size", "group_people", "group_teams")
        )
    ):
        _draw_control(pilot)
    elif pilot.control_mode == Pilot.ControlMode.NONE:
        pilot.control_people.clear()
        pilot.control_teams = []
        pilot.save(update_fields=["control_teams"])
    elif pilot.control_mode == Pilot.ControlMode.CHOSEN and not (
        pilot.control_teams or pilot.control_people.exists()
    ):
        raise ApiError(
            "control_people: name the control group's people or teams, or use control_mode random.",
            field="control_people",
        )
    bump_content_version(workspace=ws)
    return pilot


def _known_placements(workspace: Workspace, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    try:
        from unstuck.delivery.models import Placement
    except ImportError:  # delivery not installed: accept nothing
        return set()
    import uuid

    valid = []
    for i in ids:
        try:
            valid.append(uuid.UUID(i))
        except ValueError:
            continue
    return {
        str(pk)
        for pk in Placement.objects.filter(workspace=workspace, id__in=valid).values_list(
            "id", flat=True
        )
    }


@transaction.atomic
def create_pilot(*, workspace: Workspace, data: dict[str, Any]) -> Pilot:
    for required in ("name", "starts_on", "ends_on"):
        if not data.get(required):
            raise ApiError(f"{required}: required.", field=required)
    pilot = Pilot(workspace=workspace, name="", starts_on=date.min, ends_on=date.min)
    return _apply_pilot(pilot, data, creating=True)


@transaction.atomic
def update_pilot(*, pilot: Pilot, changes: dict[str, Any]) -> Pilot:
    return _apply_pilot(pilot, changes, creating=False)


@transaction.atomic
def delete_pilot(*, pilot: Pilot) -> None:
    workspace = pilot.workspace
    pilot.delete()
    bump_content_version(workspace=workspace)


# --- rollups --------------------------------------------------------------------------


def build_rollups(*, workspace: Workspace, rebuild: bool = False) -> dict[str, Any]:
    from .rollups import build_rollups as build

    return build(workspace=workspace, rebuild=rebuild)


def simulate_history(*, workspace: Workspace, weeks: int = 8, seed: int = 42) -> dict[str, Any]:
    """Generate `weeks` of simulated work and learning for a workspace (docs/insights.md)."""
    from .simulation import simulate_history as simulate

    return simulate(workspace=workspace, weeks=weeks, seed=seed)
