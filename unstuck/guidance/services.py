"""Guidance: search, ranking, need detection, nudges and the assistant.

The public Python interface other apps call (delivery's widget and help center, the
integrations): `search_units`, `suggest`, `answer_question` / `stream_answer`,
`on_statements`, `pending_nudges`, `mark_nudge`, and `index_unit` for the content
services to keep the search index current (it also re-syncs lazily by content version).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from unstuck.content.models import Unit
from unstuck.errors import ApiError, NotFound
from unstuck.lrs import profile as p

from . import assistant, detectors, ranking
from . import search as searchmod
from .models import GuidanceSettings, Nudge, NudgeChannel, NudgeStatus, Synonym

logger = logging.getLogger("unstuck.guidance")

NUDGE_TTL = timedelta(hours=12)  # a widget nudge not shown by then is stale
OUTCOME_WINDOW = timedelta(hours=1)


def _record(workspace, statements: list[dict]) -> None:
    from unstuck.lrs.services import record_statements

    if statements:
        record_statements(workspace=workspace, statements=statements)


# --- search -------------------------------------------------------------------------------


def index_unit(unit) -> None:
    """Call after a unit is published, changed, archived or unpublished."""
    searchmod.index_unit(unit)


def search_units(
    *,
    workspace,
    query: str,
    person=None,
    host_app: str = "",
    limit: int = 10,
    channel: str = "widget",
    record: bool = True,
) -> list[dict[str, Any]]:
    """Published units matching `query`, best first.

    Returns [{"unit": Unit, "score": float, "snippet": str (safe HTML with <mark>), "reasons": [str]}].
    With `record`, the search is recorded as a statement (searches finding nothing are content gaps).
    """
    q = (query or "").strip()[:500]
    if not q:
        return []
    limit = max(1, min(int(limit), 50))
    hits, parsed = searchmod.search(workspace, q, limit=limit)
    units = ranking.published_units(workspace, [h.unit_id for h in hits])
    texts = searchmod.snippet_texts(list(units))
    out = []
    for h in hits:
        unit = units.get(h.unit_id)
        if unit is None:
            continue
        reasons = ["matches your search"]
        if parsed.corrected:
            reasons.append("showing results for similar words")
        out.append(
            {
                "unit": unit,
                "score": round(h.score, 4),
                "snippet": searchmod.snippet(
                    texts.get(h.unit_id, unit.summary), parsed.groups, unit.locale
                ),
                "reasons": reasons,
            }
        )
    if record and person is not None:
        stmt = p.statement(
            actor=p.actor_for_person(person),
            verb=p.VERB_SEARCHED,
            object_id=f"{p.PROFILE_BASE}/search",
            object_type=p.ACTIVITY_SEARCH,
            object_name="Unstuck search",
            extensions={
                p.EXT_QUERY: q,
                p.EXT_RESULTS: len(out),
                p.EXT_HOST_APP: host_app,
                p.EXT_CHANNEL: channel,
            },
        )
        try:
            _record(workspace, [stmt])
        except ApiError:  # pragma: no cover - recording must never break a search
            logger.exception("could not record a search")
        _run_detectors(workspace, person, [stmt], create_only=True)
    return out


def suggest(
    *,
    workspace,
    host_app: str = "",
    url: str = "",
    field: str = "",
    error: str = "",
    query: str = "",
    person=None,
    limit: int = 5,
) -> list[dict[str, Any]]:
    """The ranked units for a request context. Same shape as search_units, plus
    "signals" (each in [0, 1]) and "placement_id"."""
    ranked = ranking.rank(
        workspace=workspace,
        host_app=host_app,
        url=url,
        field=field,
        error=error,
        query=query,
        person=person,
        limit=max(1, min(int(limit), 50)),
    )
    groups = (
        searchmod.parse_query(workspace, " ".join([query, error])).groups
        if (query or error)
        else []
    )
    texts = searchmod.snippet_texts([c.unit.id for c in ranked]) if groups else {}
    return [
        {
            "unit": c.unit,
            "score": c.score,
            "reasons": c.reasons,
            "signals": c.signals,
            "placement_id": c.placement_id,
            "snippet": searchmod.snippet(
                texts.get(str(c.unit.id), c.unit.summary), groups, c.unit.locale
            )
            if groups
            else "",
        }
        for c in ranked
    ]


# --- synonyms and settings ----------------------------------------------------------------


def _clean_words(values: Any, field: str) -> list[str]:
    if not isinstance(values, list) or not values:
        raise ApiError("Give at least one alternative word.", field=field)
    out = []
    for i, v in enumerate(values):
        word = str(v).strip().lower()
        if not word or len(word) > 100:
            raise ApiError("Each alternative is 1-100 characters.", field=f"{field}.{i}")
        if word not in out:
            out.append(word)
    return out


@transaction.atomic
def save_synonym(*, workspace, term: str, alternatives: list[str]) -> Synonym:
    term = (term or "").strip().lower()
    if not term or len(term) > 100:
        raise ApiError("Give the word (1-100 characters).", field="term")
    alts = [a for a in _clean_words(alternatives, "alternatives") if a != term]
    if not alts:
        raise ApiError("Give at least one word other than the term itself.", field="alternatives")
    syn, _ = Synonym.objects.update_or_create(
        workspace=workspace, term=term, defaults={"alternatives": alts}
    )
    searchmod.bump_generation(workspace)
    return syn


def delete_synonym(*, workspace, synonym_id) -> None:
    deleted, _ = Synonym.objects.for_workspace(workspace).filter(pk=synonym_id).delete()
    if not deleted:
        raise NotFound("No such synonym.")
    searchmod.bump_generation(workspace)


def guidance_settings(workspace) -> GuidanceSettings:
    row, _ = GuidanceSettings.objects.get_or_create(workspace=workspace)
    return row


@transaction.atomic
def update_settings(
    *,
    workspace,
    ranking_weights: dict | None = None,
    max_nudges_per_day: int | None = None,
    min_minutes_between_nudges: int | None = None,
    same_unit_cooldown_days: int | None = None,
):
    row = guidance_settings(workspace)
    if ranking_weights is not None:
        clean = {}
        for k, v in ranking_weights.items():
            if k not in ranking.DEFAULT_WEIGHTS:
                raise ApiError(
                    f"Unknown signal {k!r}; the signals are {', '.join(ranking.DEFAULT_WEIGHTS)}.",
                    field=f"ranking_weights.{k}",
                )
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v <= 100:
                raise ApiError("A weight is a number from 0 to 100.", field=f"ranking_weights.{k}")
            clean[k] = float(v)
        row.ranking_weights = {**row.ranking_weights, **clean}
    for name, value, hi in (
        ("max_nudges_per_day", max_nudges_per_day, 100),
        ("min_minutes_between_nudges", min_minutes_between_nudges, 1440),
        ("same_unit_cooldown_days", same_unit_cooldown_days, 365),
    ):
        if value is not None:
            if not 0 <= value <= hi:
                raise ApiError(f"{name} is from 0 to {hi}.", field=name)
            setattr(row, name, value)
    row.save()
    searchmod.bump_generation(workspace)  # processes cache the weights per generation
    return row


# --- nudges -------------------------------------------------------------------------------


def nudge_out(n: Nudge) -> dict[str, Any]:
    return {
        "id": str(n.id),
        "unit_id": str(n.unit_id),
        "title": n.unit.title,
        "reason": n.reason,
        "presentation": "tip",
        "placement_id": n.context.get("placement_id") or None,
        "field": n.context.get("field") or None,
        "detector": n.detector,
        "channel": n.channel,
        "status": n.status,
    }


def _allowed_by_caps(workspace, person, unit_id, cfg: GuidanceSettings, now) -> bool:
    recent = Nudge.objects.filter(workspace=workspace, person=person)
    if recent.filter(created_at__gte=now - timedelta(days=1)).count() >= cfg.max_nudges_per_day:
        return False
    if (
        cfg.min_minutes_between_nudges
        and recent.filter(
            created_at__gte=now - timedelta(minutes=cfg.min_minutes_between_nudges)
        ).exists()
    ):
        return False
    if unit_id is None:
        return True
    return not recent.filter(
        unit_id=unit_id, created_at__gte=now - timedelta(days=cfg.same_unit_cooldown_days)
    ).exists()


def _choose_unit(workspace, person, d: detectors.Detection):
    if d.unit_id:
        return Unit.objects.for_workspace(workspace).published().filter(
            pk=d.unit_id
        ).first(), d.placement_id or None
    if d.detector == "failed_quiz":
        quiz = Unit.objects.for_workspace(workspace).filter(pk=d.extra.get("quiz_unit_id")).first()
        if quiz is None:
            return None, None
        skill_ids = list(quiz.skills.values_list("id", flat=True))
        unit = (
            (
                Unit.objects.for_workspace(workspace)
                .published()
                .exclude(kind="quiz")
                .filter(skills__in=skill_ids)
                .distinct()
                .order_by("duration_s")
                .first()
            )
            if skill_ids
            else None
        )
        if unit is None:
            ranked = ranking.rank(workspace=workspace, query=quiz.title, person=person, limit=3)
            unit = next((c.unit for c in ranked if c.unit.id != quiz.id), None)
        return unit, None
    ranked = ranking.rank(
        workspace=workspace,
        host_app=d.host_app,
        url=d.page,
        field=d.field,
        error=d.error,
        query=d.query,
        person=person,
        limit=1,
    )
    return (ranked[0].unit, ranked[0].placement_id) if ranked else (None, None)


def create_nudge(
    *, workspace, person, detection: detectors.Detection, channel: str = NudgeChannel.WIDGET
) -> Nudge | None:
    """Turn a detection into a nudge when the caps and the daily budget allow it."""
    from unstuck.adaptive import services as adaptive

    cfg = guidance_settings(workspace)
    now = timezone.now()
    # The person-level caps first: they are cheap and spare choosing a unit for nothing.
    if not _allowed_by_caps(workspace, person, None, cfg, now):
        return None
    unit, placement_id = _choose_unit(workspace, person, detection)
    if unit is None or not _allowed_by_caps(workspace, person, unit.id, cfg, now):
        return None
    cost = max(30, min(unit.duration_s or 60, 300))
    with transaction.atomic():
        nudge = Nudge.objects.create(
            workspace=workspace,
            person=person,
            unit=unit,
            detector=detection.detector,
            channel=channel,
            reason=detection.reason[:300],
            budget_s=cost,
            context={
                "host_app": detection.host_app,
                "page": detection.page,
                "field": detection.field,
                "task": detection.task,
                "error": detection.error[:200],
                "placement_id": placement_id,
            },
        )
        if not adaptive.spend_budget(
            workspace=workspace, person=person, seconds=cost, source="nudge", ref=str(nudge.id)
        ):
            transaction.set_rollback(True)
            return None
    return nudge


_release_note_cache: dict[tuple, list[dict]] = {}


def _release_notes(workspace, host_app: str) -> list[dict]:
    """The host app's active release-note placements, cached in process per workspace
    content version (placement changes bump it)."""
    if not host_app:
        return []
    key = (str(workspace.pk), workspace.content_version, host_app)
    if key in _release_note_cache:
        return _release_note_cache[key]
    try:
        from unstuck.delivery.models import Placement
    except ImportError:  # pragma: no cover
        return []
    rows = (
        Placement.objects.for_workspace(workspace)
        .filter(
            host_app__slug=host_app, is_active=True, is_release_note=True, unit__status="published"
        )
        .values("id", "unit_id", "url_pattern", "field_key")
    )
    notes = [
        {
            "id": str(r["id"]),
            "unit_id": str(r["unit_id"]),
            "field_key": r["field_key"],
            "regex": ranking._pattern_regex(r["url_pattern"] or "*"),
        }
        for r in rows
    ]
    if len(_release_note_cache) > 1000:
        _release_note_cache.clear()
    _release_note_cache[key] = notes
    return notes


def _is_watched(workspace, stmt: dict, release_cache: dict[str, list[dict]]) -> bool:
    """Whether any detector could care about this statement: a dictionary lookup for the
    verb, and for other verbs whether the host app has release notes at all."""
    if (stmt.get("verb") or {}).get("id", "") in detectors.WATCHED_VERBS:
        return True
    host_app = str(((stmt.get("context") or {}).get("extensions") or {}).get(p.EXT_HOST_APP) or "")
    if not host_app:
        return False
    if host_app not in release_cache:
        release_cache[host_app] = _release_notes(workspace, host_app)
    return bool(release_cache[host_app])


def _run_detectors(
    workspace, person, statements: list[dict], *, create_only: bool = False
) -> list[Nudge]:
    release_cache: dict[str, list[dict]] = {}
    observations = [
        o
        for stmt in statements
        if _is_watched(workspace, stmt, release_cache)
        and (o := detectors.observe(stmt)) is not None
    ]
    if not observations:
        return []
    made: list[Nudge] = []
    clock = detectors.TaskClock(workspace)
    memo: dict = {}
    # One transaction per batch: one commit instead of one per signal and timing write.
    with transaction.atomic():
        clock.load(observations)
        for o in observations:
            _track_nudge(workspace, person, o, memo)
            found = [
                d for det in detectors.DETECTORS if (d := det(workspace, person, o)) is not None
            ]
            if (slow := clock.observe(o)) is not None:
                found.append(slow)
            if o.host_app:
                if o.host_app not in release_cache:
                    release_cache[o.host_app] = _release_notes(workspace, o.host_app)
                rn = detectors.detect_release_note(workspace, person, o, release_cache[o.host_app])
                if (
                    rn is not None
                    and not Nudge.objects.filter(
                        workspace=workspace,
                        person=person,
                        detector="release_note",
                        context__placement_id=rn.placement_id,
                    ).exists()
                ):
                    found.append(rn)
            for d in found:
                nudge = create_nudge(workspace=workspace, person=person, detection=d)
                if nudge is not None:
                    made.append(nudge)
        clock.save()
    return made


def _track_nudge(workspace, person, o: detectors.Observation, memo: dict | None = None) -> None:
    """Keep nudge status and outcome in step with the statements about them.

    `memo` is shared by one batch: once a task finishes with no nudge awaiting an
    outcome, later tasks of the batch skip the query."""
    now = timezone.now()
    memo = {} if memo is None else memo
    if o.nudge_id and o.verb in (p.VERB_RECEIVED, p.VERB_OPENED):
        memo.pop("none_open", None)
        nudge = Nudge.objects.filter(
            workspace=workspace, person=person, pk=_uuid_or_none(o.nudge_id)
        ).first()
        if nudge is not None:
            if o.verb == p.VERB_RECEIVED and nudge.status == NudgeStatus.CREATED:
                nudge.status, nudge.delivered_at = NudgeStatus.DELIVERED, now
            elif o.verb == p.VERB_OPENED:
                nudge.status, nudge.opened_at = NudgeStatus.OPENED, now
                nudge.delivered_at = nudge.delivered_at or now
            nudge.save()
    elif o.is_task and o.verb in (p.VERB_COMPLETED, p.VERB_FAILED) and o.success is not None:
        if memo.get("none_open"):
            return
        open_nudges = list(
            Nudge.objects.filter(
                workspace=workspace,
                person=person,
                outcome="",
                status__in=[NudgeStatus.DELIVERED, NudgeStatus.OPENED],
                delivered_at__gte=now - OUTCOME_WINDOW,
            ).select_related("unit")
        )
        if not open_nudges:
            memo["none_open"] = True
        statements = []
        for nudge in open_nudges:
            ctx = nudge.context or {}
            if ctx.get("task") and ctx["task"] != o.task:
                continue
            if ctx.get("host_app") and ctx["host_app"] != o.host_app:
                continue
            nudge.outcome = "succeeded" if o.success else "failed"
            nudge.outcome_at = now
            nudge.save(update_fields=["outcome", "outcome_at"])
            statements.append(
                p.statement(
                    actor=p.actor_for_person(person),
                    verb=p.VERB_COMPLETED if o.success else p.VERB_FAILED,
                    object_id=f"{p.PROFILE_BASE}/nudges/{nudge.id}",
                    object_type=p.ACTIVITY_NUDGE,
                    result={"success": bool(o.success)},
                    extensions={
                        p.EXT_NUDGE: str(nudge.id),
                        p.EXT_DETECTOR: nudge.detector,
                        p.EXT_TASK: o.task,
                        p.EXT_HOST_APP: o.host_app,
                        p.EXT_UNIT: str(nudge.unit_id),
                    },
                )
            )
        _record(workspace, statements)


def _uuid_or_none(value: str):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def on_statements(*, workspace, person, statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run the need detectors over statements just recorded for `person`.

    Returns the nudges to show now in the widget:
    [{"id": str, "unit_id": str, "title": str, "reason": str, "presentation": "tip",
      "placement_id": str | None, "field": str | None}].
    """
    if person is None or not statements:
        return []
    made = _run_detectors(workspace, person, statements)
    return [nudge_out(n) for n in made if n.channel == NudgeChannel.WIDGET]


