"""REST endpoints of insights under /api/v1/insights/: the dashboards' numbers, work
tasks and pilots. The pages (views.py) render exactly these dicts."""

from __future__ import annotations

import uuid

from ninja import Router, Status

from unstuck.accounts.access import require
from unstuck.errors import NotFound

from . import reports, services
from .models import Pilot, WorkTask
from .schemas import PilotIn, PilotPatch, TaskIn, TaskPatch

router = Router(tags=["insights"])


def _filters(request, start: str, end: str, app: str, team: str, days: int | None):
    actor = request.auth
    require(actor, "insights.view")
    return reports.filters_from(
        workspace=actor.workspace,
        visible_teams=actor.visible_teams(),
        start=start,
        end=end,
        app=app,
        team=team,
        days=days,
    )


@router.get("/insights/overview")
def overview(
    request, start: str = "", end: str = "", app: str = "", team: str = "", days: int | None = None
):
    return reports.overview(_filters(request, start, end, app, team, days))


@router.get("/insights/stuck-points")
def stuck_points(
    request,
    start: str = "",
    end: str = "",
    app: str = "",
    team: str = "",
    days: int | None = None,
    limit: int = 50,
):
    return reports.stuck_points(
        _filters(request, start, end, app, team, days), limit=max(1, min(limit, 500))
    )


@router.get("/insights/units")
def units(
    request, start: str = "", end: str = "", app: str = "", team: str = "", days: int | None = None
):
    return reports.units(_filters(request, start, end, app, team, days))


@router.get("/insights/learning-time")
def learning_time(
    request, start: str = "", end: str = "", app: str = "", team: str = "", days: int | None = None
):
    return reports.learning_time(_filters(request, start, end, app, team, days))


@router.get("/insights/measure")
def measure(
    request,
    unit: str = "",
    placement: str = "",
    start: str = "",
    end: str = "",
    app: str = "",
    team: str = "",
    days: int | None = None,
):
    f = _filters(request, start, end, app, team, days)
    if not unit and not placement:
        from unstuck.errors import ApiError

        raise ApiError("unit: name a unit or a placement to measure.", field="unit")
    return reports.measure_unit(f, unit_id=unit, placement_id=placement)


# --- work tasks ----------------------------------------------------------------------------


def _task_out(t: WorkTask) -> dict:
    return {
        "id": str(t.pk),
        "host_app": t.host_app.slug,
        "key": t.key,
        "name": t.name,
        "description": t.description,
        "start_event": t.start_event,
        "end_event": t.end_event,
        "fail_event": t.fail_event,
        "usual_s": round(t.usual_duration_ms / 1000, 1) if t.usual_duration_ms else None,
    }


def _get_task(actor, task_id: str) -> WorkTask:
    try:
        uuid.UUID(task_id)
    except ValueError as exc:
        raise NotFound("No such task.") from exc
    task = (
        WorkTask.objects.select_related("host_app")
        .filter(workspace=actor.workspace, pk=task_id)
        .first()
    )
    if task is None:
        raise NotFound("No such task.")
    return task


@router.get("/insights/tasks")
def list_tasks(request):
    require(request.auth, "insights.view")
    return {
        "tasks": [
            _task_out(t)
            for t in WorkTask.objects.filter(workspace=request.auth.workspace).select_related(
                "host_app"
            )
        ]
    }


@router.post("/insights/tasks", response={201: dict})
def create_task(request, data: TaskIn):
    require(request.auth, "pilots.manage")
    return Status(
        201, _task_out(services.create_task(workspace=request.auth.workspace, **data.dict()))
    )


@router.get("/insights/tasks/{task_id}")
def get_task(request, task_id: str):
    require(request.auth, "insights.view")
    return _task_out(_get_task(request.auth, task_id))


@router.patch("/insights/tasks/{task_id}")
def update_task(request, task_id: str, data: TaskPatch):
    require(request.auth, "pilots.manage")
    task = _get_task(request.auth, task_id)
    return _task_out(services.update_task(task=task, changes=data.dict(exclude_unset=True)))


@router.delete("/insights/tasks/{task_id}", response={204: None})
def delete_task(request, task_id: str):
    require(request.auth, "pilots.manage")
    services.delete_task(task=_get_task(request.auth, task_id))
    return Status(204, None)


# --- pilots ---------------------------------------------------------------------------------


def _get_pilot(actor, pilot_id: str) -> Pilot:
    try:
        uuid.UUID(pilot_id)
    except ValueError as exc:
        raise NotFound("No such pilot.") from exc
    pilot = Pilot.objects.filter(workspace=actor.workspace, pk=pilot_id).first()
    if pilot is None:
        raise NotFound("No such pilot.")
    return pilot


@router.get("/insights/pilots")
def list_pilots(request):
    require(request.auth, "insights.view")
    return {
        "pilots": [
            reports.pilot_summary(p) for p in Pilot.objects.filter(workspace=request.auth.workspace)
        ]
    }


@router.post("/insights/pilots", response={201: dict})
def create_pilot(request, data: PilotIn):
    require(request.auth, "pilots.manage")
    pilot = services.create_pilot(workspace=request.auth.workspace, data=data.dict())
    return Status(201, reports.pilot_summary(pilot))


@router.get("/insights/pilots/{pilot_id}")
def get_pilot(request, pilot_id: str):
    require(request.auth, "insights.view")
    return reports.pilot_summary(_get_pilot(request.auth, pilot_id))


@router.patch("/insights/pilots/{pilot_id}")
def update_pilot(request, pilot_id: str, data: PilotPatch):
    require(request.auth, "pilots.manage")
    pilot = services.update_pilot(
        pilot=_get_pilot(request.auth, pilot_id), changes=data.dict(exclude_unset=True)
    )
    return reports.pilot_summary(pilot)


@router.delete("/insights/pilots/{pilot_id}", response={204: None})
def delete_pilot(request, pilot_id: str):
    require(request.auth, "pilots.manage")
    services.delete_pilot(pilot=_get_pilot(request.auth, pilot_id))
    return Status(204, None)


@router.get("/insights/pilots/{pilot_id}/report")
def pilot_report(request, pilot_id: str):
    require(request.auth, "insights.view")
    teams = request.auth.visible_teams()
    return reports.pilot_report(
        _get_pilot(request.auth, pilot_id), teams=tuple(teams) if teams is not None else None
    )


@router.post("/insights/rollups")
def refresh_rollups(request, rebuild: bool = False):
    """Bring the rollups up to date now (they are also refreshed every ten minutes)."""
    require(request.auth, "pilots.manage")
    return services.build_rollups(workspace=request.auth.workspace, rebuild=rebuild)
