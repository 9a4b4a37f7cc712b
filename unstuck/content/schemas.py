"""Request and response shapes of the content API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.utils import timezone
from ninja import Schema
from pydantic import ConfigDict, Field

from .kinds import payload_json_schemas

KindName = Literal[
    "guide", "video", "audio", "checklist", "process_map", "quick_reference", "quiz", "scenario"
]
StatusName = Literal["draft", "in_review", "published", "archived"]
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Inline a pydantic schema's local `$defs` so it can sit inside the OpenAPI document."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return walk(dict(defs[ref.split("/")[-1]]))
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


def _payload_doc() -> dict[str, Any]:
    schemas = []
    for kind, schema in payload_json_schemas().items():
        inlined = _inline_refs(schema)
        inlined["title"] = f"{kind} payload"
        schemas.append(inlined)
    return {"anyOf": schemas}


PAYLOAD_DOC = _payload_doc()
PAYLOAD_DESCRIPTION = (
    "What the kind needs: steps (guide), source/transcript/chapters (video, audio), items "
    "(checklist), nodes/edges (process_map), sections (quick_reference), questions (quiz), "
    "nodes/start/outcomes (scenario). `GET /api/v1/kinds` gives each kind's JSON Schema. "
    "`*_html` fields are filled by the server."
)


class StrictIn(Schema):
    """Input schemas refuse unknown fields: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid")


# --- skills ---------------------------------------------------------------------------


class SkillRef(Schema):
    id: UUID
    slug: str
    name: str


class SkillOut(Schema):
    id: UUID
    slug: str
    name: str
    description: str
    parent_id: UUID | None
    created_at: datetime


class SkillIn(StrictIn):
    slug: str = Field(..., max_length=100, pattern=SLUG)
    name: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    parent: str | None = Field(None, description="Slug or id of the parent skill")


class SkillPatch(StrictIn):
    slug: str | None = Field(None, max_length=100, pattern=SLUG)
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    parent: str | None = None


# --- units ----------------------------------------------------------------------------


class UnitIn(StrictIn):
    kind: str = Field(
        ...,
        description="guide, video, audio, checklist, process_map, quick_reference, quiz or scenario",
    )
    slug: str = Field(..., max_length=120, pattern=SLUG)
    title: str = Field(..., max_length=200)
    summary: str = Field("", max_length=500)
    body_md: str = Field("", description="Markdown (CommonMark with tables)")
    payload: dict[str, Any] = Field(
        default_factory=dict, description=PAYLOAD_DESCRIPTION, json_schema_extra=PAYLOAD_DOC
    )
    skills: list[str] = Field(default_factory=list, description="Skill slugs or ids")
    tags: list[str] = Field(default_factory=list)
    locale: str | None = Field(None, max_length=16, description="Default: the workspace's locale")
    translation_of: UUID | None = Field(None, description="Id of the unit this one translates")
    review_interval_days: int = Field(180, ge=1, le=3650)


class UnitPatch(StrictIn):
    kind: str | None = None
    slug: str | None = Field(None, max_length=120, pattern=SLUG)
    title: str | None = Field(None, max_length=200)
    summary: str | None = Field(None, max_length=500)
    body_md: str | None = None
    payload: dict[str, Any] | None = Field(None, description=PAYLOAD_DESCRIPTION)
    skills: list[str] | None = None
    tags: list[str] | None = None
    locale: str | None = Field(None, max_length=16)
    translation_of: UUID | None = None
    review_interval_days: int | None = Field(None, ge=1, le=3650)


class UnitDraftOut(Schema):
    """The pending edit of a published unit (authors only)."""

    title: str
    summary: str
    body_md: str
    body_html: str
    payload: dict[str, Any]
    tags: list[str]
    locale: str
    duration_s: int
    skill_ids: list[str]
    in_review: bool


