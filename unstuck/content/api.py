"""REST endpoints for units, their lifecycle, versions and lint, skills and collections.

Learners and managers see published units only; authors and owners see everything.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import CursorPagination, paginate

from unstuck.accounts.access import require
from unstuck.errors import ApiError

from . import media, services
from .kinds import KIND_MODELS, payload_json_schemas
from .models import Collection, Skill, Unit, UnitVersion
from .models import Status as UnitStatus
from .queries import collection_units, unit_stamp
from .schemas import (
    CollectionIn,
    CollectionOut,
    CollectionPatch,
    SkillIn,
    SkillOut,
    SkillPatch,
    UnitIn,
    UnitLintOut,
    UnitListOut,
    UnitOut,
    UnitPatch,
    VersionListOut,
    VersionOut,
    WorkspaceLintOut,
)

router = Router(tags=["units"])


def _units(request):
    """The units this actor may see: everything for authors, published ones for others."""
    actor = request.auth
    require(actor, "content.view")
    qs = Unit.objects.for_workspace(actor.workspace)
    if not actor.can("content.view_drafts"):
        qs = qs.published()
    return qs


def _unit(request, unit_id: UUID) -> Unit:
    return get_object_or_404(_units(request).prefetch_related("skills"), pk=unit_id)


def _editable_unit(request, unit_id: UUID, permission: str = "content.edit") -> Unit:
    require(request.auth, permission)
    return get_object_or_404(Unit.objects.for_workspace(request.auth.workspace), pk=unit_id)


def _refetch(unit: Unit) -> Unit:
    return Unit.objects.prefetch_related("skills").get(pk=unit.pk)


# --- kinds ----------------------------------------------------------------------------


@router.get("/kinds", response=dict[str, dict[str, Any]])
def list_kinds(request):
    """The JSON Schema of each kind's payload."""
    require(request.auth, "content.view")
    return payload_json_schemas()


# --- units ----------------------------------------------------------------------------


@router.get("/units", response=list[UnitListOut])
@paginate(CursorPagination, ordering=("-created_at",))
def list_units(
    request,
    kind: str | None = None,
    status: str | None = None,
    skill: str | None = None,
    tag: str | None = None,
    locale: str | None = None,
    q: str | None = None,
    stale: bool | None = None,
):
    # The list shows no bodies: do not load and decode them.
    qs = _units(request).with_skill_slugs().defer("body_md", "body_html", "payload")
    if kind:
        if kind not in KIND_MODELS:
            raise ApiError(f"kind: unknown kind {kind!r}.", field="kind")
        qs = qs.filter(kind=kind)
    if status:
        if status not in UnitStatus.values:
            raise ApiError(f"status: use one of {', '.join(UnitStatus.values)}.", field="status")
        qs = qs.filter(status=status)
    if skill:
        qs = qs.filter(skills__slug=skill)
    if tag:
        tag = tag.strip().lower()
        # JSON containment is native on PostgreSQL; SQLite stores the list as JSON text.
        qs = (
            qs.filter(tags__contains=[tag])
            if connection.vendor == "postgresql"
            else qs.filter(tags__icontains=json.dumps(tag))
        )
    if locale:
        qs = qs.filter(locale=locale)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(summary__icontains=q) | Q(slug__icontains=q))
    if stale is not None:
        due = Q(review_due_at__lt=timezone.now()) & ~Q(status=UnitStatus.ARCHIVED)
        qs = qs.filter(due) if stale else qs.exclude(due)
    return qs


@router.post("/units", response={201: UnitOut})
def create_unit(request, data: UnitIn):
    require(request.auth, "content.edit")
    fields = data.dict()
    original = fields.pop("translation_of")
    translation_of = None
    if original is not None:
        translation_of = (
            Unit.objects.for_workspace(request.auth.workspace).filter(pk=original).first()
        )
        if translation_of is None:
            raise ApiError(
                "translation_of: no such unit in this workspace.", field="translation_of"
            )
    user = request.auth.user if request.auth.user and request.auth.user.is_authenticated else None
    unit = services.create_unit(
        workspace=request.auth.workspace, translation_of=translation_of, owner=user, **fields
    )
    return Status(201, _refetch(unit))


@router.get("/units/{unit_id}", response=UnitOut)
def get_unit(request, unit_id: UUID):
    actor = request.auth
    require(actor, "content.view")
    stamp = unit_stamp(actor.workspace, unit_id)
    drafts = actor.can("content.view_drafts")
    if stamp is None or (not drafts and stamp[1] != UnitStatus.PUBLISHED):
        raise ApiError("Not found.", status=404, code="not_found")
    # The serialised unit is cached under its stamp: a new edit is a new key, so nothing
    # is ever served stale, and every process agrees without talking to the others.
    updated = stamp[0].replace(" ", "T")
    key = f"unit-json:{unit_id}:{updated}:{stamp[1]}:{stamp[2]}:{int(drafts)}"
    body = cache.get(key)
    if body is None:
        unit = _unit(request, unit_id)
        body = json.dumps(
            UnitOut.from_orm(unit, context={"request": request}).model_dump(mode="json")
        )
        cache.set(key, body, timeout=3600)
    return HttpResponse(body, content_type="application/json")