def pending_nudges(*, workspace, person, host_app: str = "") -> list[dict[str, Any]]:
    """Nudges created earlier (e.g. by a background detector) not yet delivered. Same shape."""
    if person is None:
        return []
    qs = Nudge.objects.filter(
        workspace=workspace,
        person=person,
        channel=NudgeChannel.WIDGET,
        status=NudgeStatus.CREATED,
        created_at__gte=timezone.now() - NUDGE_TTL,
    )
    out = []
    for n in qs.select_related("unit").order_by("created_at")[:5]:
        if host_app and n.context.get("host_app") and n.context["host_app"] != host_app:
            continue
        out.append(nudge_out(n))
    return out


def mark_nudge(*, workspace, person, nudge_id, status: str, channel: str = "") -> Nudge:
    """A channel reports a nudge delivered, opened or dismissed; recorded as a statement."""
    nudge = Nudge.objects.filter(
        workspace=workspace, person=person, pk=_uuid_or_none(nudge_id)
    ).first()
    if nudge is None:
        raise NotFound("No such nudge.", field="nudge_id")
    if status not in (NudgeStatus.DELIVERED, NudgeStatus.OPENED, NudgeStatus.DISMISSED):
        raise ApiError("status is delivered, opened or dismissed.", field="status")
    now = timezone.now()
    nudge.status = status
    nudge.delivered_at = nudge.delivered_at or now
    if status == NudgeStatus.OPENED:
        nudge.opened_at = now
    if status == NudgeStatus.DISMISSED:
        nudge.dismissed_at = now
    nudge.save()
    verbs: dict[str, str] = {
        NudgeStatus.DELIVERED: p.VERB_RECEIVED,
        NudgeStatus.OPENED: p.VERB_OPENED,
    }
    verb = verbs.get(status)
    if verb:
        _record(
            workspace,
            [
                p.statement(
                    actor=p.actor_for_person(person),
                    verb=verb,
                    object_id=f"{p.PROFILE_BASE}/nudges/{nudge.id}",
                    object_type=p.ACTIVITY_NUDGE,
                    extensions={
                        p.EXT_NUDGE: str(nudge.id),
                        p.EXT_DETECTOR: nudge.detector,
                        p.EXT_CHANNEL: channel or nudge.channel,
                        p.EXT_UNIT: str(nudge.unit_id),
                    },
                )
            ],
        )
    return nudge


