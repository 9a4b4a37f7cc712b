"""The numbers behind every dashboard and API answer, read from the rollups.

Each report returns a plain dict (JSON-ready) with a `tables` entry: name ->
{"columns": [...], "rows": [[...], ...]}; the pages render those tables, the CSV export
writes them, and the API returns the same dict, so page and API cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.utils import timezone

from unstuck.accounts.models import Person, Workspace
from unstuck.errors import ApiError

from . import stats
from .models import PersonDay, Pilot, PlaceDay, TaskAttempt, UnitTaskDay, WorkTask
from .rollups import USUAL_WINDOW_DAYS

DEFAULT_DAYS = 28
MAX_DAYS = 366


@dataclass(frozen=True)
class Filters:
    workspace: Workspace
    start: date
    end: date  # inclusive
    host_app: str = ""
    teams: tuple[str, ...] | None = None  # None: every team

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "app": self.host_app,
            "teams": list(self.teams) if self.teams is not None else None,
        }


def _parse_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ApiError(f"{field}: a date like 2026-03-01.", field=field) from exc


def filters_from(
    *,
    workspace: Workspace,
    visible_teams: list[str] | None,
    start: str = "",
    end: str = "",
    app: str = "",
    team: str = "",
    days: int | None = None,
) -> Filters:
    """Filters from request parameters. A manager's view is always limited to their
    teams; asking for another team is refused rather than silently showing nothing."""
    end_d = _parse_date(end, "end") if end else timezone.now().date()
    if start:
        start_d = _parse_date(start, "start")
    else:
        n = DEFAULT_DAYS if days is None else days
        if not 1 <= n <= MAX_DAYS:
            raise ApiError(f"days: between 1 and {MAX_DAYS}.", field="days")
        start_d = end_d - timedelta(days=n - 1)
    if start_d > end_d:
        raise ApiError("start: the period starts after it ends.", field="start")
    if (end_d - start_d).days >= MAX_DAYS:
        raise ApiError(f"start: a period is at most {MAX_DAYS} days.", field="start")
    teams: tuple[str, ...] | None = tuple(visible_teams) if visible_teams is not None else None
    if team:
        if teams is not None and team not in teams:
            raise ApiError(
                f"team: you can see the teams {', '.join(teams)} only.",
                status=403,
                code="forbidden",
                field="team",
            )
        teams = (team,)
    return Filters(workspace, start_d, end_d, app.strip(), teams)


def _scoped(qs, f: Filters, *, app: bool = True):
    qs = qs.filter(workspace=f.workspace, day__gte=f.start, day__lte=f.end)
    if f.teams is not None:
        qs = qs.filter(team__in=f.teams)
    if app and f.host_app:
        qs = qs.filter(host_app=f.host_app)
    return qs


def _table(columns: list[str], rows: list[list[Any]]) -> dict[str, Any]:
    return {"columns": columns, "rows": rows}


def _week(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _r(x: float | None, nd: int = 1) -> float | None:
    return None if x is None else round(float(x), nd)


# --- overview --------------------------------------------------------------------------


def overview(f: Filters) -> dict[str, Any]:
    place = _scoped(PlaceDay.objects, f)
    sums = place.aggregate(
        help_requests=Sum("help_requests"),
        failed_searches=Sum("failed_searches"),
        errors=Sum("errors"),
        task_attempts=Sum("task_attempts"),
        task_failures=Sum("task_failures"),
        unit_views=Sum("unit_views"),
        unit_completions=Sum("unit_completions"),
        helpful_yes=Sum("helpful_yes"),
        helpful_no=Sum("helpful_no"),
        confidence_sum=Sum("confidence_sum"),
        confidence_n=Sum("confidence_n"),
    )
    sums = {k: v or 0 for k, v in sums.items()}
    attempts = _scoped(TaskAttempt.objects, f)
    timed = attempts.filter(is_success=True, duration_ms__isnull=False)
    if connection.vendor == "postgresql":
        # The database computes both quantiles in one pass (percentile_cont interpolates
        # like numpy's default); no transfer of 10^5 values.
        sql, params = timed.values_list("duration_ms").order_by().query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d), "
                f"percentile_cont(0.75) WITHIN GROUP (ORDER BY d) FROM ({sql}) AS t(d)",
                params,
            )
            median_ms, p75_ms = cursor.fetchone()
    else:
        # SQLite sorts slower than numpy; read the integers straight from the index.
        values = [r[0] for r in _raw_rows(timed.values_list("duration_ms").order_by())]
        median_ms, p75_ms = stats.percentile(values, 50), stats.percentile(values, 75)
    counted = attempts.aggregate(
        n=Count("day"), bad=Count("day", filter=Q(errors__gt=0) | Q(is_success=False))
    )
    n_attempts, with_error = counted["n"], counted["bad"]
    persons = _scoped(PersonDay.objects, f, app=False)
    people = persons.values("person").distinct().count()
    helped = (
        persons.filter(Q(help_requests__gt=0) | Q(unit_views__gt=0))
        .values("person")
        .distinct()
        .count()
    )

    weekly: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in place.values("day").annotate(
        h=Sum("help_requests"),
        e=Sum("errors"),
        a=Sum("task_attempts"),
        t=Sum("task_time_ms"),
        v=Sum("unit_views"),
    ):
        w = weekly[_week(row["day"])]
        for k in ("h", "e", "a", "t", "v"):
            w[k] += row[k] or 0
    weeks = sorted(weekly)
    trend = [
        [
            w.isoformat(),
            weekly[w]["h"],
            weekly[w]["e"],
            weekly[w]["a"],
            _r(weekly[w]["t"] / weekly[w]["a"] / 1000) if weekly[w]["a"] else None,
            weekly[w]["v"],
        ]
        for w in weeks
    ]
    rated = sums["helpful_yes"] + sums["helpful_no"]
    totals = {
        "help_requests": sums["help_requests"],
        "failed_searches": sums["failed_searches"],
        "errors": sums["errors"],
        "task_attempts": n_attempts,
        "error_rate": _r(with_error / n_attempts, 3) if n_attempts else None,
        "median_task_s": _r(median_ms / 1000) if median_ms is not None else None,
        "p75_task_s": _r(p75_ms / 1000) if p75_ms is not None else None,
        "unit_views": sums["unit_views"],
        "unit_completions": sums["unit_completions"],
        "helpful_rate": _r(sums["helpful_yes"] / rated, 3) if rated else None,
        "confidence_mean": _r(sums["confidence_sum"] / sums["confidence_n"], 2)
        if sums["confidence_n"]
        else None,
        "confidence_answers": sums["confidence_n"],
        "active_people": people,
        "adoption": _r(helped / people, 3) if people else None,
        "people_helped": helped,
    }
    stuck = stuck_points(f, limit=5)
    today = timezone.now().date()
    pilots = [
        [p.name, p.starts_on.isoformat(), p.ends_on.isoformat(), p.status_on(today)]
        for p in Pilot.objects.filter(workspace=f.workspace).order_by("-starts_on")[:10]
    ]
    return {
        "filters": f.as_dict(),
        "totals": totals,
        "tables": {
            "weekly": _table(
                ["week", "help_requests", "errors", "task_attempts", "avg_task_s", "unit_views"],
                trend,
            ),
            "top_stuck_points": stuck["tables"]["stuck_points"],
            "pilots": _table(["pilot", "starts_on", "ends_on", "status"], pilots),
        },
    }


# --- stuck points ------------------------------------------------------------------------


def usual_times(workspace: Workspace) -> dict[tuple[str, str], int]:
    """(host app, task) -> usual duration in ms: the WorkTask's refreshed value, else the
    median of the last 8 weeks of completed attempts of an undefined task."""
    usual = {
        (t.host_app.slug, t.key): t.usual_duration_ms
        for t in WorkTask.objects.filter(workspace=workspace).select_related("host_app")
        if t.usual_duration_ms
    }
    since = timezone.now().date() - timedelta(days=USUAL_WINDOW_DAYS)
    # Which tasks happened, from the small daily table rather than the attempts.
    pairs = (
        PlaceDay.objects.filter(workspace=workspace, day__gte=since, task_attempts__gt=0)
        .exclude(task="")
        .values_list("host_app", "task")
        .distinct()
    )
    for app, task in pairs:
        if (app, task) in usual:
            continue
        durations = list(
            TaskAttempt.objects.filter(
                workspace=workspace,
                host_app=app,
                task=task,
                day__gte=since,
                is_success=True,
                duration_ms__isnull=False,
            ).values_list("duration_ms", flat=True)
        )
        if durations:
            usual[(app, task)] = int(
                stats.median([float(d) for d in durations if d is not None]) or 0
            )
    return usual


def _placement_index(workspace: Workspace) -> list[tuple[str, Any, str, str]]:
    """(host app slug, compiled pattern, field key, unit title) of active placements.

    Dependency: delivery owns placements; this reads `delivery.models.Placement` and uses
    `delivery.matching.compile_pattern`, the same matcher the widget context uses.
    """
    try:
        from unstuck.delivery.matching import compile_pattern
        from unstuck.delivery.models import Placement
    except ImportError:
        return []
    # A release note announces a feature everywhere; it does not answer a stuck point.
    rows = Placement.objects.filter(
        workspace=workspace, is_active=True, is_release_note=False
    ).values_list("host_app__slug", "url_pattern", "field_key", "unit__title")
    return [(app, compile_pattern(pattern), fld, title) for app, pattern, fld, title in rows]


def _placed_units(index, app: str, page: str, fld: str) -> list[str]:
    titles = []
    for p_app, regex, p_field, title in index:
        if p_app != app or not regex.match(page or "/"):
            continue
        if p_field and fld and p_field != fld:
            continue
        titles.append(title)
    return sorted(set(titles))


# Failed searches weigh double: someone looked for help and found nothing at all.
SCORE_WEIGHTS = {"help_requests": 1, "failed_searches": 2, "errors": 1, "slow_tasks": 1}


def stuck_points(f: Filters, *, limit: int = 50) -> dict[str, Any]:
    """Step 1: rank places (app, page, field, task) on help requests, failed searches,
    errors and slow tasks, with whether any unit is placed there."""
    rows = (
        _scoped(PlaceDay.objects, f)
        .values("host_app", "page", "field", "task")
        .annotate(
            help_requests=Sum("help_requests"),
            failed_searches=Sum("failed_searches"),
            errors=Sum("errors"),
            attempts=Sum("task_attempts"),
        )
    )
    places: dict[tuple, dict[str, int]] = {}
    for row in rows:
        if not (row["help_requests"] or row["failed_searches"] or row["errors"] or row["attempts"]):
            continue
        key = (row["host_app"], row["page"], row["field"], row["task"])
        places[key] = {
            "help_requests": row["help_requests"],
            "failed_searches": row["failed_searches"],
            "errors": row["errors"],
            "attempts": row["attempts"],
            "slow_tasks": 0,
        }
    usual = usual_times(f.workspace)
    # PostgreSQL counts every task's slow attempts in one parallel scan; SQLite is
    # faster with one covering-index range per task (it cannot use an index for ORs).
    wanted = [
        (app, task, ms) for (app, task), ms in usual.items() if not f.host_app or app == f.host_app
    ]
    groups = [wanted] if connection.vendor == "postgresql" else [[w] for w in wanted]
    slow_rows: list[dict[str, Any]] = []
    for group in groups if wanted else []:
        slow_cond = Q()
        for app, task, usual_ms in group:
            slow_cond |= Q(host_app=app, task=task, duration_ms__gt=usual_ms)
        slow_rows += list(
            _scoped(TaskAttempt.objects, f)
            .filter(slow_cond)
            .values("host_app", "page", "task")
            .annotate(n=Count("day"))
        )
    for row in slow_rows:
        key = (row["host_app"], row["page"], "", row["task"])
        entry = places.setdefault(
            key,
            {"help_requests": 0, "failed_searches": 0, "errors": 0, "attempts": 0, "slow_tasks": 0},
        )
        entry["slow_tasks"] += row["n"]
    index = _placement_index(f.workspace)
    ranked = []
    for (app, page, fld, task), m in places.items():
        score = sum(m[k] * w for k, w in SCORE_WEIGHTS.items())
        if score == 0:
            continue
        units = _placed_units(index, app, page, fld)
        ranked.append(
            {
                "host_app": app,
                "page": page,
                "field": fld,
                "task": task,
                **m,
                "score": score,
                "covered": bool(units),
                "units": units,
                "usual_task_s": _r(usual[(app, task)] / 1000) if (app, task) in usual else None,
            }
        )
    ranked.sort(key=lambda r: (-r["score"], r["host_app"], r["page"], r["field"], r["task"]))
    gaps = [r for r in ranked if not r["covered"]][:10]
    cols = [
        "host_app",
        "page",
        "field",
        "task",
        "help_requests",
        "failed_searches",
        "errors",
        "slow_tasks",
        "score",
        "covered",
        "units",
    ]

    def as_row(r):
        return [r[c] if c != "units" else "; ".join(r["units"]) for c in cols]

    return {
        "filters": f.as_dict(),
        "stuck_points": ranked[:limit],
        "gaps": gaps,
        "tables": {
            "stuck_points": _table(cols, [as_row(r) for r in ranked[:limit]]),
            "gaps": _table(cols[:-2], [as_row(r)[:-2] for r in gaps]),
        },
    }


# --- learning time -------------------------------------------------------------------------


def learning_time(f: Filters) -> dict[str, Any]:
    """The 4-minute principle: minutes of learning per person per active day against the
    workspace's daily budget. Days without learning are not counted as zero-minute days
    (a person who did not work that day is not "under budget")."""
    budget_ms = f.workspace.daily_budget_s * 1000
    rows = list(
        _scoped(PersonDay.objects, f, app=False)
        .filter(learning_ms__gt=0)
        .values_list("person_id", "day", "learning_ms")
    )
    names = dict(
        Person.objects.filter(workspace=f.workspace, id__in={r[0] for r in rows}).values_list(
            "id", "name"
        )
    )
    teams = dict(
        Person.objects.filter(workspace=f.workspace, id__in={r[0] for r in rows}).values_list(
            "id", "team"
        )
    )
    per_person: dict[Any, list[int]] = defaultdict(list)
    weekly: dict[date, list[int]] = defaultdict(list)
    for pid, day, ms in rows:
        per_person[pid].append(ms)
        weekly[_week(day)].append(ms)
    over = sum(1 for r in rows if r[2] > budget_ms)
    buckets = [
        ("0–1 min", 0, 60_000),
        ("1–2 min", 60_000, 120_000),
        ("2–4 min", 120_000, 240_000),
        ("4–6 min", 240_000, 360_000),
        ("over 6 min", 360_000, 10**12),
    ]
    histogram = [[label, sum(1 for r in rows if lo <= r[2] < hi)] for label, lo, hi in buckets]
    people = sorted(
        (
            [
                names.get(pid) or str(pid),
                teams.get(pid, ""),
                len(v),
                _r(sum(v) / len(v) / 60000, 2),
                sum(1 for x in v if x > budget_ms),
                _r(sum(1 for x in v if x > budget_ms) / len(v), 3),
            ]
            for pid, v in per_person.items()
        ),
        key=lambda r: (-r[3], r[0]),
    )
    totals = {
        "budget_min": _r(budget_ms / 60000, 2),
        "person_days": len(rows),
        "people": len(per_person),
        "mean_min_per_day": _r(sum(r[2] for r in rows) / len(rows) / 60000, 2) if rows else None,
        "median_min_per_day": _r((stats.median([r[2] for r in rows]) or 0) / 60000, 2)
        if rows
        else None,
        "days_over_budget": over,
        "share_over_budget": _r(over / len(rows), 3) if rows else None,
    }
    return {
        "filters": f.as_dict(),
        "totals": totals,
        "tables": {
            "weekly": _table(
                ["week", "person_days", "mean_min_per_day", "share_over_budget"],
                [
                    [
                        w.isoformat(),
                        len(v),
                        _r(sum(v) / len(v) / 60000, 2),
                        _r(sum(1 for x in v if x > budget_ms) / len(v), 3),
                    ]
                    for w, v in sorted(weekly.items())
                ],
            ),
            "distribution": _table(["minutes_per_day", "person_days"], histogram),
            "people": _table(
                [
                    "person",
                    "team",
                    "days",
                    "mean_min_per_day",
                    "days_over_budget",
                    "share_over_budget",
                ],
                people,
            ),
        },
    }


# --- units -------------------------------------------------------------------------------


def units(f: Filters) -> dict[str, Any]:
    """Per unit: views, completion, helpful rate, and task outcome in sessions after
    viewing it against attempts at the same tasks without it."""
    from unstuck.content.models import Unit

    rows = (
        _scoped(PlaceDay.objects, f)
        .exclude(unit_id="")
        .values("unit_id")
        .annotate(
            views=Sum("unit_views"),
            completions=Sum("unit_completions"),
            yes=Sum("helpful_yes"),
            no=Sum("helpful_no"),
        )
    )
    by_unit = {
        r["unit_id"]: r for r in rows if r["views"] or r["completions"] or r["yes"] or r["no"]
    }
    totals_by_task = {
        r["task"]: r
        for r in _scoped(TaskAttempt.objects, f)
        .values("task")
        .annotate(
            n=Count("day"),
            ok=Count("day", filter=Q(is_success=True)),
            t=Sum("duration_ms"),
            timed=Count("duration_ms"),
        )
    }
    with_rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in (
        _scoped(UnitTaskDay.objects, f, app=False)
        .values("unit_id", "task")
        .annotate(n=Sum("attempts"), ok=Sum("successes"), t=Sum("time_ms"), timed=Sum("timed"))
    ):
        if r["task"] not in totals_by_task:
            continue
        w = with_rows[r["unit_id"]]
        tot = totals_by_task[r["task"]]
        w["n"] += r["n"]
        w["ok"] += r["ok"]
        w["t"] += r["t"]
        w["timed"] += r["timed"]
        w["n0"] += tot["n"] - r["n"]
        w["ok0"] += tot["ok"] - r["ok"]
        w["t0"] += (tot["t"] or 0) - r["t"]
        w["timed0"] += tot["timed"] - r["timed"]
    titles = dict(Unit.objects.filter(workspace=f.workspace).values_list("id", "title"))
    titles = {str(k): v for k, v in titles.items()}
    out = []
    for uid in sorted(set(by_unit) | set(with_rows)):
        r = by_unit.get(uid, {"views": 0, "completions": 0, "yes": 0, "no": 0})
        w = with_rows.get(uid, {})
        rated = (r["yes"] or 0) + (r["no"] or 0)
        n, n0 = w.get("n", 0), w.get("n0", 0)
        after = stats.wilson_interval(w.get("ok", 0), n)
        without = stats.wilson_interval(w.get("ok0", 0), n0)
        if n < stats.MIN_SAMPLE or n0 < stats.MIN_SAMPLE:
            verdict = f"Too few task attempts after viewing ({n}) or without it ({n0}) to compare."
        else:
            verdict = (
                stats.proportion_verdict(without, after, what="task success rate")
                .replace("fell from", "is lower after viewing:")
                .replace("rose from", "is higher after viewing:")
            )
        out.append(
            {
                "unit_id": uid,
                "title": titles.get(uid, "(deleted unit)"),
                "views": r["views"] or 0,
                "completions": r["completions"] or 0,
                "completion_rate": _r((r["completions"] or 0) / r["views"], 3)
                if r["views"]
                else None,
                "helpful_rate": _r((r["yes"] or 0) / rated, 3) if rated else None,
                "helpful_answers": rated,
                "attempts_after_view": n,
                "success_after_view": _r(after.estimate, 3),
                "attempts_without": n0,
                "success_without": _r(without.estimate, 3),
                "time_after_view_s": _r(w["t"] / w["timed"] / 1000) if w.get("timed") else None,
                "time_without_s": _r(w["t0"] / w["timed0"] / 1000) if w.get("timed0") else None,
                "verdict": verdict,
            }
        )
    out.sort(key=lambda u: (-u["views"], u["title"]))
    cols = [
        "title",
        "views",
        "completions",
        "completion_rate",
        "helpful_rate",
        "attempts_after_view",
        "success_after_view",
        "attempts_without",
        "success_without",
        "time_after_view_s",
        "time_without_s",
    ]
    return {
        "filters": f.as_dict(),
        "units": out,
        "tables": {"units": _table(cols, [[u[c] for c in cols] for u in out])},
    }


# --- comparisons (pilots, units, placements) ------------------------------------------------


def _raw_rows(qs) -> list[tuple]:
    """Rows of a values_list queryset straight from the cursor. Integer columns need no
    conversion, and skipping Django's per-row converters halves the time over 10^5 rows."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _group_cells(
    f_ws: Workspace,
    people: set,
    before: tuple[date, date],
    after: tuple[date, date],
    tasks: list[tuple[str, str]] | None,
    teams: tuple[str, ...] | None,
) -> dict[str, dict[str, Any]]:
    """The measures of one group in the before and after periods.

    Attempts are read as (period, duration) integer pairs from a covering index: no
    table lookups and no per-row conversions, which matters over 100,000s of rows.
    """
    period = Case(
        When(day__gte=after[0], then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    qs = TaskAttempt.objects.filter(
        workspace=f_ws, person_id__in=people, day__gte=before[0], day__lte=after[1]
    ).exclude(day__gt=before[1], day__lt=after[0])
    pd = PersonDay.objects.filter(
        workspace=f_ws, person_id__in=people, day__gte=before[0], day__lte=after[1]
    )
    if teams is not None:
        qs, pd = qs.filter(team__in=teams), pd.filter(team__in=teams)
    if tasks:
        cond = Q()
        for app, key in tasks:
            cond |= Q(host_app=app, task=key)
        qs = qs.filter(cond)
    cells: dict[str, dict[str, Any]] = {
        name: {
            "durations": [],
            "attempts": 0,
            "bad": 0,
            "help": {p: 0 for p in people},
            "people": len(people),
            "confidence": [0, 0, 0, 0, 0],
            "used": set(),
        }
        for name in ("before", "after")
    }
    names = ("before", "after")
    for p, ms in _raw_rows(
        qs.filter(is_success=True, duration_ms__isnull=False)
        .annotate(period=period)
        .values_list("period", "duration_ms")
        .order_by()
    ):
        cells[names[p]]["durations"].append(ms)
    for row in (
        qs.annotate(period=period)
        .values("period")
        .order_by()
        .annotate(n=Count("day"), bad=Count("day", filter=Q(is_success=False) | Q(errors__gt=0)))
    ):
        cells[names[row["period"]]]["attempts"] = row["n"]
        cells[names[row["period"]]]["bad"] = row["bad"]
    for pid, day, h, v, c in pd.values_list(
        "person_id", "day", "help_requests", "unit_views", "confidence"
    ):
        if before[1] < day < after[0]:
            continue
        cell = cells["after" if day >= after[0] else "before"]
        cell["help"][pid] = cell["help"].get(pid, 0) + h
        if h or v:
            cell["used"].add(pid)
        for i, n in enumerate(c or []):
            cell["confidence"][i] += n
    for cell in cells.values():
        cell["help"] = list(cell["help"].values())
        cell["answers"] = [i + 1 for i, n in enumerate(cell["confidence"]) for _ in range(n)]
        cell["adopted"] = len(cell.pop("used"))
    return cells


def compare(
    *,
    workspace: Workspace,
    group: set,
    control: set,
    before: tuple[date, date],
    after: tuple[date, date],
    tasks: list[tuple[str, str]] | None = None,
    teams: tuple[str, ...] | None = None,
    group_label: str = "pilot group",
    control_label: str = "control group",
) -> dict[str, Any]:
    """Task time (median, p75) before/after and group vs control with 95% bootstrap
    intervals, a difference-in-differences estimate, help requests per person-week,
    error rate per attempt, confidence and adoption, with plain-language verdicts."""
    cells = {}
    for g, people in (("group", group), ("control", control)):
        for period, cell in _group_cells(workspace, people, before, after, tasks, teams).items():
            cells[(g, period)] = cell
    weeks = {
        p: max(((rng[1] - rng[0]).days + 1) / 7, 1 / 7)
        for p, rng in (("before", before), ("after", after))
    }
    out: dict[str, Any] = {
        "periods": {
            "before": [before[0].isoformat(), before[1].isoformat()],
            "after": [after[0].isoformat(), after[1].isoformat()],
        },
        "groups": {
            "group": {"label": group_label, "people": len(group)},
            "control": {"label": control_label, "people": len(control)},
        },
        "cells": {},
    }
    interval_rows = []
    for (g, period), c in cells.items():
        med = stats.bootstrap_ci(c["durations"], "median")
        p75 = stats.bootstrap_ci(c["durations"], "p75")
        err = stats.wilson_interval(c["bad"], c["attempts"])
        helps = (
            stats.rate_per_person_week(c["help"], weeks[period])
            if c["help"]
            else stats.Interval(None, None, None, 0)
        )
        conf = stats.bootstrap_ci(c["answers"], "mean")
        out["cells"][f"{g}_{period}"] = {
            "attempts": c["attempts"],
            "timed": len(c["durations"]),
            "median_s": _sec(med),
            "p75_s": _sec(p75),
            "error_rate": _iv(err, 3),
            "help_per_person_week": _iv(helps, 2),
            "confidence_mean": _iv(conf, 2),
            "confidence_distribution": c["confidence"],
            "adoption": _r(c["adopted"] / c["people"], 3) if c["people"] else None,
        }
        interval_rows.append([g, period, c["attempts"], *_sec(med).values(), *_sec(p75).values()])
    gb, ga, cb, ca = (
        cells[k]["durations"]
        for k in (
            ("group", "before"),
            ("group", "after"),
            ("control", "before"),
            ("control", "after"),
        )
    )
    did = stats.diff_in_diff(gb, ga, cb, ca, "median")
    vs = stats.difference_ci(ca, ga, "median")
    change = stats.difference_ci(gb, ga, "median")
    has_control = bool(control)
    if has_control:
        verdict = stats.time_verdict(
            did,
            pilot_n=min(len(gb), len(ga)),
            control_n=min(len(cb), len(ca)),
            subject=f"the {group_label}",
        )
    else:
        verdict = (
            "No control group: the before/after change below also contains everything else that changed "
            "in the period. "
            + stats.time_verdict(
                change,
                pilot_n=min(len(gb), len(ga)),
                control_n=min(len(gb), len(ga)),
                subject=f"the {group_label}",
            )
        )
    out["task_time"] = {
        "did_s": _sec(did),
        "group_vs_control_after_s": _sec(vs),
        "group_change_s": _sec(change),
        "verdict": verdict,
    }
    e = out["cells"]
    out["verdicts"] = {
        "task_time": verdict,
        "errors": stats.proportion_verdict(
            stats.wilson_interval(
                cells[("group", "before")]["bad"], cells[("group", "before")]["attempts"]
            ),
            stats.wilson_interval(
                cells[("group", "after")]["bad"], cells[("group", "after")]["attempts"]
            ),
            what=f"the error rate per task attempt in the {group_label}",
        ),
        "confidence": stats.mean_verdict(
            stats.bootstrap_ci(cells[("group", "before")]["answers"], "mean"),
            stats.bootstrap_ci(cells[("group", "after")]["answers"], "mean"),
            what=f"confidence in the {group_label}",
            unit=" of 5",
        ),
    }
    out["tables"] = {
        "task_time": _table(
            [
                "group",
                "period",
                "attempts",
                "median_s",
                "median_low_s",
                "median_high_s",
                "median_n",
                "p75_s",
                "p75_low_s",
                "p75_high_s",
                "p75_n",
            ],
            interval_rows,
        ),
        "measures": _table(
            ["measure", "group_before", "group_after", "control_before", "control_after"],
            [
                ["error_rate", *(e[k]["error_rate"]["estimate"] for k in _CELLS)],
                [
                    "help_per_person_week",
                    *(e[k]["help_per_person_week"]["estimate"] for k in _CELLS),
                ],
                ["confidence_mean", *(e[k]["confidence_mean"]["estimate"] for k in _CELLS)],
                ["adoption", *(e[k]["adoption"] for k in _CELLS)],
            ],
        ),
        "estimates": _table(
            ["estimate", "value_s", "low_s", "high_s"],
            [
                ["difference_in_differences_median", *list(_sec(did).values())[:3]],
                ["group_minus_control_after_median", *list(_sec(vs).values())[:3]],
                ["group_after_minus_before_median", *list(_sec(change).values())[:3]],
            ],
        ),
    }
    return out


_CELLS = ("group_before", "group_after", "control_before", "control_after")


def _sec(iv: stats.Interval) -> dict[str, Any]:
    return {
        "estimate": _r(iv.estimate / 1000) if iv.estimate is not None else None,
        "low": _r(iv.low / 1000) if iv.low is not None else None,
        "high": _r(iv.high / 1000) if iv.high is not None else None,
        "n": iv.n,
    }


def _iv(iv: stats.Interval, nd: int) -> dict[str, Any]:
    return {
        "estimate": _r(iv.estimate, nd),
        "low": _r(iv.low, nd),
        "high": _r(iv.high, nd),
        "n": iv.n,
    }


def pilot_report(pilot: Pilot, *, teams: tuple[str, ...] | None = None) -> dict[str, Any]:
    """A pilot against its control group: the pilot period (start to end, or today) after,
    the same number of days just before the start as the baseline."""
    from .services import group_person_ids

    today = timezone.now().date()
    after_end = min(pilot.ends_on, today)
    if after_end < pilot.starts_on:
        after_end = pilot.starts_on
    length = (after_end - pilot.starts_on).days + 1
    before = (pilot.starts_on - timedelta(days=length), pilot.starts_on - timedelta(days=1))
    tasks = [(t.host_app.slug, t.key) for t in pilot.tasks.select_related("host_app")] or None
    result = compare(
        workspace=pilot.workspace,
        group=group_person_ids(pilot),
        control=group_person_ids(pilot, control=True),
        before=before,
        after=(pilot.starts_on, after_end),
        tasks=tasks,
        teams=teams,
    )
    result["pilot"] = pilot_summary(pilot, today=today)
    return result


def pilot_summary(pilot: Pilot, *, today: date | None = None) -> dict[str, Any]:
    today = today or timezone.now().date()
    return {
        "id": str(pilot.pk),
        "name": pilot.name,
        "description": pilot.description,
        "starts_on": pilot.starts_on.isoformat(),
        "ends_on": pilot.ends_on.isoformat(),
        "status": pilot.status_on(today),
        "control_mode": pilot.control_mode,
        "seed": pilot.seed,
        "group_teams": pilot.group_teams,
        "control_teams": pilot.control_teams,
        "group_people": sorted(str(p) for p in pilot.group_people.values_list("id", flat=True)),
        "control_people": sorted(str(p) for p in pilot.control_people.values_list("id", flat=True)),
        "unit_ids": sorted(str(u) for u in pilot.units.values_list("id", flat=True)),
        "placement_ids": pilot.placement_ids,
        "task_ids": sorted(str(t) for t in pilot.tasks.values_list("id", flat=True)),
    }


def measure_unit(f: Filters, *, unit_id: str = "", placement_id: str = "") -> dict[str, Any]:
    """Any unit or placement over a chosen period: people who viewed the unit in the
    period against everyone else active then, before (the same number of days just
    before) and during the period. For a placement, its unit on its host app's tasks."""
    from unstuck.content.models import Unit
    from unstuck.lrs import profile as P
    from unstuck.lrs.models import Statement

    tasks = None
    label = "viewers"
    if placement_id:
        try:
            from unstuck.delivery.models import Placement

            placement = (
                Placement.objects.select_related("host_app")
                .filter(workspace=f.workspace, id=placement_id)
                .first()
            )
        except (ImportError, ValueError, Exception):
            placement = None
        if placement is None:
            raise ApiError(
                "placement: no such placement in this workspace.",
                status=404,
                code="not_found",
                field="placement",
            )
        unit_id = str(placement.unit_id)
        tasks = [
            (t.host_app.slug, t.key)
            for t in WorkTask.objects.filter(
                workspace=f.workspace, host_app=placement.host_app
            ).select_related("host_app")
        ] or None
    try:
        unit = Unit.objects.filter(workspace=f.workspace, id=unit_id).first()
    except Exception:  # not a UUID
        unit = None
    if unit is None:
        raise ApiError(
            "unit: no such unit in this workspace.", status=404, code="not_found", field="unit"
        )
    from datetime import datetime

    start_dt = datetime(f.start.year, f.start.month, f.start.day, tzinfo=UTC)
    end_dt = datetime(f.end.year, f.end.month, f.end.day, tzinfo=UTC) + timedelta(days=1)
    viewers = set(
        Statement.objects.filter(
            workspace=f.workspace,
            unit_id=str(unit.pk),
            verb_id=P.VERB_EXPERIENCED,
            timestamp__gte=start_dt,
            timestamp__lt=end_dt,
            person__isnull=False,
        )
        .values_list("person_id", flat=True)
        .distinct()
    )
    active = set(
        _scoped(PersonDay.objects, f, app=False).values_list("person_id", flat=True).distinct()
    )
    before = (f.start - timedelta(days=f.days), f.start - timedelta(days=1))
    result = compare(
        workspace=f.workspace,
        group=viewers,
        control=active - viewers,
        before=before,
        after=(f.start, f.end),
        tasks=tasks,
        teams=f.teams,
        group_label=label,
        control_label="people who did not view it",
    )
    result["unit"] = {"id": str(unit.pk), "title": unit.title}
    result["filters"] = f.as_dict()
    return result
