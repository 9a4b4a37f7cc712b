"""Delivery services: every write to placements and the widget's per-person state, the
page context the widget asks for on each page view, and turning widget events into
xAPI statements.

Other apps call: create_placement / update_placement / delete_placement,
placements_for_page (the compiled, cached matcher), record_widget_events.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from unstuck.accounts.models import HostApp, Person, Workspace
from unstuck.accounts.services import bump_content_version
from unstuck.content.models import Status, Unit
from unstuck.errors import ApiError, NotFound

from . import matching
from .models import ChecklistProgress, Placement, PlacementShow, Presentation, Trigger

PLACEMENT_FIELDS = (
    "name",
    "host_app",
    "unit",
    "url_pattern",
    "element",
    "field_key",
    "trigger",
    "trigger_config",
    "audience",
    "presentation",
    "priority",
    "is_active",
    "starts_at",
    "ends_at",
    "max_shows",
    "per_days",
    "is_release_note",
)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _host_app_in(workspace: Workspace, ref: Any) -> HostApp:
    if isinstance(ref, HostApp):
        if ref.workspace_id != workspace.pk:
            raise ApiError("host_app: no such host app in this workspace.", field="host_app")
        return ref
    qs = HostApp.objects.for_workspace(workspace)
    found = qs.filter(pk=ref).first() if _is_uuid(ref) else qs.filter(slug=str(ref)).first()
    if found is None:
        raise ApiError(f"host_app: no host app {ref!r} in this workspace.", field="host_app")
    return found


def _unit_in(workspace: Workspace, ref: Any) -> Unit:
    if isinstance(ref, Unit):
        if ref.workspace_id != workspace.pk:
            raise ApiError("unit: no such unit in this workspace.", field="unit")
        return ref
    qs = Unit.objects.for_workspace(workspace)
    found = qs.filter(pk=ref).first() if _is_uuid(ref) else qs.filter(slug=str(ref)).first()
    if found is None:
        raise ApiError(f"unit: no unit {ref!r} in this workspace.", field="unit")
    return found


def _check_trigger_config(trigger: str, config: Any) -> dict[str, Any]:
    config = config or {}
    if not isinstance(config, dict):
        raise ApiError("trigger_config: an object.", field="trigger_config")
    allowed = {
        Trigger.PAGE_SHOWN: set(),
        Trigger.FIELD_FOCUSED: set(),
        Trigger.ERROR_SHOWN: {"text", "selector"},
        Trigger.ERROR_EVENT: {"code"},
        Trigger.CUSTOM_EVENT: {"name"},
    }[Trigger(trigger)]
    for key in config:
        if key not in allowed:
            raise ApiError(
                f"trigger_config.{key}: not used by trigger {trigger}.",
                field=f"trigger_config.{key}",
            )
    clean: dict[str, Any] = {}
    for key in ("text", "code", "name"):
        if key in config:
            value = config[key]
            if not isinstance(value, str) or not value.strip() or len(value) > 300:
                raise ApiError(
                    f"trigger_config.{key}: a non-empty text of at most 300 characters.",
                    field=f"trigger_config.{key}",
                )
            clean[key] = value.strip()
    if "selector" in config:
        clean["selector"] = matching.check_selector(config["selector"], "trigger_config.selector")
    if trigger == Trigger.ERROR_SHOWN and not clean:
        raise ApiError(
            "trigger_config: an error_shown trigger needs the error's text or selector.",
            field="trigger_config.text",
        )
    if trigger == Trigger.ERROR_EVENT and "code" not in clean:
        raise ApiError(
            "trigger_config.code: name the error code the host app reports.",
            field="trigger_config.code",
        )
    if trigger == Trigger.CUSTOM_EVENT and "name" not in clean:
        raise ApiError("trigger_config.name: name the custom event.", field="trigger_config.name")
    return clean


def _clean(workspace: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    """Validate a full set of placement fields (after merging a patch) into model values."""
    unknown = set(data) - set(PLACEMENT_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise ApiError(f"{name}: unknown field.", field=name)
    out: dict[str, Any] = {}
    out["host_app"] = _host_app_in(workspace, data.get("host_app"))
    out["unit"] = _unit_in(workspace, data.get("unit"))
    out["name"] = str(data.get("name") or "").strip()[:200]
    out["url_pattern"] = matching.check_pattern(data.get("url_pattern", "*"))
    out["element"] = matching.check_element(data.get("element"))
    field_key = str(data.get("field_key") or "").strip()
    if len(field_key) > 100:
        raise ApiError("field_key: at most 100 characters.", field="field_key")
    out["field_key"] = field_key
    trigger = data.get("trigger") or Trigger.PAGE_SHOWN
    if trigger not in Trigger.values:
        raise ApiError(f"trigger: use one of {', '.join(Trigger.values)}.", field="trigger")
    out["trigger"] = trigger
    out["trigger_config"] = _check_trigger_config(trigger, data.get("trigger_config"))
    presentation = data.get("presentation") or Presentation.PANEL
    if presentation not in Presentation.values:
        raise ApiError(
            f"presentation: use one of {', '.join(Presentation.values)}.", field="presentation"
        )
    out["presentation"] = presentation
    if presentation in (Presentation.TOOLTIP, Presentation.HOTSPOT) and not out["element"]:
        raise ApiError(f"element: a {presentation} needs an element to point at.", field="element")
    if trigger == Trigger.FIELD_FOCUSED and not out["element"]:
        raise ApiError(
            "element: a field_focused trigger needs the field's selectors.", field="element"
        )
    out["audience"] = matching.check_audience(data.get("audience"))
    for name, lo, hi in (("priority", -1000, 1000), ("max_shows", 0, 1000), ("per_days", 0, 3650)):
        value = data.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise ApiError(f"{name}: a whole number from {lo} to {hi}.", field=name)
        out[name] = value
    if out["max_shows"] and not out["per_days"]:
        raise ApiError("per_days: a frequency cap needs its period in days.", field="per_days")
    for name in ("starts_at", "ends_at"):
        value = data.get(name)
        if isinstance(value, str):
            from django.utils.dateparse import parse_datetime

            parsed = parse_datetime(value)
            if parsed is None:
                raise ApiError(f"{name}: an ISO 8601 date-time.", field=name)
            value = parsed
        if value is not None and not isinstance(value, datetime):
            raise ApiError(f"{name}: an ISO 8601 date-time.", field=name)
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value, UTC)
        out[name] = value
    if out["starts_at"] and out["ends_at"] and out["ends_at"] <= out["starts_at"]:
        raise ApiError("ends_at: must be after starts_at.", field="ends_at")
    for name, default in (("is_active", True), ("is_release_note", False)):
        value = data.get(name, default)
        if not isinstance(value, bool):
            raise ApiError(f"{name}: true or false.", field=name)
        out[name] = value
    return out


@transaction.atomic
def create_placement(
    *, workspace: Workspace, host_app: Any, unit: Any, url_pattern: str = "*", **fields: Any
) -> Placement:
    """Attach a unit to a place in a host app. `host_app` and `unit` are instances, ids or slugs.

    Other fields: name, element, field_key, trigger, trigger_config, audience, presentation,
    priority, is_active, starts_at, ends_at, max_shows, per_days, is_release_note.
    """
    values = _clean(
        workspace, {"host_app": host_app, "unit": unit, "url_pattern": url_pattern, **fields}
    )
    placement = Placement.objects.create(workspace=workspace, **values)
    bump_content_version(workspace=workspace)
    return placement


def _as_data(placement: Placement) -> dict[str, Any]:
    data = {name: getattr(placement, name) for name in PLACEMENT_FIELDS}
    data["host_app"], data["unit"] = placement.host_app, placement.unit
    return data


@transaction.atomic
def update_placement(*, placement: Placement, changes: dict[str, Any]) -> Placement:
    values = _clean(placement.workspace, {**_as_data(placement), **changes})
    for key, value in values.items():
        setattr(placement, key, value)
    placement.save()
    bump_content_version(workspace=placement.workspace)
    return placement


@transaction.atomic
def delete_placement(*, placement: Placement) -> None:
    workspace = placement.workspace
    placement.delete()
    bump_content_version(workspace=workspace)


def get_placement(*, workspace: Workspace, placement_id: Any) -> Placement:
    if not _is_uuid(placement_id):
        raise NotFound("No such placement.")
    found = (
        Placement.objects.select_related("host_app", "unit", "workspace")
        .filter(workspace=workspace, pk=placement_id)
        .first()
    )
    if found is None:
        raise NotFound("No such placement.")
    return found


# --- the compiled matcher (hot path) ---------------------------------------------------


@dataclass
class CompiledPlacement:
    id: str
    regex: Any
    audience: dict[str, Any]
    starts_at: datetime | None
    ends_at: datetime | None
    is_capped: bool
    max_shows: int
    per_days: int
    order: tuple[int, int]
    public: dict[str, Any]  # what the widget receives


@dataclass
class CompiledApp:
    by_segment: dict[str, list[CompiledPlacement]]
    generic: list[CompiledPlacement]


_CACHE: OrderedDict[tuple, CompiledApp] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 256


def _compile(workspace: Workspace, host_app: HostApp) -> CompiledApp:
    rows = (
        Placement.objects.filter(
            workspace=workspace, host_app=host_app, is_active=True, unit__status=Status.PUBLISHED
        )
        .select_related("unit")
        .only(
            "id",
            "url_pattern",
            "element",
            "field_key",
            "trigger",
            "trigger_config",
            "audience",
            "presentation",
            "priority",
            "starts_at",
            "ends_at",
            "max_shows",
            "per_days",
            "is_release_note",
            "created_at",
            "unit__id",
            "unit__title",
            "unit__kind",
            "unit__summary",
            "unit__duration_s",
            "unit__slug",
        )
    )
    by_segment: dict[str, list[CompiledPlacement]] = {}
    generic: list[CompiledPlacement] = []
    for p in rows:
        item = CompiledPlacement(
            id=str(p.id),
            regex=matching.compile_pattern(p.url_pattern),
            audience=p.audience or {},
            starts_at=p.starts_at,
            ends_at=p.ends_at,
            is_capped=bool(p.max_shows),
            max_shows=p.max_shows,
            per_days=p.per_days,
            order=(-p.priority, -matching.specificity(p.url_pattern)),
            public={
                "id": str(p.id),
                "unit": {
                    "id": str(p.unit.id),
                    "slug": p.unit.slug,
                    "title": p.unit.title,
                    "kind": p.unit.kind,
                    "summary": p.unit.summary,
                    "duration_s": p.unit.duration_s,
                },
                "element": p.element,
                "field": p.field_key,
                "trigger": p.trigger,
                "trigger_config": p.trigger_config,
                "presentation": p.presentation,
                "priority": p.priority,
                "is_release_note": p.is_release_note,
            },
        )
        seg = matching.first_literal_segment(p.url_pattern)
        if seg is None:
            generic.append(item)
        else:
            by_segment.setdefault(seg, []).append(item)
    return CompiledApp(by_segment=by_segment, generic=generic)


def compiled_for(workspace: Workspace, host_app: HostApp) -> CompiledApp:
    """The host app's placements, compiled once per content version in each process.

    The key holds workspace.content_version, which every change bumps in the database,
    so no process serves a stale matcher after a change (read with the host app).
    """
    key = (workspace.pk, workspace.content_version, host_app.pk)
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    compiled = _compile(workspace, host_app)
    with _CACHE_LOCK:
        _CACHE[key] = compiled
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return compiled


def placements_for_page(
    *,
    workspace: Workspace,
    host_app: HostApp,
    person: Person,
    url: str,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """The placements that apply to `person` on the page at `url`, best first.

    Each is the widget's view of the placement, plus `auto`: False when its frequency cap
    is reached (it is still listed in the panel; help a person asks for is never blocked).
    """
    now = now or timezone.now()
    path = matching.path_of(url)
    found = _matched(workspace, host_app, person, path, now)
    if not found:
        return []
    hidden = _hidden_ids(workspace, person, now)
    if hidden:
        found = [c for c in found if c.id not in hidden]
    capped = _capped_ids(person, [c for c in found if c.is_capped], now)
    return [{**c.public, "auto": c.id not in capped} for c in found]


# The page context is asked on every page view; most of its answer depends only on the
# content version, the host app, the page and what the audience rules read of the person.
# Both memos below are per process and keyed on workspace.content_version (read from the
# database on every request with the host app), so a change is seen at once.
_MATCHED: OrderedDict[tuple, tuple[datetime, list[CompiledPlacement]]] = OrderedDict()
_HIDDEN: OrderedDict[tuple, set[str]] = OrderedDict()
_MEMO_SIZE = 20_000
MATCH_MEMO_S = 3600


def audience_key(person: Person) -> tuple:
    """What audience rules read of a person (matching.audience_matches)."""
    attrs = person.attributes or {}
    return (
        person.job_role or "",
        person.team or "",
        (person.locale or "").lower(),
        json.dumps(attrs, sort_keys=True, default=str) if attrs else "",
    )


def _matched(
    workspace: Workspace, host_app: HostApp, person: Person, path: str, now: datetime
) -> list[CompiledPlacement]:
    """Placements for the page and the person's audience, best first (before pilots and caps)."""
    key = (workspace.pk, workspace.content_version, host_app.pk, audience_key(person), path)
    hit = _MATCHED.get(key)
    if hit is not None and now < hit[0]:
        return hit[1]
    compiled = compiled_for(workspace, host_app)
    candidates = compiled.by_segment.get(matching.first_segment_of(path), []) + compiled.generic
    on_page = [
        c
        for c in candidates
        if c.regex.match(path) and matching.audience_matches(c.audience, person)
    ]
    found = [
        c
        for c in on_page
        if (c.starts_at is None or c.starts_at <= now) and (c.ends_at is None or now < c.ends_at)
    ]
    found.sort(key=lambda c: c.order)
    # Valid until the next start or end of an active window among the page's placements.
    until = now + timedelta(seconds=MATCH_MEMO_S)
    for c in on_page:
        for edge in (c.starts_at, c.ends_at):
            if edge is not None and now < edge < until:
                until = edge
    with _CACHE_LOCK:
        _MATCHED[key] = (until, found)
        while len(_MATCHED) > _MEMO_SIZE:
            _MATCHED.popitem(last=False)
    return found


