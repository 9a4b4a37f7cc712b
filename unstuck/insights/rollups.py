"""Daily rollups of the statement log, incremental and rebuildable.

`build_rollups(workspace=)` reads the statements stored since the last run, finds the
days they belong to (by `timestamp`) and recomputes those whole days from the log.
Because a day is always recomputed from scratch, an incremental run and a full
rebuild give identical rows (tests/test_rollups.py checks it). A task attempt that
ends on a day may have started on the previous one, so each batch of days is read
with one day of look-back that only feeds the pairing state.

Classification of statements (the Unstuck xAPI profile, lrs/profile.py):
- help request: requested-help, searched, asked (a search with results-count 0 is a
  failed search: a content gap);
- error: encountered-error;
- task start/end: started / completed / failed on a work-task activity, or a tracked
  host event whose name a WorkTask lists as its start, end or fail event;
- unit view / completion: experienced / completed on a unit; helpful: rated with the
  helpful extension; confidence: rated with the confidence extension (1..5);
- learning time: for each (session, unit), the longest duration any of its statements
  reports (views and completions of one unit are not added twice), plus reviews.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from unstuck.accounts.models import Person, Workspace
from unstuck.lrs import profile as P

from .models import PersonDay, PlaceDay, RollupState, TaskAttempt, UnitTaskDay, WorkTask

BATCH_DAYS = 7
# Statements stored in the last few seconds may belong to transactions that have not
# committed yet; the next run reads them again, so none is skipped.
SAFETY_LAG = timedelta(seconds=5)
# A start older than this is not paired with an end (the person went home).
MAX_ATTEMPT = timedelta(hours=4)
USUAL_WINDOW_DAYS = 56
# A run that recomputes more days than this refreshes the planner's statistics.
ANALYZE_AFTER_DAYS = 14
# A unit viewed this long before a task's end (same session) counts as "viewed before".
SESSION_WINDOW = timedelta(hours=12)

HELP_VERBS = {P.VERB_REQUESTED_HELP, P.VERB_SEARCHED, P.VERB_ASKED}
DATA_VERBS = {P.VERB_SEARCHED, P.VERB_RATED, P.VERB_TRACKED}
UNIT_TIME_VERBS = {P.VERB_EXPERIENCED, P.VERB_COMPLETED, P.VERB_PROGRESSED}

PLACE_COUNTERS = (
    "statements",
    "help_requests",
    "searches",
    "failed_searches",
    "errors",
    "task_attempts",
    "task_failures",
    "task_time_ms",
    "unit_views",
    "unit_completions",
    "helpful_yes",
    "helpful_no",
    "confidence_sum",
    "confidence_n",
)


def _utc_day(ts: datetime) -> date:
    return ts.astimezone(UTC).date()


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _is_task_object(object_type: str, object_id: str, data_type: str | None) -> bool:
    return data_type == P.ACTIVITY_TASK or "/tasks/" in object_id


def _task_from_object(object_id: str) -> str:
    return object_id.rsplit("/tasks/", 1)[-1] if "/tasks/" in object_id else ""


@dataclass
class _PersonDayAcc:
    team: str
    learning_ms: int = 0
    help_requests: int = 0
    errors: int = 0
    task_attempts: int = 0
    unit_views: int = 0
    confidence: list[int] = field(default_factory=lambda: [0, 0, 0, 0, 0])


class _Builder:
    """Recomputes the rollup rows of a set of days of one workspace."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.teams = dict(Person.objects.filter(workspace=workspace).values_list("id", "team"))
        self.events: dict[tuple[str, str], tuple[str, str]] = {}
        for t in WorkTask.objects.filter(workspace=workspace).select_related("host_app"):
            for phase, name in (
                ("start", t.start_event),
                ("end", t.end_event),
                ("fail", t.fail_event),
            ):
                if name:
                    self.events[(t.host_app.slug, name)] = (t.key, phase)
        from unstuck.content.models import Unit

        self.unit_estimate_ms = {
            str(pk): (d or 0) * 1000
            for pk, d in Unit.objects.filter(workspace=workspace).values_list("id", "duration_s")
        }

    def _rows(self, start: datetime, end: datetime):
        from unstuck.lrs.models import Statement

        qs = Statement.objects.filter(
            workspace=self.workspace,
            voided=False,
            is_voiding=False,
            timestamp__gte=start,
            timestamp__lt=end,
        )
        data_rows = dict(qs.filter(verb_id__in=DATA_VERBS).values_list("id", "data"))
        cols = (
            "id",
            "timestamp",
            "verb_id",
            "object_id",
            "person_id",
            "host_app",
            "page",
            "field",
            "task",
            "unit_id",
            "session_id",
            "success",
            "duration_ms",
        )
        rows = list(qs.values_list(*cols))
        rows.sort(key=lambda r: (r[1], r[0]))
        return rows, data_rows

    def build_days(self, days: list[date]) -> None:
        days = sorted(set(days))
        if not days:
            return
        # Contiguous batches keep memory bounded; each reads one day of look-back.
        batches: list[list[date]] = []
        for d in days:
            if batches and (d - batches[-1][-1]).days == 1 and len(batches[-1]) < BATCH_DAYS:
                batches[-1].append(d)
            else:
                batches.append([d])
        for batch in batches:
            self._build_batch(batch)

    def _build_batch(self, days: list[date]) -> None:
        target = set(days)
        start = _day_start(days[0]) - timedelta(days=1)
        end = _day_start(days[-1]) + timedelta(days=1)
        rows, data_rows = self._rows(start, end)

        place: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(PLACE_COUNTERS))
        idx = {name: i for i, name in enumerate(PLACE_COUNTERS)}
        persons: dict[tuple[date, Any], _PersonDayAcc] = {}
        attempts: list[TaskAttempt] = []
        unit_task: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        open_starts: dict[tuple, datetime] = {}
        session_units: dict[tuple, list[tuple[datetime, str]]] = defaultdict(list)
        session_errors: dict[tuple, int] = defaultdict(int)
        unit_time: dict[tuple, int] = {}  # (day, person, session, unit) -> longest duration

        def bump(key: tuple, name: str, by: int = 1) -> None:
            place[key][idx[name]] += by

        for (
            pk,
            ts,
            verb,
            object_id,
            person_id,
            host_app,
            page,
            fld,
            task,
            unit_id,
            session_id,
            success,
            duration_ms,
        ) in rows:
            day = _utc_day(ts)
            counted = day in target
            team = self.teams.get(person_id, "") if person_id else ""
            data = data_rows.get(pk)
            sess = (person_id, session_id)

            # Task phase.
            phase = None
            task_key = task
            if verb in (P.VERB_STARTED, P.VERB_COMPLETED, P.VERB_FAILED) and (
                "/tasks/" in object_id or (task and not unit_id)
            ):
                task_key = task or _task_from_object(object_id)
                phase = {P.VERB_STARTED: "start", P.VERB_COMPLETED: "end", P.VERB_FAILED: "fail"}[
                    verb
                ]
            elif verb == P.VERB_TRACKED and data:
                name = ((data.get("context") or {}).get("extensions") or {}).get(
                    P.EXT_EVENT_NAME, ""
                )
                found = self.events.get((host_app, name))
                if found:
                    task_key = task or found[0]
                    phase = found[1]

            key = (day, team, host_app, page, fld, task_key if phase else task, unit_id)
            if counted:
                bump(key, "statements")
                pd = persons.get((day, person_id)) if person_id else None
                if person_id and pd is None:
                    pd = persons[(day, person_id)] = _PersonDayAcc(team)

            if phase == "start":
                open_starts[(person_id, task_key)] = ts
                session_errors[(person_id, task_key)] = 0
                continue
            if phase in ("end", "fail"):
                started = open_starts.pop((person_id, task_key), None)
                errors = session_errors.pop((person_id, task_key), 0)
                # Only a recent start counts: the look-back is one day, and a rebuild
                # must see exactly what an incremental run saw.
                if started is None or ts - started > MAX_ATTEMPT:
                    started, errors = None, 0
                if duration_ms is None and started is not None:
                    duration_ms = int((ts - started).total_seconds() * 1000)
                is_success = phase == "end" if success is None else bool(success) and phase == "end"
                if counted:
                    bump(key, "task_attempts")
                    if not is_success:
                        bump(key, "task_failures")
                    if duration_ms is not None:
                        bump(key, "task_time_ms", int(duration_ms))
                    viewed = sorted(
                        {u for t, u in session_units.get(sess, []) if ts - t < SESSION_WINDOW}
                    )
                    attempts.append(
                        TaskAttempt(
                            workspace=self.workspace,
                            day=day,
                            ended_at=ts,
                            person_id=person_id,
                            team=team,
                            host_app=host_app,
                            page=page,
                            task=task_key,
                            session_id=session_id,
                            duration_ms=int(duration_ms) if duration_ms is not None else None,
                            is_success=is_success,
                            errors=min(errors, 32767),
                            units_viewed=viewed,
                        )
                    )
                    if pd is not None:
                        pd.task_attempts += 1
                    for u in viewed:
                        acc = unit_task[(day, team, u, task_key)]
                        acc[0] += 1
                        acc[1] += int(is_success)
                        if duration_ms is not None:
                            acc[2] += int(duration_ms)
                            acc[3] += 1
                continue

            if verb in HELP_VERBS:
                if counted:
                    bump(key, "help_requests")
                    if pd is not None:
                        pd.help_requests += 1
                    if verb == P.VERB_SEARCHED:
                        bump(key, "searches")
                        ext = ((data or {}).get("context") or {}).get("extensions") or {}
                        if ext.get(P.EXT_RESULTS) == 0:
                            bump(key, "failed_searches")
            elif verb == P.VERB_ENCOUNTERED_ERROR:
                for open_key in [k for k in session_errors if k[0] == person_id]:
                    session_errors[open_key] += 1
                if counted:
                    bump(key, "errors")
                    if pd is not None:
                        pd.errors += 1
            elif verb == P.VERB_RATED and data:
                ext = (data.get("result") or {}).get("extensions") or {}
                conf = ext.get(P.RESULT_EXT_CONFIDENCE)
                helpful = ext.get(P.RESULT_EXT_HELPFUL)
                if (
                    counted
                    and isinstance(conf, (int, float))
                    and not isinstance(conf, bool)
                    and 1 <= conf <= 5
                ):
                    bump(key, "confidence_sum", int(round(conf)))
                    bump(key, "confidence_n")
                    if pd is not None:
                        pd.confidence[int(round(conf)) - 1] += 1
                if counted and isinstance(helpful, bool):
                    bump(key, "helpful_yes" if helpful else "helpful_no")
            elif unit_id and verb in UNIT_TIME_VERBS:
                if session_id:
                    session_units[sess].append((ts, unit_id))
                if counted:
                    if verb == P.VERB_EXPERIENCED:
                        bump(key, "unit_views")
                        if pd is not None:
                            pd.unit_views += 1
                    elif verb == P.VERB_COMPLETED:
                        bump(key, "unit_completions")
                    if person_id:
                        k = (day, person_id, session_id or str(pk), unit_id)
                        spent = int(duration_ms) if duration_ms is not None else 0
                        if verb == P.VERB_EXPERIENCED and duration_ms is None:
                            spent = min(self.unit_estimate_ms.get(unit_id, 0), 300_000)
                        unit_time[k] = max(unit_time.get(k, 0), spent)
            elif verb == P.VERB_REVIEWED and counted and pd is not None and duration_ms:
                pd.learning_ms += int(duration_ms)

        for (day, person_id, _s, _u), ms in unit_time.items():
            persons[(day, person_id)].learning_ms += ms

        with transaction.atomic():
            ws = self.workspace
            for model in (PlaceDay, PersonDay, TaskAttempt, UnitTaskDay):
                model.objects.filter(workspace=ws, day__in=days).delete()
            PlaceDay.objects.bulk_create(
                [
                    PlaceDay(
                        workspace=ws,
                        day=k[0],
                        team=k[1],
                        host_app=k[2],
                        page=k[3],
                        field=k[4],
                        task=k[5],
                        unit_id=k[6],
                        **dict(zip(PLACE_COUNTERS, v, strict=True)),
                    )
                    for k, v in place.items()
                ],
                batch_size=1000,
            )
            PersonDay.objects.bulk_create(
                [
                    PersonDay(
                        workspace=ws,
                        day=d,
                        person_id=p,
                        team=a.team,
                        learning_ms=a.learning_ms,
                        help_requests=a.help_requests,
                        errors=a.errors,
                        task_attempts=a.task_attempts,
                        unit_views=a.unit_views,
                        confidence=a.confidence,
                    )
                    for (d, p), a in persons.items()
                ],
                batch_size=1000,
            )
            TaskAttempt.objects.bulk_create(attempts, batch_size=1000)
            UnitTaskDay.objects.bulk_create(
                [
                    UnitTaskDay(
                        workspace=ws,
                        day=k[0],
                        team=k[1],
                        unit_id=k[2],
                        task=k[3],
                        attempts=v[0],
                        successes=v[1],
                        time_ms=v[2],
                        timed=v[3],
                    )
                    for k, v in unit_task.items()
                ],
                batch_size=1000,
            )


