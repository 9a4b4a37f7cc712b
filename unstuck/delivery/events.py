"""Widget events → xAPI statements in the Unstuck profile.

The widget batches what happens (help pressed, a unit viewed or completed, a quiz
answer, a helpful rating, a checklist tick, a target missing, the host app's
`Unstuck.track` calls) and posts them to /widget/v1/events. Each event becomes at most
one statement with the host app, page, field, session and unit in its context.

Events are idempotent. The widget gives each event a UUID when it happens and resends a
batch whose request failed or timed out, so the server may see an event twice. The
event's id is its statement's id, and everything in the statement comes from the event
(the time too: the browser's, not the server's clock at receipt), so a resent event builds
the same statement. Ids already stored are skipped before recording (guidance and
adaptive see each event once); an event without an id gets one derived from its content
and time.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from unstuck.errors import ApiError
from unstuck.lrs import profile as p

MAX_EVENTS = 100
# Browser clocks run a little fast; beyond this an event's time is not trusted.
CLOCK_SKEW = timedelta(minutes=5)
EVENT_ID_NAMESPACE = uuid.UUID("6f0b7c1e-3a52-4d1f-9b8e-5c7d2a4e9f10")
NUDGE_STATUS = {"nudge_shown": "delivered", "nudge_opened": "opened"}

# event type -> (verb, object kind)
EVENT_TYPES: dict[str, tuple[str, str]] = {
    "help_pressed": (p.VERB_REQUESTED_HELP, "page"),
    "unit_viewed": (p.VERB_EXPERIENCED, "unit"),
    "unit_completed": (p.VERB_COMPLETED, "unit"),
    "step_viewed": (p.VERB_PROGRESSED, "unit"),
    "checklist_ticked": (p.VERB_PROGRESSED, "unit"),
    "quiz_answered": (p.VERB_ANSWERED, "question"),
    "scenario_choice": (p.VERB_ANSWERED, "question"),
    "helpful": (p.VERB_RATED, "unit"),
    "target_missing": (p.VERB_MISSED_TARGET, "page"),
    "nudge_shown": (p.VERB_RECEIVED, "nudge"),
    "nudge_opened": (p.VERB_OPENED, "nudge"),
    "pulse_answered": (p.VERB_RATED, "survey"),
    "task_started": (p.VERB_STARTED, "task"),
    "task_completed": (p.VERB_COMPLETED, "task"),
    "task_failed": (p.VERB_FAILED, "task"),
    "error": (p.VERB_ENCOUNTERED_ERROR, "page"),
    "custom": (p.VERB_TRACKED, "event"),
    # Counted for frequency caps; no statement.
    "placement_shown": ("", ""),
}


def _text(value: Any, limit: int = 300) -> str:
    if value is None:
        return ""
    return str(value)[:limit]


def _data(event: dict[str, Any]) -> dict[str, Any]:
    data = event.get("data")
    return data if isinstance(data, dict) else {}


def _timestamp(value: Any, now: datetime) -> datetime | None:
    """The event's time from the browser (ms since epoch), trusted within a day back and a
    few minutes ahead; None (the LRS stamps it when stored) otherwise."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            at = datetime.fromtimestamp(value / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
        if now - timedelta(days=1) <= at <= now + CLOCK_SKEW:
            return at
    return None


def event_id(event: dict[str, Any], *, person: Any, host_app: Any) -> str:
    """The event's statement id: the widget's UUID, else one derived from the event itself
    when it carries its time (so an older widget's resent batch still maps onto the same
    statements), else a new one (two such events cannot be told from a resend)."""
    given = event.get("id")
    if given is not None:
        return str(uuid.UUID(str(given)))  # checked in check_events
    if event.get("ts") is None:
        return str(uuid.uuid4())
    canonical = json.dumps(event, sort_keys=True, separators=(",", ":"), default=str)
    return str(uuid.uuid5(EVENT_ID_NAMESPACE, f"{person.pk}|{host_app.pk}|{canonical}"))