def _hidden_ids(workspace: Workspace, person: Person, now: datetime) -> set[str]:
    """Insights' pilot-hidden placements for the person, memoised on what they depend on
    (its rules are per workspace, content version and day; pilot writes bump the version)."""
    from unstuck.insights import queries as insights_queries

    key = (workspace.pk, workspace.content_version, now.date(), person.pk, person.team or "")
    found = _HIDDEN.get(key)
    if found is None:
        hidden = insights_queries.hidden_placement_ids(workspace=workspace, person=person)
        found = {str(h) for h in hidden or ()}
        with _CACHE_LOCK:
            _HIDDEN[key] = found
            while len(_HIDDEN) > _MEMO_SIZE:
                _HIDDEN.popitem(last=False)
    return found


def _capped_ids(person: Person, items: list[CompiledPlacement], now: datetime) -> set[str]:
    if not items:
        return set()
    longest = max(c.per_days for c in items)
    rows = PlacementShow.objects.filter(
        person=person,
        placement_id__in=[c.id for c in items],
        shown_at__gte=now - timedelta(days=longest),
    ).values_list("placement_id", "shown_at")
    shows: dict[str, list[datetime]] = {}
    for pid, at in rows:
        shows.setdefault(str(pid), []).append(at)
    capped = set()
    for c in items:
        recent = [at for at in shows.get(c.id, []) if at >= now - timedelta(days=c.per_days)]
        if len(recent) >= c.max_shows:
            capped.add(c.id)
    return capped


