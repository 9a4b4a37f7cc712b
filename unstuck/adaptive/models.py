"""Adaptive: what each person has mastered, their spaced-reinforcement cards and review
log, the daily learning budget they have spent, and per-workspace FSRS parameters.

Mastery is an Elo-style logistic model (see docs/guidance.md): each person-skill pair
has an ability `theta`, each quiz item a difficulty `b`; P(correct) = 1 / (1 + e^-(theta-b)).
"""

from __future__ import annotations

import uuid

from django.db import models

from unstuck.accounts.models import Person, Workspace, WorkspaceScopedQuerySet
from unstuck.content.models import Skill, Unit


class Mastery(models.Model):
    id = models.BigAutoField(primary_key=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="mastery")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")
    theta = models.FloatField(default=0.0)
    attempts = models.PositiveIntegerField(default=0)
    correct = models.PositiveIntegerField(default=0)
    # Consecutive failures on this skill's items (a path repeats units while this is high).
    failure_streak = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "skill"], name="mastery_unique_person_skill")
        ]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class ItemStat(models.Model):
    """Difficulty of one quiz item, learned from everyone's answers (the other half of Elo)."""

    id = models.BigAutoField(primary_key=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    item_key = models.CharField(max_length=100)
    difficulty = models.FloatField(default=0.0)
    attempts = models.PositiveIntegerField(default=0)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "item_key"], name="itemstat_unique")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class ReviewCard(models.Model):
    """One quiz item of a unit a person learned, scheduled by FSRS."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="review_cards")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    item_key = models.CharField(max_length=100)
    # FSRS card state (fsrs.Card fields).
    state = models.PositiveSmallIntegerField(default=1)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    is_suspended = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "unit", "item_key"], name="reviewcard_unique_item"
            )
        ]
        indexes = [models.Index(fields=["person", "is_suspended", "due"])]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class ReviewLogEntry(models.Model):
    id = models.BigAutoField(primary_key=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    card = models.ForeignKey(ReviewCard, on_delete=models.CASCADE, related_name="log")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField()  # fsrs.Rating: 1 again, 2 hard, 3 good, 4 easy
    is_correct = models.BooleanField()
    reviewed_at = models.DateTimeField(db_index=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    due_before = models.DateTimeField(null=True, blank=True)
    due_after = models.DateTimeField()

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["reviewed_at"]
        indexes = [models.Index(fields=["workspace", "reviewed_at"])]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class BudgetSource(models.TextChoices):
    NUDGE = "nudge", "Proactive nudge"
    REVIEW = "review", "Spaced review"


class BudgetSpend(models.Model):
    """Seconds of a person's daily learning budget used by something Unstuck pushed."""

    id = models.BigAutoField(primary_key=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    source = models.CharField(max_length=16, choices=BudgetSource.choices)
    ref = models.CharField(max_length=64, blank=True)
    seconds = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["person", "day"])]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class FsrsParameters(models.Model):
    """A workspace's refitted FSRS weights (absent: the package's defaults)."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    parameters = models.JSONField()
    review_count = models.PositiveIntegerField()
    log_loss_before = models.FloatField()
    log_loss_after = models.FloatField()
    fitted_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"