def _duration_iso(ms: int) -> str:
    return f"PT{ms / 1000:.3f}S".replace(".000S", "S")


def check_events(events: Any) -> list[dict[str, Any]]:
    if not isinstance(events, list):
        raise ApiError("events: a list of events.", field="events")
    if len(events) > MAX_EVENTS:
        raise ApiError(f"events: at most {MAX_EVENTS} events per request.", field="events")
    clean = []
    for i, event in enumerate(events):
        if not isinstance(event, dict):
            raise ApiError(f"events.{i}: an object with a type.", field=f"events.{i}")
        kind = event.get("type")
        if kind not in EVENT_TYPES:
            raise ApiError(
                f"events.{i}.type: unknown event type {kind!r}.", field=f"events.{i}.type"
            )
        if event.get("id") is not None:
            try:
                uuid.UUID(str(event["id"]))
            except ValueError:
                raise ApiError(
                    f"events.{i}.id: a UUID naming the event.", field=f"events.{i}.id"
                ) from None
        clean.append(event)
    return clean


def statement_for(
    event: dict[str, Any],
    *,
    person: Any,
    host_app: Any,
    now: datetime,
    statement_id: str | None = None,
) -> dict[str, Any] | None:
    kind = event["type"]
    verb, object_kind = EVENT_TYPES[kind]
    if not verb:
        return None
    slug = host_app.slug
    page = _text(event.get("page"), 500) or "/"
    data = _data(event)
    unit_id = _text(event.get("unit_id"), 64)
    task = _text(event.get("task") or data.get("task"), 100)
    field = _text(event.get("field") or data.get("field"), 100)
    ext: dict[str, Any] = {
        p.EXT_HOST_APP: slug,
        p.EXT_PAGE: page,
        p.EXT_FIELD: field,
        p.EXT_SESSION: _text(event.get("session"), 64),
        p.EXT_UNIT: unit_id,
        p.EXT_PLACEMENT: _text(event.get("placement_id"), 64),
        p.EXT_TASK: task,
        p.EXT_CHANNEL: _text(event.get("channel"), 20) or "widget",
        p.EXT_TRIGGER: _text(event.get("trigger"), 40),
    }
    result: dict[str, Any] = {}
    object_type = None
    object_name = None
    if object_kind == "unit":
        if not unit_id:
            return None
        object_id, object_type = p.unit_activity_id(unit_id), p.ACTIVITY_UNIT
        object_name = _text(event.get("title"), 200) or None
        if kind in ("step_viewed", "checklist_ticked"):
            ext[p.EXT_STEP] = event.get("step") if isinstance(event.get("step"), int) else None
            if kind == "checklist_ticked":
                result["completion"] = bool(event.get("done", True))
        if kind == "helpful":
            result["extensions"] = {p.RESULT_EXT_HELPFUL: bool(event.get("helpful"))}
            result["score"] = {"raw": 1 if event.get("helpful") else 0, "min": 0, "max": 1}
        if kind == "unit_completed":
            result["completion"] = True
    elif object_kind == "question":
        if not unit_id:
            return None
        index = event.get("question") if isinstance(event.get("question"), int) else 0
        object_id = f"{p.unit_activity_id(unit_id)}/questions/{index}"
        if kind == "scenario_choice":
            object_id = f"{p.unit_activity_id(unit_id)}/nodes/{_text(event.get('node'), 64)}"
        object_type = p.ACTIVITY_QUESTION
        result["response"] = _text(event.get("choice"), 200)
        if isinstance(event.get("correct"), bool):
            result["success"] = event["correct"]
    elif object_kind == "page":
        object_id, object_type = p.page_activity_id(slug, page), p.ACTIVITY_PAGE
        if kind == "error":
            ext[p.EXT_ERROR_CODE] = _text(event.get("code") or data.get("code"), 100)
            ext[p.EXT_ERROR_MESSAGE] = _text(event.get("message") or data.get("message"), 500)
    elif object_kind == "task":
        if not task:
            return None
        object_id, object_type = p.task_activity_id(slug, task), p.ACTIVITY_TASK
        duration = event.get("duration_ms")
        if (
            isinstance(duration, (int, float))
            and not isinstance(duration, bool)
            and 0 <= duration < 86_400_000
        ):
            result["duration"] = _duration_iso(int(duration))
            result["extensions"] = {p.RESULT_EXT_DURATION_MS: int(duration)}
        if kind != "task_started":
            result["success"] = kind == "task_completed"
            result["completion"] = kind == "task_completed"
    elif object_kind == "nudge":
        object_id = f"{p.PROFILE_BASE}/nudges/{_text(event.get('nudge_id'), 64) or 'unknown'}"
        object_type = p.ACTIVITY_NUDGE
        ext[p.EXT_NUDGE] = _text(event.get("nudge_id"), 64)
    elif object_kind == "survey":
        confidence = event.get("confidence")
        if (
            isinstance(confidence, bool)
            or not isinstance(confidence, int)
            or not 1 <= confidence <= 5
        ):
            return None
        object_id = f"{p.PROFILE_BASE}/pulses/{_text(event.get('pulse_id'), 64) or 'confidence'}"
        object_type = p.ACTIVITY_SURVEY
        result["extensions"] = {p.RESULT_EXT_CONFIDENCE: confidence}
        result["score"] = {"raw": confidence, "min": 1, "max": 5}
    else:  # custom event
        name = _text(event.get("name"), 100)
        if not name:
            return None
        object_id = f"{p.PROFILE_BASE}/apps/{slug}/events/{name}"
        object_type = p.ACTIVITY_EVENT
        ext[p.EXT_EVENT_NAME] = name
    at = _timestamp(event.get("ts"), now)
    stmt = p.statement(
        actor=p.actor_for_person(person),
        verb=verb,
        object_id=object_id,
        object_type=object_type,
        object_name=object_name,
        result=result or None,
        extensions=ext,
        timestamp=at,
        statement_id=statement_id,
    )
    if at is None:
        del stmt["timestamp"]  # the LRS stamps it with `stored`
    return stmt