def _analyze() -> None:
    """Refresh the planner's statistics of the rollup tables after a large change.

    Without them PostgreSQL, right after a rebuild, believes the tables are empty and
    scans a whole index instead of the covering one (seconds instead of milliseconds).
    """
    from django.db import connection

    tables = [m._meta.db_table for m in (PlaceDay, PersonDay, TaskAttempt, UnitTaskDay)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _refresh_usual_times(workspace: Workspace) -> None:
    """Each WorkTask's usual time: the median completed attempt over the last 8 weeks."""
    from .stats import median

    since = timezone.now().date() - timedelta(days=USUAL_WINDOW_DAYS)
    for work_task in WorkTask.objects.filter(workspace=workspace).select_related("host_app"):
        durations: list[float] = [
            float(d)
            for d in TaskAttempt.objects.filter(
                workspace=workspace,
                task=work_task.key,
                host_app=work_task.host_app.slug,
                is_success=True,
                day__gte=since,
                duration_ms__isnull=False,
            ).values_list("duration_ms", flat=True)
            if d is not None
        ]
        usual = int(median(durations) or 0) if durations else None
        if usual != work_task.usual_duration_ms:
            WorkTask.objects.filter(pk=work_task.pk).update(usual_duration_ms=usual)


def build_rollups(*, workspace: Workspace, rebuild: bool = False) -> dict[str, Any]:
    """Bring the rollups of `workspace` up to date (or rebuild them all). Idempotent;
    safe to run from several workers (each day is replaced in one transaction)."""
    from unstuck.lrs.models import Statement

    began = time.perf_counter()
    state, _ = RollupState.objects.get_or_create(workspace=workspace)
    # Read everything stored so far, but move the watermark only to a few seconds ago:
    # a statement from a transaction still committing may carry an earlier `stored`
    # than ones already visible; its day is recomputed on the next run.
    now = timezone.now()
    upto = now - SAFETY_LAG
    log = Statement.objects.filter(workspace=workspace)
    if rebuild or state.watermark is None:
        for model in (PlaceDay, PersonDay, TaskAttempt, UnitTaskDay):
            model.objects.filter(workspace=workspace).delete()
        new = log
    else:
        new = log.filter(stored__gt=state.watermark)
    days = set()
    for ts in new.values_list("timestamp", flat=True).iterator(chunk_size=5000):
        day = _utc_day(ts)
        days.add(day)
        # An attempt that ends tomorrow may pair with a start from today.
        days.add(day + timedelta(days=1))
    if not rebuild and state.watermark is not None:
        # A voiding statement changes the day of the statement it voids.
        from unstuck.lrs.models import Statement as S

        voided_ids = [
            (d.get("object") or {}).get("id")
            for d in new.filter(is_voiding=True).values_list("data", flat=True)
        ]
        for ts in S.objects.filter(
            workspace=workspace, statement_id__in=[v for v in voided_ids if v]
        ).values_list("timestamp", flat=True):
            days.add(_utc_day(ts))
    today = now.date() + timedelta(days=1)
    days = {d for d in days if d <= today}
    _Builder(workspace).build_days(sorted(days))
    if rebuild or len(days) > ANALYZE_AFTER_DAYS:
        _analyze()
    _refresh_usual_times(workspace)
    state.watermark = upto
    state.built_at = timezone.now()
    state.last_duration_ms = int((time.perf_counter() - began) * 1000)
    state.save()
    return {"days": len(days), "duration_ms": state.last_duration_ms}
