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
        duration_ms=int(duration) if isinstance(duration, (int, float)) and not isinstance(duration, bool) else None,
        is_task="/tasks/" in obj_id,
        nudge_id=str(ext.get(p.EXT_NUDGE) or ""),
    )


def _count_recent(workspace, person, kind: str, key: str, at: datetime, *, any_key: bool = False) -> int:
    qs = Signal.objects.filter(workspace=workspace, person=person, kind=kind, at__gt=at - WINDOW, at__lte=at)
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
    return Detection("repeated_error", f"You hit the same error on {place} {n} times", host_app=o.host_app,
                     page=o.page, field=o.field, task=o.task, error=o.error)


def detect_repeated_search(workspace, person, o: Observation) -> Detection | None:
    if o.verb != p.VERB_SEARCHED:
        return None
    _record_signal(workspace, person, SignalKind.SEARCH, o.query.lower().strip(), o.at)
    n = _count_recent(workspace, person, SignalKind.SEARCH, "", o.at, any_key=True)
    if n != SEARCH_REPEATS:
        return None
    recent = Signal.objects.filter(workspace=workspace, person=person, kind=SignalKind.SEARCH,
                                   at__gt=o.at - WINDOW).order_by("-at").values_list("key", flat=True)[:SEARCH_REPEATS]
    return Detection("repeated_search", f"You searched {n} times in a few minutes", host_app=o.host_app,
                     page=o.page, query=" ".join(dict.fromkeys(recent)))


def detect_slow_task(workspace, person, o: Observation) -> Detection | None:
    if not (o.is_task and o.verb == p.VERB_COMPLETED and o.task and o.duration_ms is not None):
        return None
    timing, _ = TaskTiming.objects.get_or_create(workspace=workspace, host_app=o.host_app, task=o.task)
    fired = None
    if timing.count >= SLOW_MIN_RUNS:
        sd = math.sqrt(timing.m2 / (timing.count - 1)) if timing.count > 1 else 0.0
        if o.duration_ms > SLOW_FACTOR * timing.mean_ms and o.duration_ms > timing.mean_ms + SLOW_SIGMAS * sd:
            fired = Detection(
                "slow_task",
                f"{o.task.replace('-', ' ').capitalize()} took {o.duration_ms / timing.mean_ms:.1f}x as long as usual",
                host_app=o.host_app, page=o.page, task=o.task, query=o.task.replace("-", " "),
            )
    # Welford's online mean and variance.
    timing.count += 1
    delta = o.duration_ms - timing.mean_ms
    timing.mean_ms += delta / timing.count
    timing.m2 += delta * (o.duration_ms - timing.mean_ms)
    timing.save(update_fields=["count", "mean_ms", "m2"])
    return fired


def detect_failed_quiz(workspace, person, o: Observation) -> Detection | None:
    if o.is_task or not o.unit_id:
        return None
    if not (o.verb == p.VERB_FAILED or (o.verb == p.VERB_COMPLETED and o.success is False)):
        return None
    return Detection("failed_quiz", "You missed some questions in a quiz", host_app=o.host_app, page=o.page,
                     unit_id="", extra={"quiz_unit_id": o.unit_id})


def detect_release_note(workspace, person, o: Observation, release_notes: list[dict]) -> Detection | None:
    """`release_notes`: the host app's active release-note placements as dicts with
    id, unit_id, regex (compiled URL pattern) and field_key."""
    if not o.host_app or not o.page or not release_notes:
        return None
    if o.verb in (p.VERB_RECEIVED, p.VERB_OPENED, p.VERB_SEARCHED):
        return None
    for rn in release_notes:
        if rn["regex"].match(o.page) and (not rn["field_key"] or rn["field_key"] == o.field):
            return Detection("release_note", "This feature changed recently", host_app=o.host_app, page=o.page,
                             field=o.field, unit_id=rn["unit_id"], placement_id=rn["id"])
    return None


DETECTORS = (detect_repeated_error, detect_repeated_search, detect_slow_task, detect_failed_quiz)


def prune_signals(workspace) -> int:
    deleted, _ = Signal.objects.filter(workspace=workspace, at__lt=timezone.now() - SIGNAL_RETENTION).delete()
    return deleted
