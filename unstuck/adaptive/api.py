"""REST endpoints of adaptive (mounted under /api/v1/): Today, review answers,
mastery, adaptive collection paths, FSRS refits."""

from __future__ import annotations

from uuid import UUID

from ninja import Router

from unstuck.accounts.access import require
from unstuck.content.models import Collection
from unstuck.errors import ApiError, NotFound
from unstuck.guidance.api import person_for

from . import services
from .schemas import MasteryOut, PathStepOut, RefitOut, ReviewAnswerIn, ReviewAnswerOut, TodayOut

router = Router(tags=["adaptive"])


def _need(person):
    if person is None:
        raise ApiError(
            "Name a person (external id): this key or login has no learner record.", field="person"
        )
    return person


@router.get("/today", response=TodayOut)
def today(request, person: str | None = None):
    """Reviews due today that fit in what is left of the person's daily budget."""
    require(request.auth, "content.view")
    who = _need(person_for(request.auth, person))
    return services.today(workspace=request.auth.workspace, person=who)


@router.post("/reviews/{card_id}/answer", response=ReviewAnswerOut)
def answer_review(request, card_id: UUID, data: ReviewAnswerIn, person: str | None = None):
    require(request.auth, "content.view")
    who = _need(person_for(request.auth, person, permission="people.manage"))
    return services.answer_review(
        workspace=request.auth.workspace,
        person=who,
        card_id=str(card_id),
        choice_id=data.choice_id,
        duration_ms=data.duration_ms,
    )


@router.get("/mastery", response=list[MasteryOut])
def mastery(request, person: str | None = None):
    require(request.auth, "content.view")
    who = _need(person_for(request.auth, person))
    return services.mastery_of_person(workspace=request.auth.workspace, person=who)


@router.get("/collections/{collection_id}/path", response=list[PathStepOut])
def collection_path(request, collection_id: UUID, person: str | None = None):
    """The person's path through a collection: mastered units skipped, missed ones repeated."""
    require(request.auth, "content.view")
    collection = (
        Collection.objects.for_workspace(request.auth.workspace).filter(pk=collection_id).first()
    )
    if collection is None:
        raise NotFound("No such collection.")
    who = person_for(request.auth, person)
    return services.collection_path(
        workspace=request.auth.workspace, person=who, collection=collection
    )


@router.post("/adaptive/refit-fsrs", response=RefitOut)
def refit(request):
    require(request.auth, "workspace.manage")
    return services.refit_fsrs(workspace=request.auth.workspace)
