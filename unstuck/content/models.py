"""Content: micro-learning units of eight kinds, their versions, skills and collections.

A unit's `payload` holds what its kind needs (steps, transcript, questions, ...),
validated by `content/kinds.py`. `body_html` is rendered from `body_md` once, on save,
and sanitised. Publishing snapshots an immutable `UnitVersion`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from unstuck.accounts.models import Workspace, WorkspaceScopedQuerySet, slug_validator


class Kind(models.TextChoices):
    GUIDE = "guide", "Guide"
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio"
    CHECKLIST = "checklist", "Checklist"
    PROCESS_MAP = "process_map", "Process map"
    QUICK_REFERENCE = "quick_reference", "Quick reference"
    QUIZ = "quiz", "Quiz"
    SCENARIO = "scenario", "Scenario"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Skill(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="skills")
    slug = models.SlugField(max_length=100, validators=[slug_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "slug"], name="skill_unique_slug")
        ]

    def __str__(self) -> str:
        return self.name


class UnitQuerySet(WorkspaceScopedQuerySet):
    _with_skill_slugs = False

    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def with_skill_slugs(self):
        """Give each fetched unit `skill_slugs` (a list of slugs) from one query over the
        link table. Listing 50 units with prefetch_related("skills") spent 40% of the
        request building Skill instances and related managers only to read their slugs."""
        clone = self._chain()
        clone._with_skill_slugs = True
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._with_skill_slugs = self._with_skill_slugs
        return clone

    def _fetch_all(self):
        fetched = self._result_cache is not None
        super()._fetch_all()
        if fetched or not self._with_skill_slugs or not self._result_cache:
            return
        units = [u for u in self._result_cache if isinstance(u, Unit)]
        slugs: dict = {u.pk: [] for u in units}
        links = Unit.skills.through.objects.filter(unit_id__in=list(slugs)).order_by("skill__name")
        for unit_id, slug in links.values_list("unit_id", "skill__slug"):
            slugs[unit_id].append(slug)
        for u in units:
            u.skill_slugs = slugs[u.pk]


class Unit(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="units")
    slug = models.SlugField(max_length=120, validators=[slug_validator])
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    body_md = models.TextField(blank=True)
    body_html = models.TextField(blank=True, editable=False)
    payload = models.JSONField(default=dict, blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="units")
    tags = models.JSONField(default=list, blank=True)
    locale = models.CharField(max_length=16, default="en")
    # A translation points at the unit it translates; the original has none.
    translation_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="translations"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # Estimated time to finish, recomputed on every save from the kind's payload.
    duration_s = models.PositiveIntegerField(default=0)
    review_interval_days = models.PositiveIntegerField(default=180)
    last_verified_at = models.DateTimeField(null=True, blank=True)
    # last verified (or created) + review interval; kept by services so "stale" is one
    # indexed comparison on every database.
    review_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The number of the latest published version (0: never published); published
    # versions are immutable UnitVersion rows.
    version = models.PositiveIntegerField(default=0)
    # The pending edit of a published unit: the row keeps what learners see until the
    # next publish applies this. Keys: title, summary, body_md, body_html, payload, tags,
    # locale, skill_ids, duration_s, in_review. None when there is no pending edit.
    draft = models.JSONField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "slug"], name="unit_unique_slug")
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "kind"]),
            models.Index(fields=["workspace", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class UnitVersion(models.Model):
    """An immutable snapshot taken when a unit is published."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="unitversion_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} v{self.number}"


class Collection(models.Model):
    """An ordered set of units, e.g. a long course split into short units."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="collections")
    slug = models.SlugField(max_length=120, validators=[slug_validator])
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    units: models.ManyToManyField = models.ManyToManyField(
        Unit, through="CollectionItem", related_name="collections"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "slug"], name="collection_unique_slug")
        ]

    def __str__(self) -> str:
        return self.title


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "position"], name="collectionitem_unique_position"
            ),
            models.UniqueConstraint(
                fields=["collection", "unit"], name="collectionitem_unique_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.collection_id} #{self.position}"