def record_show(
    *, workspace: Workspace, person: Person, placement_id: str, event_id: str | None = None
) -> bool:
    """Count one automatic show of a placement to a person (for its frequency cap).

    With `event_id` (the widget's id for the show), a resent show is counted once.
    Returns whether a show was counted now.
    """
    if not _is_uuid(placement_id):
        return False
    placement = Placement.objects.filter(workspace=workspace, pk=placement_id).only("id").first()
    if placement is None:
        return False
    if event_id is None:
        PlacementShow.objects.create(workspace=workspace, placement=placement, person=person)
        return True
    _, created = PlacementShow.objects.get_or_create(
        workspace=workspace,
        event_id=event_id,
        defaults={"placement": placement, "person": person},
    )
    return created


def placement_counts(*, workspace: Workspace) -> dict[str, int]:
    """Placements per host app slug (for pages and insights)."""
    rows = (
        Placement.objects.for_workspace(workspace).values("host_app__slug").annotate(n=Count("id"))
    )
    return {r["host_app__slug"]: r["n"] for r in rows}


# Pending nudges are asked for on every page view; guidance answers with a query. A
# short per-process memo keeps that off most page views. Nudges made from the person's
# own events come back in the events response, or (events sent by sendBeacon as a page
# unloads) in the next page's context, which the widget then asks for `fresh`; nudges
# made by background detectors show up to PENDING_NUDGES_S later. The widget skips
# nudges it already showed.
PENDING_NUDGES_S = 15
_NUDGES: dict[Any, tuple[float, list[dict[str, Any]]]] = {}


