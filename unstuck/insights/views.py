"""Dashboards for managers and L&D at /insights/<workspace>/...

Each view builds the same dict the API returns (reports.py) and renders it; `?format=csv
&table=NAME` downloads any table on the page. Managers see only their teams.
"""

from __future__ import annotations

import csv
import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from unstuck.accounts.access import AccessDenied, actor_from_session
from unstuck.accounts.models import HostApp, Person
from unstuck.errors import ApiError

from . import charts, reports, services
from .models import Pilot, WorkTask


def _actor(request, slug: str, permission: str = "insights.view"):
    try:
        actor = actor_from_session(request, slug)
    except AccessDenied as exc:
        raise Http404("No such workspace.") from exc
    if actor is None:
        raise Http404("No such workspace.")
    if not actor.can(permission):
        raise PermissionDenied(f"Your role does not allow this ({permission}).")
    return actor


def _filters(request, actor):
    g = request.GET
    days = g.get("days")
    try:
        return reports.filters_from(
            workspace=actor.workspace,
            visible_teams=actor.visible_teams(),
            start=g.get("start", ""),
            end=g.get("end", ""),
            app=g.get("app", ""),
            team=g.get("team", ""),
            days=int(days) if days and days.isdigit() else None,
        )
    except ApiError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        return reports.filters_from(workspace=actor.workspace, visible_teams=actor.visible_teams())


