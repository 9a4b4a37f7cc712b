"""Guidance: the search index, workspace synonyms and ranking settings, need-detector
state, and nudges (a detected need paired with the unit chosen for it).

The search index is a plain table (`SearchDoc`) holding each published unit's text,
already tokenised and stemmed in Python (English and Hungarian snowball stemmers), so
both engines index the same terms: SQLite keeps an FTS5 external-content table in sync
with it by triggers; PostgreSQL keeps a generated `tsvector` column with a GIN index.
Both are created by migration 0001 for the engine in use.
"""

from __future__ import annotations

import uuid

from django.db import models

from unstuck.accounts.models import Person, Workspace, WorkspaceScopedQuerySet
from unstuck.content.models import Unit


class SearchDoc(models.Model):
    """One published unit as the search engines see it."""

    id = models.BigAutoField(primary_key=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="+")
    locale = models.CharField(max_length=16, default="en")
    # "w" + workspace id hex: indexed by the engines so a query intersects it with the
    # workspace's posting list instead of filtering every match afterwards.
    ws_token = models.CharField(max_length=40)
    # Stemmed, lower-cased terms separated by spaces: what the engines index.
    title_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    # Plain text (title excluded) for snippets, in reading order.
    text = models.TextField(blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class SearchTerm(models.Model):
    """The workspace's indexed vocabulary, for typo tolerance ("opportunty" -> "opportun")."""

    id = models.BigAutoField(primary_key=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=64)
    length = models.PositiveSmallIntegerField()

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "term"], name="searchterm_unique")
        ]
        indexes = [models.Index(fields=["workspace", "length"])]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class SearchIndexState(models.Model):
    """Which content version of the workspace the index reflects (lazy re-sync)."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    content_version = models.PositiveBigIntegerField(default=0)
    # Bumped on every index write; in-process vocabulary caches key on it.
    generation = models.PositiveBigIntegerField(default=0)
    synced_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class Synonym(models.Model):
    """A group of words that mean the same in this workspace: "opp" = "opportunity"."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=100)
    alternatives = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "term"], name="synonym_unique_term")
        ]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class GuidanceSettings(models.Model):
    """Per-workspace ranking weights and nudge frequency caps (defaults in ranking.py)."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    ranking_weights = models.JSONField(default=dict, blank=True)
    max_nudges_per_day = models.PositiveIntegerField(default=3)
    min_minutes_between_nudges = models.PositiveIntegerField(default=10)
    # The same unit is not nudged to the same person again within this many days.
    same_unit_cooldown_days = models.PositiveIntegerField(default=7)
    # The background detector pass has looked at statements stored up to here.
    detected_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class SignalKind(models.TextChoices):
    ERROR = "error", "Error on a field or task"
    SEARCH = "search", "Search"
    TASK_DONE = "task_done", "Task finished"
    QUIZ_FAILED = "quiz_failed", "Quiz failed"


class Signal(models.Model):
    """A work signal the detectors look back over (a short rolling window per person).

    Kept apart from the statement log so detectors need one narrow indexed query and
    keep up with ingestion; rows older than a day are pruned.
    """

    id = models.BigAutoField(primary_key=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=SignalKind.choices)
    key = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["person", "kind", "key", "at"])]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class TaskTiming(models.Model):
    """Running mean and variance (Welford) of a task's duration in a host app."""

    id = models.BigAutoField(primary_key=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    host_app = models.CharField(max_length=64, blank=True)
    task = models.CharField(max_length=200)
    count = models.PositiveIntegerField(default=0)
    mean_ms = models.FloatField(default=0)
    m2 = models.FloatField(default=0)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "host_app", "task"], name="tasktiming_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class NudgeStatus(models.TextChoices):
    CREATED = "created", "Created"
    DELIVERED = "delivered", "Delivered"
    OPENED = "opened", "Opened"
    DISMISSED = "dismissed", "Dismissed"


class NudgeChannel(models.TextChoices):
    WIDGET = "widget", "Widget"
    SLACK = "slack", "Slack"
    EMAIL = "email", "Email"


class Nudge(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="nudges")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    detector = models.CharField(max_length=32)
    channel = models.CharField(
        max_length=16, choices=NudgeChannel.choices, default=NudgeChannel.WIDGET
    )
    status = models.CharField(
        max_length=16, choices=NudgeStatus.choices, default=NudgeStatus.CREATED
    )
    reason = models.CharField(max_length=300)
    # Where the need was seen: host_app, page, field, task, placement_id, error.
    context = models.JSONField(default=dict, blank=True)
    # Seconds of the daily learning budget this nudge took (the unit's duration).
    budget_s = models.PositiveIntegerField(default=0)
    # What happened to the work afterwards: "" (not yet), "succeeded", "failed".
    outcome = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["person", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"