def _graded(event: dict[str, Any], *, workspace: Any, units: dict[str, Any]) -> dict[str, Any]:
    """A quiz answer event with `correct` decided here from the unit, never by the browser."""
    from .services import grade_quiz_answer, published_unit

    event = {k: v for k, v in event.items() if k != "correct"}
    unit_id = _text(event.get("unit_id"), 64)
    if unit_id not in units:
        try:
            units[unit_id] = published_unit(workspace=workspace, unit_id=unit_id)
        except ApiError:
            units[unit_id] = None
    found = units[unit_id]
    question = event.get("question") if isinstance(event.get("question"), int) else 0
    if found is not None:
        with contextlib.suppress(ApiError):
            chosen = _text(event.get("choice"), 200).split(",")
            grade = grade_quiz_answer(found, question, chosen)
            event["correct"] = grade["correct"]
    return event


def answer_quiz(*, identity: Any, unit_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Grade one quiz answer and record it as an `answered` statement (idempotently by the
    body's `id`). Returns the grade with the events response (recorded, nudges, pulse)."""
    from .services import grade_quiz_answer, published_unit

    unit = published_unit(workspace=identity.workspace, unit_id=unit_id)
    grade = grade_quiz_answer(unit, body.get("question"), body.get("choice_ids"))
    event = {
        k: body[k]
        for k in ("id", "ts", "page", "field", "session", "placement_id", "trigger", "channel")
        if body.get(k) is not None
    }
    event.update(
        type="quiz_answered",
        unit_id=str(unit.id),
        title=unit.title,
        question=grade["question"],
        choice=",".join(c["id"] for c in grade["choices"]),
        correct=grade["correct"],
    )
    recorded = record_widget_events(identity=identity, events=[event], graded=True)
    return {**grade, **recorded}


def _already_stored(workspace: Any, ids: list[str]) -> set[str]:
    from unstuck.lrs.models import Statement

    if not ids:
        return set()
    return {
        str(sid)
        for sid in Statement.objects.filter(workspace=workspace, statement_id__in=ids).values_list(
            "statement_id", flat=True
        )
    }


def _record_new(workspace: Any, pairs: list[tuple[dict, dict]]) -> list[tuple[dict, dict]]:
    """Record the statements not stored yet; return the (event, statement) pairs recorded."""
    from unstuck.lrs import services as lrs_services

    for attempt in range(2):
        stored = _already_stored(workspace, [stmt["id"] for _, stmt in pairs])
        new = [(e, stmt) for e, stmt in pairs if stmt["id"] not in stored]
        if not new:
            return []
        try:
            lrs_services.record_statements(
                workspace=workspace, statements=[stmt for _, stmt in new]
            )
        except ApiError as exc:
            # A concurrent resend of the same batch stored some of them first: look again.
            if exc.status != 409 or attempt:
                raise
            continue
        return new
    return []


def record_widget_events(*, identity: Any, events: Any, graded: bool = False) -> dict[str, Any]:
    """Record a batch of widget events for the identified person.

    Returns {"recorded": n, "nudges": [...], "pulse": {...} | None}: nudges to show now
    (from guidance) and a confidence pulse to ask now (from insights).
    """
    from unstuck.adaptive import services as adaptive_services
    from unstuck.guidance import services as guidance_services
    from unstuck.insights import queries as insights_queries

    from .services import forget_pending_nudges, record_show

    workspace, person, host_app = identity.workspace, identity.person, identity.host_app
    now = timezone.now()
    events = check_events(events)
    pairs: list[tuple[dict, dict]] = []
    shows: list[tuple[dict, str]] = []
    handled: list[dict] = []
    seen: set[str] = set()
    units: dict[str, Any] = {}
    for event in events:
        eid = event_id(event, person=person, host_app=host_app)
        if eid in seen:  # the same event twice in one batch (a resend merged with the queue)
            continue
        seen.add(eid)
        if event["type"] == "placement_shown":
            shows.append((event, eid))
            continue
        if event["type"] in NUDGE_STATUS:
            # Guidance owns nudges: it changes their status (idempotently) and records the
            # statement.
            with contextlib.suppress(ApiError):  # an unknown or foreign nudge id: nothing to mark
                guidance_services.mark_nudge(
                    workspace=workspace,
                    person=person,
                    nudge_id=_text(event.get("nudge_id"), 64),
                    status=NUDGE_STATUS[event["type"]],
                    channel="widget",
                )
            forget_pending_nudges(person)
            continue
        if event["type"] == "quiz_answered" and not graded:
            event = _graded(event, workspace=workspace, units=units)
        stmt = statement_for(event, person=person, host_app=host_app, now=now, statement_id=eid)
        if stmt is not None:
            pairs.append((event, stmt))
    for event, eid in shows:
        if record_show(
            workspace=workspace,
            person=person,
            placement_id=_text(event.get("placement_id"), 64),
            event_id=eid,
        ):
            handled.append(event)
    recorded = _record_new(workspace, pairs)
    handled += [event for event, _ in recorded]
    statements = [stmt for _, stmt in recorded]
    nudges = (
        guidance_services.on_statements(workspace=workspace, person=person, statements=statements)
        or []
    )
    adaptive_services.on_statements(workspace=workspace, person=person, statements=statements)
    pulse = None
    for event in reversed(handled):
        if event["type"] in ("task_completed", "unit_completed"):
            pulse = insights_queries.pulse_for(
                workspace=workspace,
                person=person,
                task=_text(event.get("task") or _data(event).get("task"), 100),
                unit_id=_text(event.get("unit_id"), 64),
            )
            break
    forget_pending_nudges(person)
    return {
        "recorded": len(statements),
        "duplicates": len(pairs) - len(statements),
        "nudges": nudges,
        "pulse": pulse,
    }