@router.patch("/units/{unit_id}", response=UnitOut)
def patch_unit(request, unit_id: UUID, data: UnitPatch):
    unit = _editable_unit(request, unit_id)
    changes = data.dict(exclude_unset=True)
    for key in ("title", "kind", "slug", "payload", "review_interval_days"):
        if key in changes and changes[key] is None:
            raise ApiError(f"{key}: must not be null.", field=key)
    if "translation_of" in changes and changes["translation_of"] is not None:
        original = (
            Unit.objects.for_workspace(request.auth.workspace)
            .filter(pk=changes["translation_of"])
            .first()
        )
        if original is None:
            raise ApiError(
                "translation_of: no such unit in this workspace.", field="translation_of"
            )
        changes["translation_of"] = original
    return _refetch(services.update_unit(unit=unit, changes=changes))


@router.delete("/units/{unit_id}", response={204: None})
def delete_unit(request, unit_id: UUID):
    services.delete_unit(unit=_editable_unit(request, unit_id))
    return Status(204, None)


@router.post("/units/{unit_id}/submit", response=UnitOut)
def submit_unit(request, unit_id: UUID):
    """Ask for review (a draft, or the pending edit of a published unit)."""
    return _refetch(services.submit_unit(unit=_editable_unit(request, unit_id)))


@router.post("/units/{unit_id}/return-to-draft", response=UnitOut)
def return_to_draft(request, unit_id: UUID):
    """Send a unit in review back to its author."""
    return _refetch(
        services.return_to_draft(unit=_editable_unit(request, unit_id, "content.publish"))
    )


@router.post("/units/{unit_id}/publish", response=UnitOut)
def publish_unit(request, unit_id: UUID):
    """Publish the working copy as the next version. Lint errors give 409 with the issues."""
    unit = _editable_unit(request, unit_id, "content.publish")
    return _refetch(services.publish_unit(unit=unit, user=request.auth.user))


@router.post("/units/{unit_id}/archive", response=UnitOut)
def archive_unit(request, unit_id: UUID):
    return _refetch(services.archive_unit(unit=_editable_unit(request, unit_id, "content.publish")))


@router.post("/units/{unit_id}/verify", response=UnitOut)
def verify_unit(request, unit_id: UUID):
    """Confirm the unit is still right: restarts its review interval."""
    return _refetch(services.verify_unit(unit=_editable_unit(request, unit_id)))


@router.delete("/units/{unit_id}/draft", response=UnitOut)
def discard_draft(request, unit_id: UUID):
    """Drop the pending edit of a published unit."""
    return _refetch(services.discard_draft(unit=_editable_unit(request, unit_id)))


@router.get("/units/{unit_id}/versions", response=list[VersionListOut])
def list_versions(request, unit_id: UUID):
    require(request.auth, "content.view_drafts")
    unit = _unit(request, unit_id)
    return UnitVersion.objects.filter(unit=unit).select_related("published_by").order_by("-number")


@router.get("/units/{unit_id}/versions/{number}", response=VersionOut)
def get_version(request, unit_id: UUID, number: int):
    require(request.auth, "content.view_drafts")
    unit = _unit(request, unit_id)
    return get_object_or_404(
        UnitVersion.objects.select_related("published_by"), unit=unit, number=number
    )


def _lint_out(unit: Unit, issues) -> dict[str, Any]:
    copy = services.working_copy(unit, with_skills=False)
    return {
        "unit_id": unit.pk,
        "slug": unit.slug,
        "title": copy["title"],
        "status": unit.status,
        "duration_s": copy["duration_s"],
        "is_publishable": not any(i.level == "error" for i in issues),
        "issues": [i.as_dict() for i in issues],
    }


@router.get("/units/{unit_id}/lint", response=UnitLintOut, tags=["lint"])
def lint_unit(request, unit_id: UUID):
    """Errors (block publishing) and warnings of the unit's working copy."""
    require(request.auth, "content.view_drafts")
    unit = _unit(request, unit_id)
    return _lint_out(unit, services.lint_unit(unit))


@router.get("/lint", response=WorkspaceLintOut, tags=["lint"])
def lint_workspace(request, stale: bool = False, level: str | None = None):
    """Lint every unit that is not archived; lists the units with issues.
    `stale=true` keeps only expired verifications; `level=error` only errors."""
    require(request.auth, "content.view_drafts")
    if level not in (None, "error", "warning"):
        raise ApiError("level: use error or warning.", field="level")
    now = timezone.now()
    qs = (
        Unit.objects.for_workspace(request.auth.workspace)
        .exclude(status=UnitStatus.ARCHIVED)
        .order_by("slug")
    )
    out: list[dict[str, Any]] = []
    checked = errors = warnings = 0
    for unit in qs.iterator(chunk_size=500):
        checked += 1
        issues = services.lint_unit(unit, now=now)
        if stale:
            issues = [i for i in issues if i.code == "verification_expired"]
        if level:
            issues = [i for i in issues if i.level == level]
        if issues:
            errors += sum(1 for i in issues if i.level == "error")
            warnings += sum(1 for i in issues if i.level == "warning")
            out.append(_lint_out(unit, issues))
    return {"units_checked": checked, "errors": errors, "warnings": warnings, "units": out}