def _csv(report: dict, table: str, filename: str) -> HttpResponse:
    data = report["tables"].get(table)
    if data is None:
        raise Http404("No such table.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{table}.csv"'
    writer = csv.writer(response)
    writer.writerow(data["columns"])
    for row in data["rows"]:
        writer.writerow(["" if v is None else v for v in row])
    return response


def _context(request, actor, f, section: str, **extra):
    teams = actor.visible_teams()
    all_teams = sorted(
        {
            t
            for t in Person.objects.filter(workspace=actor.workspace)
            .exclude(team="")
            .values_list("team", flat=True)
            .distinct()
        }
    )
    return {
        "workspace": actor.workspace,
        "actor": actor,
        "filters": f,
        "section": section,
        "apps": HostApp.objects.filter(workspace=actor.workspace).values_list("slug", "name"),
        "teams": [t for t in all_teams if teams is None or t in teams],
        "team": request.GET.get("team", ""),
        "query": request.GET.urlencode(),
        "can_manage": actor.can("pilots.manage"),
        "limited_teams": teams,
        **extra,
    }


def _maybe_csv(request, report, name):
    if request.GET.get("format") == "csv":
        return _csv(report, request.GET.get("table", ""), name)
    return None


@login_required
def overview(request, slug: str):
    actor = _actor(request, slug)
    f = _filters(request, actor)
    report = reports.overview(f)
    if (resp := _maybe_csv(request, report, "overview")) is not None:
        return resp
    weekly = report["tables"]["weekly"]["rows"]
    labels = [r[0][5:] for r in weekly]
    chart_help = charts.line_chart(
        "Help requests and errors per week",
        labels,
        [("Help requests", [r[1] for r in weekly]), ("Errors", [r[2] for r in weekly])],
    )
    chart_time = charts.line_chart(
        "Average task time per week (seconds)",
        labels,
        [("Average task time", [r[4] for r in weekly])],
        unit=" s",
    )
    return render(
        request,
        "insights/overview.html",
        _context(
            request,
            actor,
            f,
            "overview",
            report=report,
            chart_help=chart_help,
            chart_time=chart_time,
        ),
    )


@login_required
def stuck_points(request, slug: str):
    actor = _actor(request, slug)
    f = _filters(request, actor)
    report = reports.stuck_points(f)
    if (resp := _maybe_csv(request, report, "stuck-points")) is not None:
        return resp
    chart = charts.bar_chart(
        "Where people get stuck (score)",
        [
            (
                " · ".join(x for x in (r["host_app"], r["page"], r["field"], r["task"]) if x),
                r["score"],
            )
            for r in report["stuck_points"][:12]
        ],
    )
    return render(
        request,
        "insights/stuck_points.html",
        _context(request, actor, f, "stuck", report=report, chart=chart),
    )


@login_required
def units(request, slug: str):
    actor = _actor(request, slug)
    f = _filters(request, actor)
    report = reports.units(f)
    if (resp := _maybe_csv(request, report, "units")) is not None:
        return resp
    chart = charts.bar_chart("Unit views", [(u["title"], u["views"]) for u in report["units"][:12]])
    return render(
        request,
        "insights/units.html",
        _context(request, actor, f, "units", report=report, chart=chart),
    )


@login_required
def unit_measure(request, slug: str, unit_id: str):
    actor = _actor(request, slug)
    f = _filters(request, actor)
    try:
        report = reports.measure_unit(f, unit_id=unit_id)
    except ApiError as exc:
        raise Http404(exc.message) from exc
    if (resp := _maybe_csv(request, report, "unit")) is not None:
        return resp
    return render(
        request,
        "insights/measure.html",
        _context(
            request,
            actor,
            f,
            "units",
            report=report,
            title=report["unit"]["title"],
            **_comparison_charts(report),
        ),
    )


@login_required
def learning_time(request, slug: str):
    actor = _actor(request, slug)
    f = _filters(request, actor)
    report = reports.learning_time(f)
    if (resp := _maybe_csv(request, report, "learning-time")) is not None:
        return resp
    weekly = report["tables"]["weekly"]["rows"]
    chart_trend = charts.line_chart(
        "Minutes of learning per person per day, by week",
        [r[0][5:] for r in weekly],
        [
            ("Mean minutes per day", [r[2] for r in weekly]),
            ("Daily budget", [report["totals"]["budget_min"]] * len(weekly)),
        ],
        unit=" min",
    )
    chart_dist = charts.bar_chart(
        "Person-days by minutes of learning",
        [tuple(r) for r in report["tables"]["distribution"]["rows"]],
    )
    return render(
        request,
        "insights/learning_time.html",
        _context(
            request,
            actor,
            f,
            "learning",
            report=report,
            chart_trend=chart_trend,
            chart_dist=chart_dist,
        ),
    )


def _comparison_charts(report: dict) -> dict:
    cells = report["cells"]
    names = {
        "group_before": f"{report['groups']['group']['label']}, before",
        "group_after": f"{report['groups']['group']['label']}, after",
        "control_before": f"{report['groups']['control']['label']}, before",
        "control_after": f"{report['groups']['control']['label']}, after",
    }
    rows = [
        (
            names[k],
            cells[k]["median_s"]["estimate"],
            cells[k]["median_s"]["low"],
            cells[k]["median_s"]["high"],
        )
        for k in names
    ]
    tt = report["task_time"]
    est_rows = [
        ("Difference-in-differences", *[tt["did_s"][k] for k in ("estimate", "low", "high")]),
        (
            "Group − control, after",
            *[tt["group_vs_control_after_s"][k] for k in ("estimate", "low", "high")],
        ),
        ("Group after − before", *[tt["group_change_s"][k] for k in ("estimate", "low", "high")]),
    ]
    conf_rows = [
        (
            names[k],
            cells[k]["confidence_mean"]["estimate"],
            cells[k]["confidence_mean"]["low"],
            cells[k]["confidence_mean"]["high"],
        )
        for k in names
    ]
    return {
        "chart_medians": charts.interval_chart("Median task time with 95% intervals", rows),
        "chart_effects": charts.interval_chart(
            "Estimated effect on median task time (negative = faster)", est_rows, zero_line=True
        ),
        "chart_confidence": charts.interval_chart(
            "Confidence (1–5) with 95% intervals", conf_rows, unit=""
        ),
        "cell_names": names,
    }


@login_required
def pilots(request, slug: str):
    actor = _actor(request, slug)
    f = _filters(request, actor)
    error = None
    if request.method == "POST":
        if not actor.can("pilots.manage"):
            raise PermissionDenied("Your role does not allow this (pilots.manage).")
        p = request.POST
        data = {
            "name": p.get("name", ""),
            "description": p.get("description", ""),
            "starts_on": p.get("starts_on"),
            "ends_on": p.get("ends_on"),
            "group_teams": [t for t in p.getlist("group_teams") if t],
            "group_people": [x for x in p.getlist("group_people") if x],
            "control_mode": p.get("control_mode", "none"),
            "control_teams": [t for t in p.getlist("control_teams") if t],
            "control_people": [x for x in p.getlist("control_people") if x],
            "unit_ids": [x for x in p.getlist("unit_ids") if x],
            "task_ids": [x for x in p.getlist("task_ids") if x],
            "placement_ids": [x for x in p.getlist("placement_ids") if x],
            "seed": int(p.get("seed") or 42),
        }
        if p.get("control_size"):
            data["control_size"] = int(p["control_size"]) if p["control_size"].isdigit() else 0
        try:
            pilot = services.create_pilot(workspace=actor.workspace, data=data)
        except ApiError as exc:
            error = exc.message
        else:
            return HttpResponseRedirect(reverse("insights:pilot", args=[slug, pilot.pk]))
    from unstuck.content.models import Unit

    listing = [reports.pilot_summary(p) for p in Pilot.objects.filter(workspace=actor.workspace)]
    report = {
        "tables": {
            "pilots": reports._table(
                ["name", "starts_on", "ends_on", "status", "control_mode"],
                [
                    [p["name"], p["starts_on"], p["ends_on"], p["status"], p["control_mode"]]
                    for p in listing
                ],
            )
        }
    }
    if (resp := _maybe_csv(request, report, "pilots")) is not None:
        return resp
    return render(
        request,
        "insights/pilots.html",
        _context(
            request,
            actor,
            f,
            "pilots",
            pilots=listing,
            error=error,
            form=request.POST if error else {},
            people=Person.objects.filter(workspace=actor.workspace, is_anonymous=False).order_by(
                "team", "name"
            ),
            units=Unit.objects.filter(workspace=actor.workspace)
            .order_by("title")
            .only("id", "title"),
            tasks=WorkTask.objects.filter(workspace=actor.workspace).select_related("host_app"),
            placements=_placements(actor.workspace),
        ),
    )


def _placements(workspace):
    try:
        from unstuck.delivery.models import Placement
    except ImportError:
        return []
    return list(
        Placement.objects.filter(workspace=workspace).select_related("unit", "host_app")[:200]
    )


def _pilot_or_404(actor, pilot_id) -> Pilot:
    try:
        uuid.UUID(str(pilot_id))
    except ValueError as exc:
        raise Http404("No such pilot.") from exc
    pilot = Pilot.objects.filter(workspace=actor.workspace, pk=pilot_id).first()
    if pilot is None:
        raise Http404("No such pilot.")
    return pilot


@login_required
def pilot(request, slug: str, pilot_id, print_view: bool = False):
    actor = _actor(request, slug)
    f = _filters(request, actor)
    obj = _pilot_or_404(actor, pilot_id)
    if request.method == "POST":
        if not actor.can("pilots.manage"):
            raise PermissionDenied("Your role does not allow this (pilots.manage).")
        if request.POST.get("action") == "delete":
            services.delete_pilot(pilot=obj)
            return HttpResponseRedirect(reverse("insights:pilots", args=[slug]))
    teams = actor.visible_teams()
    report = reports.pilot_report(obj, teams=tuple(teams) if teams is not None else None)
    if (resp := _maybe_csv(request, report, "pilot")) is not None:
        return resp
    units_ = list(obj.units.values_list("title", flat=True))
    template = "insights/pilot_print.html" if print_view else "insights/pilot.html"
    return render(
        request,
        template,
        _context(
            request,
            actor,
            f,
            "pilots",
            report=report,
            pilot=obj,
            pilot_units=units_,
            pilot_tasks=list(obj.tasks.values_list("name", flat=True)),
            **_comparison_charts(report),
        ),
    )


@login_required
def pilot_print(request, slug: str, pilot_id):
    return pilot(request, slug, pilot_id, print_view=True)


@login_required
def tasks(request, slug: str):
    actor = _actor(request, slug)
    f = _filters(request, actor)
    error = None
    if request.method == "POST":
        if not actor.can("pilots.manage"):
            raise PermissionDenied("Your role does not allow this (pilots.manage).")
        p = request.POST
        try:
            if p.get("action") == "delete":
                task = WorkTask.objects.filter(workspace=actor.workspace, pk=p.get("id")).first()
                if task is None:
                    raise Http404("No such task.")
                services.delete_task(task=task)
            else:
                services.create_task(
                    workspace=actor.workspace,
                    host_app=p.get("host_app", ""),
                    key=p.get("key", ""),
                    name=p.get("name", ""),
                    description=p.get("description", ""),
                    start_event=p.get("start_event") or "task_started",
                    end_event=p.get("end_event") or "task_completed",
                    fail_event=p.get("fail_event") or "task_failed",
                )
        except ApiError as exc:
            error = exc.message
        else:
            return HttpResponseRedirect(reverse("insights:tasks", args=[slug]))
    rows = list(WorkTask.objects.filter(workspace=actor.workspace).select_related("host_app"))
    report = {
        "tables": {
            "tasks": reports._table(
                ["host_app", "key", "name", "start_event", "end_event", "fail_event", "usual_s"],
                [
                    [
                        t.host_app.slug,
                        t.key,
                        t.name,
                        t.start_event,
                        t.end_event,
                        t.fail_event,
                        round(t.usual_duration_ms / 1000, 1) if t.usual_duration_ms else None,
                    ]
                    for t in rows
                ],
            )
        }
    }
    if (resp := _maybe_csv(request, report, "tasks")) is not None:
        return resp
    return render(
        request,
        "insights/tasks.html",
        _context(
            request,
            actor,
            f,
            "tasks",
            work_tasks=rows,
            report=report,
            error=error,
            form=request.POST,
        ),
    )
