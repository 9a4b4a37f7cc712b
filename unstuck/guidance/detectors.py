"""Need detectors over incoming statements.

Each detector looks at one new statement (as an `Observation`) and the person's recent
signals and says whether a need was seen. The thresholds are module constants, listed
in docs/guidance.md:

  repeated_error   the same error on the same field or task 3+ times within 10 minutes
  repeated_search  3+ searches within 10 minutes
  slow_task        a task finished in more than twice its usual time (and 2 sd over the
                   mean), once 5+ runs of it are known
  failed_quiz      a quiz failed (or a unit completed without success)
  release_note     first activity on a page/field that has a release-note placement

Detections become nudges in services.py, which applies the budget and frequency caps.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from unstuck.lrs import profile as p

from .models import Signal, SignalKind, TaskTiming

ERROR_REPEATS = 3
SEARCH_REPEATS = 3
WINDOW = timedelta(minutes=10)
SLOW_FACTOR = 2.0
SLOW_SIGMAS = 2.0
SLOW_MIN_RUNS = 5
SIGNAL_RETENTION = timedelta(days=1)

_UNIT_RE = re.compile(re.escape(p.PROFILE_BASE) + r"/units/([0-9a-fA-F-]{32,36})$")


@dataclass
class Observation:
    """The parts of a statement the detectors read."""

    verb: str
    at: datetime
    host_app: str = ""
    page: str = ""
    field: str = ""
    task: str = ""
    unit_id: str = ""
    error: str = ""
    query: str = ""
    success: bool | None = None
    duration_ms: int | None = None
    is_task: bool = False
    nudge_id: str = ""


@dataclass
class Detection:
    detector: str
    reason: str
    host_app: str = ""
    page: str = ""
    field: str = ""
    task: str = ""
    error: str = ""
    query: str = ""
    unit_id: str = ""  # a specific unit (release notes), else chosen by ranking
    placement_id: str = ""
    extra: dict[str, Any] = dc_field(default_factory=dict)


def observe(stmt: dict[str, Any]) -> Observation | None:
    verb = (stmt.get("verb") or {}).get("id", "")
    if not verb:
        return None
    ext = (stmt.get("context") or {}).get("extensions") or {}
    result = stmt.get("result") or {}
    at = parse_datetime(str(stmt.get("timestamp") or "")) or timezone.now()
    if timezone.is_naive(at):
        at = at.replace(tzinfo=UTC)
    obj_id = (stmt.get("object") or {}).get("id", "")
    unit_id = str(ext.get(p.EXT_UNIT) or "")
    m = _UNIT_RE.match(obj_id)
    if m and not unit_id:
        unit_id = m.group(1)
    duration = (result.get("extensions") or {}).get(p.RESULT_EXT_DURATION_MS)
    return Observation(
        verb=verb,
        at=at,
        host_app=str(ext.get(p.EXT_HOST_APP) or ""),
        page=str(ext.get(p.EXT_PAGE) or ""),
        field=str(ext.get(p.EXT_FIELD) or ""),
        task=str(ext.get(p.EXT_TASK) or ""),
        unit_id=unit_id,
        error=str(ext.get(p.EXT_ERROR_CODE) or ext.get(p.EXT_ERROR_MESSAGE) or ""),
        query=str(ext.get(p.EXT_QUERY) or ""),
        success=result.get("success") if isinstance(result.get("success"), bool) else None,
        duration_ms=int(duration)
        if isinstance(duration, (int, float)) and not isinstance(duration, bool)
        else None,
        is_task="/tasks/" in obj_id,
        nudge_id=str(ext.get(p.EXT_NUDGE) or ""),
    )


def _count_recent(
    workspace, person, kind: str, key: str, at: datetime, *, any_key: bool = False
) -> int:
    qs = Signal.objects.filter(
        workspace=workspace, person=person, kind=kind, at__gt=at - WINDOW, at__lte=at
    )
    if not any_key:
        qs = qs.filter(key=key)
    return qs.count()


def _record_signal(workspace, person, kind: str, key: str, at: datetime) -> None:
    Signal.objects.create(workspace=workspace, person=person, kind=kind, key=key[:300], at=at)


def detect_repeated_error(workspace, person, o: Observation) -> Detection | None:
    if o.verb != p.VERB_ENCOUNTERED_ERROR:
        return None
    where = o.field or o.task or o.page
    key = f"{o.host_app}|{where}|{o.error}"
    _record_signal(workspace, person, SignalKind.ERROR, key, o.at)
    n = _count_recent(workspace, person, SignalKind.ERROR, key, o.at)
    # Fire once, on the threshold: a fourth error is still the same need.
    if n != ERROR_REPEATS:
        return None
    place = f"the {o.field} field" if o.field else (f"task {o.task}" if o.task else "this page")
    return Detection(
        "repeated_error",
        f"You hit the same error on {place} {n} times",
        host_app=o.host_app,
        page=o.page,
        field=o.field,
        task=o.task,
        error=o.error,
    )


def detect_repeated_search(workspace, person, o: Observation) -> Detection | None:
    if o.verb != p.VERB_SEARCHED:
        return None
    _record_signal(workspace, person, SignalKind.SEARCH, o.query.lower().strip(), o.at)
    n = _count_recent(workspace, person, SignalKind.SEARCH, "", o.at, any_key=True)
    if n != SEARCH_REPEATS:
        return None
    recent = (
        Signal.objects.filter(
            workspace=workspace, person=person, kind=SignalKind.SEARCH, at__gt=o.at - WINDOW
        )
        .order_by("-at")
        .values_list("key", flat=True)[:SEARCH_REPEATS]
    )
    return Detection(
        "repeated_search",
        f"You searched {n} times in a few minutes",
        host_app=o.host_app,
        page=o.page,
        query=" ".join(dict.fromkeys(recent)),
    )


class TaskClock:
    """The slow-task detector for one batch of statements.

    Loads the running statistics of the batch's tasks in one query, judges each finished
    task against them (updated in memory as the batch goes), and writes each task's
    change back once, as an atomic UPDATE that merges the batch's mean and variance into
    the stored ones (Chan et al.'s parallel Welford), so concurrent processes lose no runs.
    """

    def __init__(self, workspace):
        self.workspace = workspace
        self.stats: dict[
            tuple[str, str], list[float]
        ] = {}  # key -> [count, mean, m2], as stored + this batch
        self.batch: dict[
            tuple[str, str], list[float]
        ] = {}  # key -> [count, mean, m2] of this batch alone
        self.stored: set[tuple[str, str]] = set()  # keys that have a row

    def load(self, observations: list[Observation]) -> None:
        keys = {(o.host_app, o.task) for o in observations if self._is_finished_task(o)}
        if not keys:
            return
        tasks = {task for _, task in keys}
        for host_app, task, count, mean, m2 in TaskTiming.objects.filter(
            workspace=self.workspace, task__in=tasks
        ).values_list("host_app", "task", "count", "mean_ms", "m2"):
            if (host_app, task) in keys:
                self.stats[(host_app, task)] = [count, mean, m2]
                self.stored.add((host_app, task))

    @staticmethod
    def _is_finished_task(o: Observation) -> bool:
        return (
            o.is_task and o.verb == p.VERB_COMPLETED and bool(o.task) and o.duration_ms is not None
        )

    def observe(self, o: Observation) -> Detection | None:
        if not self._is_finished_task(o):
            return None
        assert o.duration_ms is not None
        key = (o.host_app, o.task)
        count, mean, m2 = self.stats.setdefault(key, [0, 0.0, 0.0])
        fired = None
        if count >= SLOW_MIN_RUNS:
            sd = math.sqrt(m2 / (count - 1)) if count > 1 else 0.0
            if o.duration_ms > SLOW_FACTOR * mean and o.duration_ms > mean + SLOW_SIGMAS * sd:
                fired = Detection(
                    "slow_task",
                    f"{o.task.replace('-', ' ').capitalize()} took {o.duration_ms / mean:.1f}x as long as usual",
                    host_app=o.host_app,
                    page=o.page,
                    task=o.task,
                    query=o.task.replace("-", " "),
                )
        for stats in (self.stats[key], self.batch.setdefault(key, [0, 0.0, 0.0])):
            # Welford's online mean and variance.
            stats[0] += 1
            delta = o.duration_ms - stats[1]
            stats[1] += delta / stats[0]
            stats[2] += delta * (o.duration_ms - stats[1])
        return fired

    def save(self) -> None:
        missing = [key for key in self.batch if key not in self.stored]
        if missing:
            TaskTiming.objects.bulk_create(
                [TaskTiming(workspace=self.workspace, host_app=h, task=t) for h, t in missing],
                ignore_conflicts=True,
            )
        with connection.cursor() as cursor:
            for (host_app, task), (n, mean_b, m2_b) in self.batch.items():
                # Every right-hand side reads the values stored before this update.
                n = float(n)
                cursor.execute(
                    "UPDATE guidance_tasktiming SET count = count + %s, "
                    "mean_ms = mean_ms + (%s - mean_ms) * %s / (count + %s), "
                    "m2 = m2 + %s + (%s - mean_ms) * (%s - mean_ms) * count * %s / (count + %s) "
                    "WHERE workspace_id = %s AND host_app = %s AND task = %s",
                    [
                        int(n),
                        mean_b,
                        n,
                        n,
                        m2_b,
                        mean_b,
                        mean_b,
                        n,
                        n,
                        self._workspace_id(),
                        host_app,
                        task,
                    ],
                )
        self.batch.clear()

    def _workspace_id(self):
        pk = self.workspace.pk
        return pk.hex if connection.vendor == "sqlite" and hasattr(pk, "hex") else pk


def detect_slow_task(workspace, person, o: Observation) -> Detection | None:
    """One finished task on its own (see TaskClock for batches)."""
    clock = TaskClock(workspace)
    clock.load([o])
    fired = clock.observe(o)
    clock.save()
    return fired


def detect_failed_quiz(workspace, person, o: Observation) -> Detection | None:
    if o.is_task or not o.unit_id:
        return None
    if not (o.verb == p.VERB_FAILED or (o.verb == p.VERB_COMPLETED and o.success is False)):
        return None
    return Detection(
        "failed_quiz",
        "You missed some questions in a quiz",
        host_app=o.host_app,
        page=o.page,
        unit_id="",
        extra={"quiz_unit_id": o.unit_id},
    )


def detect_release_note(
    workspace, person, o: Observation, release_notes: list[dict]
) -> Detection | None:
    """`release_notes`: the host app's active release-note placements as dicts with
    id, unit_id, regex (compiled URL pattern) and field_key."""
    if not o.host_app or not o.page or not release_notes:
        return None
    if o.verb in (p.VERB_RECEIVED, p.VERB_OPENED, p.VERB_SEARCHED):
        return None
    for rn in release_notes:
        if rn["regex"].match(o.page) and (not rn["field_key"] or rn["field_key"] == o.field):
            return Detection(
                "release_note",
                "This feature changed recently",
                host_app=o.host_app,
                page=o.page,
                field=o.field,
                unit_id=rn["unit_id"],
                placement_id=rn["id"],
            )
    return None


# Run per statement; the slow-task detector runs per batch (TaskClock).
DETECTORS = (detect_repeated_error, detect_repeated_search, detect_failed_quiz)

# The verbs any detector or nudge tracking reads. Other statements (most of a stream:
# task starts, unit views, steps, answers, ratings) only matter to the release-note
# detector, and only where the host app has release-note placements.
WATCHED_VERBS = frozenset(
    {
        p.VERB_ENCOUNTERED_ERROR,
        p.VERB_SEARCHED,
        p.VERB_COMPLETED,
        p.VERB_FAILED,
        p.VERB_RECEIVED,
        p.VERB_OPENED,
    }
)


def prune_signals(workspace) -> int:
    deleted, _ = Signal.objects.filter(
        workspace=workspace, at__lt=timezone.now() - SIGNAL_RETENTION
    ).delete()
    return deleted