# --- skills ---------------------------------------------------------------------------


@router.get("/skills", response=list[SkillOut], tags=["skills"])
@paginate(CursorPagination, ordering=("slug",))
def list_skills(request, parent: str | None = None, q: str | None = None):
    require(request.auth, "content.view")
    qs = Skill.objects.for_workspace(request.auth.workspace)
    if parent:
        qs = qs.filter(parent__slug=parent)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(slug__icontains=q))
    return qs


def _skill(request, skill_id: UUID) -> Skill:
    return get_object_or_404(Skill.objects.for_workspace(request.auth.workspace), pk=skill_id)


@router.post("/skills", response={201: SkillOut}, tags=["skills"])
def create_skill(request, data: SkillIn):
    require(request.auth, "content.edit")
    return Status(201, services.create_skill(workspace=request.auth.workspace, **data.dict()))


@router.get("/skills/{skill_id}", response=SkillOut, tags=["skills"])
def get_skill(request, skill_id: UUID):
    require(request.auth, "content.view")
    return _skill(request, skill_id)


@router.patch("/skills/{skill_id}", response=SkillOut, tags=["skills"])
def patch_skill(request, skill_id: UUID, data: SkillPatch):
    require(request.auth, "content.edit")
    return services.update_skill(
        skill=_skill(request, skill_id), changes=data.dict(exclude_unset=True)
    )


@router.delete("/skills/{skill_id}", response={204: None}, tags=["skills"])
def delete_skill(request, skill_id: UUID):
    require(request.auth, "content.edit")
    services.delete_skill(skill=_skill(request, skill_id))
    return Status(204, None)


# --- collections ----------------------------------------------------------------------


def _collection_out(request, collection: Collection) -> dict[str, Any]:
    published_only = not request.auth.can("content.view_drafts")
    units = collection_units(collection, published_only=published_only)
    return {
        "id": collection.pk,
        "slug": collection.slug,
        "title": collection.title,
        "description": collection.description,
        "created_at": collection.created_at,
        "updated_at": collection.updated_at,
        "duration_s": sum(u.duration_s for u in units),
        "units": [
            {
                "position": i,
                "id": u.pk,
                "slug": u.slug,
                "kind": u.kind,
                "title": u.title,
                "status": u.status,
                "duration_s": u.duration_s,
            }
            for i, u in enumerate(units)
        ],
    }


def _collection(request, collection_id: UUID) -> Collection:
    return get_object_or_404(
        Collection.objects.for_workspace(request.auth.workspace), pk=collection_id
    )


@router.get("/collections", response=list[CollectionOut], tags=["collections"])
@paginate(CursorPagination, ordering=("slug",))
def list_collections(request, q: str | None = None):
    require(request.auth, "content.view")
    qs = Collection.objects.for_workspace(request.auth.workspace)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(slug__icontains=q))
    return qs.prefetch_related("items__unit")


@router.post("/collections", response={201: CollectionOut}, tags=["collections"])
def create_collection(request, data: CollectionIn):
    require(request.auth, "content.edit")
    collection = services.create_collection(workspace=request.auth.workspace, **data.dict())
    return Status(201, _collection_out(request, collection))


@router.get("/collections/{collection_id}", response=CollectionOut, tags=["collections"])
def get_collection(request, collection_id: UUID):
    require(request.auth, "content.view")
    return _collection_out(request, _collection(request, collection_id))


@router.patch("/collections/{collection_id}", response=CollectionOut, tags=["collections"])
def patch_collection(request, collection_id: UUID, data: CollectionPatch):
    require(request.auth, "content.edit")
    changes = data.dict(exclude_unset=True)
    for key in ("slug", "title"):
        if key in changes and changes[key] is None:
            raise ApiError(f"{key}: must not be null.", field=key)
    collection = services.update_collection(
        collection=_collection(request, collection_id), changes=changes
    )
    return _collection_out(request, collection)


@router.delete("/collections/{collection_id}", response={204: None}, tags=["collections"])
def delete_collection(request, collection_id: UUID):
    require(request.auth, "content.edit")
    services.delete_collection(collection=_collection(request, collection_id))
    return Status(204, None)


# --- media uploads --------------------------------------------------------------------


class MediaOut(Schema):
    source: str = Field(
        description="Path relative to the media folder: put it in a unit's payload.source"
    )
    url: str = Field(description="Where the file is served, e.g. /media/acme/….webm")
    bytes: int
    content_type: str


@router.post("/media", response={201: MediaOut}, tags=["media"])
def upload_media(
    request, file: UploadedFile = File(..., description="Video, audio, image or WebVTT file")
):
    """Upload a media file (multipart/form-data, field `file`) for a video, audio or guide unit."""
    require(request.auth, "content.edit")
    stored = media.store_media(workspace=request.auth.workspace, upload=file)
    return Status(201, MediaOut(**vars(stored)))