def detect_needs(*, workspace, since=None) -> int:
    """Background pass for statements that did not come through the widget (xAPI clients):
    statements not built by Unstuck itself (context.platform != "Unstuck")."""
    from unstuck.lrs.models import Statement

    cfg = guidance_settings(workspace)
    since = since or cfg.detected_until or (timezone.now() - timedelta(minutes=10))
    rows = list(
        Statement.objects.filter(workspace=workspace, stored__gt=since, voided=False)
        .exclude(person=None)
        .select_related("person")
        .order_by("stored")[:10_000]
    )
    made = 0
    for row in rows:
        if ((row.data or {}).get("context") or {}).get("platform") == "Unstuck":
            continue
        made += len(_run_detectors(workspace, row.person, [row.data]))
    if rows:
        GuidanceSettings.objects.filter(pk=cfg.pk).update(detected_until=rows[-1].stored)
    detectors.prune_signals(workspace)
    return made


# --- the assistant ------------------------------------------------------------------------


def _record_question(workspace, person, question: str, result: dict, channel: str) -> None:
    if person is None:
        return
    _record(
        workspace,
        [
            p.statement(
                actor=p.actor_for_person(person),
                verb=p.VERB_ASKED,
                object_id=f"{p.PROFILE_BASE}/assistant",
                object_type=p.ACTIVITY_ASSISTANT,
                object_name="Unstuck assistant",
                result={
                    "success": bool(result.get("found")),
                    "response": (result.get("answer") or "")[:1000],
                },
                extensions={
                    p.EXT_QUERY: question[:500],
                    p.EXT_RESULTS: len(result.get("citations") or []),
                    p.EXT_CHANNEL: channel,
                },
            )
        ],
    )


def _check_question(question: str) -> str:
    q = (question or "").strip()
    if not q:
        raise ApiError("Ask a question.", field="question")
    if len(q) > 1000:
        raise ApiError("A question is at most 1000 characters.", field="question")
    return q


def answer_question(*, workspace, person, question: str, channel: str = "widget") -> dict[str, Any]:
    """Answer from the workspace's own units.

    Returns {"answer": str, "citations": [{"unit_id": str, "title": str, "url": str}],
             "mode": "extractive" | "llm", "found": bool}.
    """
    q = _check_question(question)
    result = assistant.answer(workspace, q)
    _record_question(workspace, person, q, result, channel)
    return result


def stream_answer(*, workspace, person, question: str, channel: str = "widget"):
    """The same answer as events for server-sent events (see assistant.answer_events)."""
    q = _check_question(question)

    def events():
        final: dict[str, Any] = {}
        cites: list = []
        for event in assistant.answer_events(workspace, q):
            if event["type"] == "citations":
                cites = event["citations"]
            if event["type"] == "done":
                final = {**event, "citations": cites}
            yield event
        _record_question(workspace, person, q, final, channel)

    return events()