def pending_nudges(
    *, workspace: Workspace, person: Person, host_app: HostApp, fresh: bool = False
) -> list[dict[str, Any]]:
    """Guidance's pending nudges for the person, memoised briefly; `fresh` skips the memo
    (the widget asks so after it sent events, which may have made nudges)."""
    import time

    from unstuck.guidance import services as guidance_services

    key = (person.pk, host_app.slug)
    found = _NUDGES.get(key)
    if not fresh and found is not None and found[0] > time.monotonic():
        return found[1]
    nudges = (
        guidance_services.pending_nudges(workspace=workspace, person=person, host_app=host_app.slug)
        or []
    )
    with _CACHE_LOCK:
        if len(_NUDGES) > 20_000:
            _NUDGES.clear()
        _NUDGES[key] = (time.monotonic() + PENDING_NUDGES_S, nudges)
    return nudges


def forget_pending_nudges(person: Person) -> None:
    with _CACHE_LOCK:
        for key in [k for k in _NUDGES if k[0] == person.pk]:
            _NUDGES.pop(key, None)


# --- units for learners --------------------------------------------------------------------


def published_unit(*, workspace: Workspace, unit_id: Any) -> Unit:
    qs = Unit.objects.for_workspace(workspace).published()
    unit = (
        qs.filter(pk=unit_id).first() if _is_uuid(unit_id) else qs.filter(slug=str(unit_id)).first()
    )
    if unit is None:
        raise NotFound("No such published unit.")
    return unit


