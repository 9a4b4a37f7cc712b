"""REST endpoints of guidance (mounted under /api/v1/): search, suggestions, the
assistant, synonyms, ranking settings and nudges."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.http import StreamingHttpResponse
from ninja import Router, Status

from unstuck.accounts.access import require
from unstuck.accounts.models import Person
from unstuck.errors import ApiError, NotFound

from . import ranking, services
from .assistant import unit_url
from .models import Synonym
from .schemas import (
    AssistantIn,
    AssistantOut,
    GuidanceSettingsIn,
    GuidanceSettingsOut,
    NudgeOut,
    NudgeStatusIn,
    SearchOut,
    SuggestionsOut,
    SynonymIn,
    SynonymOut,
)

router = Router(tags=["guidance"])


def person_for(actor, ref: str | None, *, permission: str = "people.view") -> Person | None:
    """The person a request is about: `ref` (external id or id) needs `permission`
    unless it names the actor's own person; without `ref`, the actor's own person."""
    own = actor.person
    if not ref:
        return own
    qs = Person.objects.for_workspace(actor.workspace)
    try:
        person = qs.filter(pk=UUID(ref)).first() or qs.filter(external_id=ref).first()
    except ValueError:
        person = qs.filter(external_id=ref).first()
    if person is None:
        raise NotFound("No such person in this workspace.", field="person")
    if own is None or own.pk != person.pk:
        require(actor, permission)
    return person


def _hit(h: dict[str, Any]) -> dict[str, Any]:
    u = h["unit"]
    return {
        "unit_id": str(u.id),
        "title": u.title,
        "kind": u.kind,
        "summary": u.summary,
        "duration_s": u.duration_s,
        "score": h["score"],
        "snippet": h.get("snippet", ""),
        "reasons": h["reasons"],
        "url": unit_url(u),
        "signals": h.get("signals", {}),
        "placement_id": h.get("placement_id"),
    }


@router.get("/search", response=SearchOut)
def search(
    request,
    q: str,
    limit: int = 10,
    person: str | None = None,
    host_app: str = "",
    channel: str = "api",
):
    require(request.auth, "content.view")
    if len(q) > 500:
        raise ApiError("A search is at most 500 characters.", field="q")
    who = person_for(request.auth, person)
    hits = services.search_units(
        workspace=request.auth.workspace,
        query=q,
        person=who,
        host_app=host_app,
        limit=limit,
        channel=channel[:20],
        record=who is not None,
    )
    return {"query": q, "count": len(hits), "results": [_hit(h) for h in hits]}


@router.get("/suggestions", response=SuggestionsOut)
def suggestions(
    request,
    host_app: str = "",
    url: str = "",
    field: str = "",
    error: str = "",
    query: str = "",
    person: str | None = None,
    limit: int = 5,
):
    """The units ranked for a stuck moment, with scores, signals and reasons."""
    require(request.auth, "content.view")
    for name, value in (("url", url), ("error", error), ("query", query)):
        if len(value) > 1000:
            raise ApiError(f"{name} is at most 1000 characters.", field=name)
    if not any((host_app, url, field, error, query)):
        raise ApiError("Give at least one of host_app, url, field, error or query.", field="query")
    who = person_for(request.auth, person)
    results = services.suggest(
        workspace=request.auth.workspace,
        host_app=host_app,
        url=url,
        field=field,
        error=error,
        query=query,
        person=who,
        limit=limit,
    )
    return {
        "results": [_hit(h) for h in results],
        "weights": ranking.weights_for(request.auth.workspace),
    }


@router.post("/assistant", response=AssistantOut)
def ask(request, data: AssistantIn):
    """Answer a question from the workspace's units. With `"stream": true` the answer
    comes as server-sent events: `citations`, then `delta`s, then `done`."""
    require(request.auth, "content.view")
    actor = request.auth
    if data.stream:
        events = services.stream_answer(
            workspace=actor.workspace,
            person=actor.person,
            question=data.question,
            channel=data.channel,
        )

        def sse():
            for event in events:
                yield f"event: {event['type']}\ndata: {json.dumps(event)}\n\n"

        response = StreamingHttpResponse(sse(), content_type="text/event-stream")
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"
        return response
    return services.answer_question(
        workspace=actor.workspace, person=actor.person, question=data.question, channel=data.channel
    )


# --- synonyms -----------------------------------------------------------------------------


@router.get("/synonyms", response=list[SynonymOut])
def list_synonyms(request):
    require(request.auth, "content.view")
    return list(Synonym.objects.for_workspace(request.auth.workspace))


@router.post("/synonyms", response={201: SynonymOut})
def save_synonym(request, data: SynonymIn):
    require(request.auth, "content.edit")
    return Status(
        201,
        services.save_synonym(
            workspace=request.auth.workspace, term=data.term, alternatives=data.alternatives
        ),
    )


@router.delete("/synonyms/{synonym_id}", response={204: None})
def delete_synonym(request, synonym_id: UUID):
    require(request.auth, "content.edit")
    services.delete_synonym(workspace=request.auth.workspace, synonym_id=synonym_id)
    return Status(204, None)


# --- settings -----------------------------------------------------------------------------


def _settings_out(workspace) -> dict[str, Any]:
    row = services.guidance_settings(workspace)
    return {
        "ranking_weights": ranking.weights_for(workspace),
        "max_nudges_per_day": row.max_nudges_per_day,
        "min_minutes_between_nudges": row.min_minutes_between_nudges,
        "same_unit_cooldown_days": row.same_unit_cooldown_days,
        "daily_budget_s": workspace.daily_budget_s,
    }


@router.get("/guidance/settings", response=GuidanceSettingsOut)
def get_settings(request):
    require(request.auth, "workspace.view")
    return _settings_out(request.auth.workspace)


@router.put("/guidance/settings", response=GuidanceSettingsOut)
def put_settings(request, data: GuidanceSettingsIn):
    require(request.auth, "workspace.manage")
    services.update_settings(workspace=request.auth.workspace, **data.dict(exclude_unset=True))
    return _settings_out(request.auth.workspace)


@router.post("/search/reindex")
def reindex(request):
    require(request.auth, "content.publish")
    from .search import rebuild_index

    return {"indexed": rebuild_index(request.auth.workspace)}


# --- nudges -------------------------------------------------------------------------------


@router.get("/nudges", response=list[NudgeOut])
def list_nudges(request, person: str | None = None, host_app: str = ""):
    """Nudges waiting for a person (the caller's own, or `person` with people.view)."""
    who = person_for(request.auth, person)
    if who is None:
        raise ApiError("Name a person (external id).", field="person")
    return services.pending_nudges(workspace=request.auth.workspace, person=who, host_app=host_app)


@router.post("/nudges/{nudge_id}/status", response=NudgeOut)
def nudge_status(request, nudge_id: UUID, data: NudgeStatusIn):
    """A channel (Slack, email, a custom client) reports a nudge delivered, opened or dismissed."""
    who = person_for(request.auth, data.person, permission="people.manage")
    if who is None:
        raise ApiError("Name a person (external id).", field="person")
    nudge = services.mark_nudge(
        workspace=request.auth.workspace,
        person=who,
        nudge_id=nudge_id,
        status=data.status,
        channel=data.channel[:20],
    )
    return services.nudge_out(nudge)