class _UnitCommon(Schema):
    id: UUID
    slug: str
    kind: str
    title: str
    summary: str
    tags: list[str]
    locale: str
    translation_of_id: UUID | None
    status: str
    duration_s: int
    version: int
    review_due_at: datetime | None
    is_stale: bool
    has_draft: bool
    published_at: datetime | None
    updated_at: datetime

    @staticmethod
    def resolve_is_stale(obj) -> bool:
        return bool(
            obj.review_due_at and obj.review_due_at < timezone.now() and obj.status != "archived"
        )

    @staticmethod
    def resolve_has_draft(obj) -> bool:
        return bool(obj.draft)


class UnitListOut(_UnitCommon):
    skills: list[str] = Field(description="Skill slugs")

    @staticmethod
    def resolve_skills(obj) -> list[str]:
        slugs = getattr(obj, "skill_slugs", None)  # UnitQuerySet.with_skill_slugs
        return slugs if slugs is not None else [s.slug for s in obj.skills.all()]


class UnitOut(_UnitCommon):
    body_md: str
    body_html: str
    payload: dict[str, Any]
    skills: list[SkillRef]
    review_interval_days: int
    last_verified_at: datetime | None
    created_at: datetime
    draft: UnitDraftOut | None = Field(
        None, description="Pending edit of a published unit (authors only)"
    )

    @staticmethod
    def resolve_skills(obj) -> list[dict[str, Any]]:
        return [{"id": s.pk, "slug": s.slug, "name": s.name} for s in obj.skills.all()]

    @staticmethod
    def resolve_draft(obj, context) -> dict[str, Any] | None:
        request = context["request"] if context else None
        if not obj.draft or request is None or not request.auth.can("content.view_drafts"):
            return None
        return obj.draft


class VersionListOut(Schema):
    number: int
    title: str
    published_at: datetime
    published_by: str | None

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.snapshot.get("title", "")

    @staticmethod
    def resolve_published_by(obj) -> str | None:
        return obj.published_by.get_username() if obj.published_by_id else None


class VersionOut(VersionListOut):
    snapshot: dict[str, Any]


class IssueOut(Schema):
    level: Literal["error", "warning"]
    code: str
    message: str
    field: str | None
    suggestion: dict[str, Any] | None = None


class UnitLintOut(Schema):
    unit_id: UUID
    slug: str
    title: str
    status: str
    duration_s: int
    is_publishable: bool
    issues: list[IssueOut]


class WorkspaceLintOut(Schema):
    units_checked: int
    errors: int
    warnings: int
    units: list[UnitLintOut] = Field(description="Units with at least one issue")


# --- collections ----------------------------------------------------------------------


class CollectionIn(StrictIn):
    slug: str = Field(..., max_length=120, pattern=SLUG)
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    units: list[str] = Field(default_factory=list, description="Unit ids or slugs, in order")


class CollectionPatch(StrictIn):
    slug: str | None = Field(None, max_length=120, pattern=SLUG)
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    units: list[str] | None = Field(None, description="Replaces the units, in this order")


class CollectionUnitOut(Schema):
    position: int
    id: UUID
    slug: str
    kind: str
    title: str
    status: str
    duration_s: int


def _visible_units(collection, context) -> list:
    """A collection's units in order; learners see the published ones only."""
    request = context["request"] if context else None
    published_only = request is None or not request.auth.can("content.view_drafts")
    items = sorted(collection.items.all(), key=lambda item: item.position)
    return [item.unit for item in items if not published_only or item.unit.status == "published"]


class CollectionOut(Schema):
    id: UUID
    slug: str
    title: str
    description: str
    units: list[CollectionUnitOut] = Field(
        description="In order; learners see published units only"
    )
    duration_s: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_units(obj, context) -> list[dict[str, Any]]:
        if isinstance(obj, dict):
            return obj["units"]
        return [
            {
                "position": i,
                "id": u.pk,
                "slug": u.slug,
                "kind": u.kind,
                "title": u.title,
                "status": u.status,
                "duration_s": u.duration_s,
            }
            for i, u in enumerate(_visible_units(obj, context))
        ]

    @staticmethod
    def resolve_duration_s(obj, context) -> int:
        if isinstance(obj, dict):
            return obj["duration_s"]
        return sum(u.duration_s for u in _visible_units(obj, context))