def unit_for_player(unit: Unit) -> dict[str, Any]:
    """What the players need to show a unit (published fields only)."""
    return {
        "id": str(unit.id),
        "slug": unit.slug,
        "kind": unit.kind,
        "title": unit.title,
        "summary": unit.summary,
        "body_html": unit.body_html,
        "payload": _payload_for_player(unit),
        "duration_s": unit.duration_s,
        "locale": unit.locale,
        "skills": [s.name for s in unit.skills.all()],
    }


# Quiz answers are graded on the server: what gives an answer away stays here until the
# person has answered (then grade_quiz_answer tells them).
QUIZ_SECRETS = ("correct", "feedback")
QUESTION_SECRETS = ("explanation", "explanation_html")


def _payload_for_player(unit: Unit) -> dict[str, Any]:
    payload = unit.payload or {}
    if unit.kind != "quiz":
        return payload
    questions = []
    for question in payload.get("questions") or []:
        if not isinstance(question, dict):
            continue
        choices = question.get("choices") or []
        q = {k: v for k, v in question.items() if k not in QUESTION_SECRETS}
        q["choices"] = [
            {k: v for k, v in c.items() if k not in QUIZ_SECRETS}
            for c in choices
            if isinstance(c, dict)
        ]
        if q.get("multiple") is None:
            q["multiple"] = sum(1 for c in choices if isinstance(c, dict) and c.get("correct")) > 1
        questions.append(q)
    return {**payload, "questions": questions}


def _choice_key(choice: dict[str, Any], index: int) -> str:
    return str(choice.get("id") or index)


def grade_quiz_answer(unit: Unit, question: Any, choice_ids: Any) -> dict[str, Any]:
    """Grade the chosen choices (ids, or indexes for choices without one) of one question.

    Returns {"question", "correct", "feedback", "explanation_html", "correct_choice_ids",
    "choices": [{"id", "correct", "feedback"}] (the chosen ones)}. Raises ApiError 400.
    """
    questions = [q for q in (unit.payload or {}).get("questions") or [] if isinstance(q, dict)]
    if unit.kind != "quiz" or not questions:
        raise ApiError("This unit is not a quiz.", code="not_a_quiz")
    if isinstance(question, bool) or not isinstance(question, int):
        raise ApiError("question: the question's number (from 0).", field="question")
    if not 0 <= question < len(questions):
        raise ApiError(f"question: the quiz has {len(questions)} questions.", field="question")
    if isinstance(choice_ids, str):
        choice_ids = [choice_ids]
    if not isinstance(choice_ids, list) or not choice_ids:
        raise ApiError("choice_ids: choose at least one answer.", field="choice_ids")
    q = questions[question]
    choices = [c for c in q.get("choices") or [] if isinstance(c, dict)]
    keys = [_choice_key(c, i) for i, c in enumerate(choices)]
    chosen = {str(c) for c in choice_ids}
    unknown = sorted(chosen - set(keys))
    if unknown:
        raise ApiError(
            f"choice_ids: no choice {unknown[0]!r} in this question.", field="choice_ids"
        )
    multiple = q.get("multiple")
    correct = [k for k, c in zip(keys, choices, strict=True) if c.get("correct")]
    if len(chosen) > 1 and not (multiple or len(correct) > 1):
        raise ApiError("choice_ids: this question takes one answer.", field="choice_ids")
    picked: list[dict[str, Any]] = [
        {"id": k, "correct": bool(c.get("correct")), "feedback": c.get("feedback") or ""}
        for k, c in zip(keys, choices, strict=True)
        if k in chosen
    ]
    return {
        "question": question,
        "correct": chosen == set(correct),
        "feedback": " ".join(p["feedback"] for p in picked if p["feedback"]),
        "explanation_html": q.get("explanation_html") or "",
        "correct_choice_ids": correct,
        "choices": picked,
    }


# --- checklists --------------------------------------------------------------------------


def checklist_ticks(*, workspace: Workspace, person: Person, unit: Unit) -> list[int]:
    row = ChecklistProgress.objects.filter(workspace=workspace, person=person, unit=unit).first()
    return list(row.ticked) if row else []


def _checklist_size(unit: Unit) -> int:
    items = (unit.payload or {}).get("items")
    return len(items) if isinstance(items, list) else 0


@transaction.atomic
def save_checklist_ticks(
    *, workspace: Workspace, person: Person, unit: Unit, ticked: Any
) -> list[int]:
    if unit.kind != "checklist":
        raise ApiError("This unit is not a checklist.", field="unit")
    size = _checklist_size(unit)
    if not isinstance(ticked, list):
        raise ApiError("ticked: a list of item numbers.", field="ticked")
    clean: set[int] = set()
    for i, value in enumerate(ticked):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < max(size, 1):
            raise ApiError(
                f"ticked.{i}: an item number from 0 to {max(size - 1, 0)}.", field=f"ticked.{i}"
            )
        clean.add(value)
    row, _ = ChecklistProgress.objects.select_for_update().get_or_create(
        workspace=workspace, person=person, unit=unit
    )
    row.ticked = sorted(clean)
    row.save()
    return row.ticked
