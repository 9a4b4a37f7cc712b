"""Insights: work tasks, pilots, confidence pulses, and the daily rollups that the
dashboards read instead of the statement log.

The statement log (`lrs.Statement`) is the only source of truth. Every table below
named `*Day` or `TaskAttempt` is derived from it by `insights.rollups` and can be
deleted and rebuilt at any time with identical numbers (`unstuck rollup --rebuild`).
Days are UTC calendar days of the statement's `timestamp` (when it happened, not when
it was stored, so late-arriving offline events land on the right day).
"""

from __future__ import annotations

import uuid

from django.db import models

from unstuck.accounts.models import (
    HostApp,
    Person,
    Workspace,
    WorkspaceScopedQuerySet,
    slug_validator,
)


class WorkTask(models.Model):
    """A task people do in a host app ("Log a call"), and the `Unstuck.track` event names
    that start, complete and fail it. The widget's standard names are task_started /
    task_completed / task_failed with `{task: key}`; a host app that already emits its
    own events (e.g. `call_logged`) names them here instead."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="work_tasks")
    host_app = models.ForeignKey(HostApp, on_delete=models.CASCADE, related_name="work_tasks")
    key = models.SlugField(max_length=100, validators=[slug_validator])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    start_event = models.CharField(max_length=100, default="task_started")
    end_event = models.CharField(max_length=100, default="task_completed")
    fail_event = models.CharField(max_length=100, default="task_failed")
    # The usual (median) time of a completed attempt over the last USUAL_WINDOW_DAYS,
    # refreshed by every rollup run; an attempt slower than this is "slow".
    usual_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["host_app__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "host_app", "key"], name="worktask_unique_key"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Pilot(models.Model):
    """Steps 2–3: try a few units and placements with a small group first.

    While a pilot runs (starts_on <= today <= ends_on), its placements are shown to the
    pilot group only (`insights.queries.hidden_placement_ids`). The control group is a
    fixed list of people: chosen by the author, or drawn at random from the rest of the
    workspace with `seed` when the pilot is saved, so the report never changes under
    the reader's feet.
    """

    class ControlMode(models.TextChoices):
        NONE = "none", "No control group"
        CHOSEN = "chosen", "Chosen people or teams"
        RANDOM = "random", "Drawn at random from everyone else"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="pilots")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    group_people = models.ManyToManyField(Person, blank=True, related_name="pilot_groups")
    group_teams = models.JSONField(default=list, blank=True)
    control_mode = models.CharField(
        max_length=10, choices=ControlMode.choices, default=ControlMode.NONE
    )
    control_people = models.ManyToManyField(Person, blank=True, related_name="pilot_controls")
    control_teams = models.JSONField(default=list, blank=True)
    control_size = models.PositiveIntegerField(null=True, blank=True)
    seed = models.PositiveIntegerField(default=42)
    units = models.ManyToManyField("content.Unit", blank=True, related_name="pilots")
    # Placement ids (delivery.Placement) as strings: delivery owns that table, and a
    # pilot must survive a placement being deleted (the report still names it).
    placement_ids = models.JSONField(default=list, blank=True)
    # The tasks whose time and errors measure the pilot (empty: every task).
    tasks = models.ManyToManyField(WorkTask, blank=True, related_name="pilots")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        indexes = [models.Index(fields=["workspace", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return self.name

    def status_on(self, day) -> str:
        if day < self.starts_on:
            return "planned"
        if day > self.ends_on:
            return "ended"
        return "running"


class PulseAsk(models.Model):
    """A confidence pulse handed to the widget. One per person per subject (task key or
    unit) per week; recorded when asked, so an unanswered pulse is not asked again."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=200)  # "task:<key>" or "unit:<uuid>"
    asked_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["workspace", "person", "subject", "asked_at"])]

    # --- rollups (derived; rebuildable) ----------------------------------------------------

    def __str__(self) -> str:
        return f"{self.subject} for {self.person_id} at {self.asked_at:%Y-%m-%d}"


class PlaceDay(models.Model):
    """Daily counts per workspace × team × app × page × field × task × unit."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    team = models.CharField(max_length=100, blank=True)
    host_app = models.CharField(max_length=64, blank=True)
    page = models.CharField(max_length=500, blank=True)
    field = models.CharField(max_length=200, blank=True)
    task = models.CharField(max_length=100, blank=True)
    unit_id = models.CharField(max_length=64, blank=True)
    statements = models.PositiveIntegerField(default=0)
    help_requests = models.PositiveIntegerField(default=0)  # stuck presses, searches, questions
    searches = models.PositiveIntegerField(default=0)
    failed_searches = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    task_attempts = models.PositiveIntegerField(default=0)
    task_failures = models.PositiveIntegerField(default=0)
    task_time_ms = models.BigIntegerField(default=0)
    unit_views = models.PositiveIntegerField(default=0)
    unit_completions = models.PositiveIntegerField(default=0)
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)
    confidence_sum = models.PositiveIntegerField(default=0)
    confidence_n = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "day"]),
            models.Index(fields=["workspace", "host_app", "day"]),
            models.Index(fields=["workspace", "unit_id", "day"]),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.host_app} {self.page} {self.field} {self.task}"


class PersonDay(models.Model):
    """Daily per person: learning time (the 4-minute principle), help use, confidence."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    team = models.CharField(max_length=100, blank=True)
    learning_ms = models.PositiveIntegerField(default=0)
    help_requests = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    task_attempts = models.PositiveIntegerField(default=0)
    unit_views = models.PositiveIntegerField(default=0)
    confidence = models.JSONField(
        default=list, blank=True
    )  # counts of answers 1..5: [n1, n2, n3, n4, n5]

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "day"]),
            models.Index(fields=["workspace", "person", "day"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "day", "person"], name="personday_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.person_id}"


class TaskAttempt(models.Model):
    """One attempt at a work task (ends with completed or failed), for medians, bootstrap
    intervals and pilot comparisons, which cannot be computed from daily sums."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    ended_at = models.DateTimeField()
    person = models.ForeignKey(Person, null=True, on_delete=models.CASCADE, related_name="+")
    team = models.CharField(max_length=100, blank=True)
    host_app = models.CharField(max_length=64, blank=True)
    page = models.CharField(max_length=500, blank=True)
    task = models.CharField(max_length=100)
    session_id = models.CharField(max_length=100, blank=True)
    duration_ms = models.PositiveIntegerField(null=True)
    is_success = models.BooleanField()
    errors = models.PositiveSmallIntegerField(default=0)  # errors during the attempt
    # Units the person viewed earlier in the same session (the "after viewing" comparison).
    units_viewed = models.JSONField(default=list, blank=True)

    class Meta:
        # Covering indexes: the dashboards read hundreds of thousands of attempts, and
        # reading them from the index alone (no table lookups) keeps them under a second.
        indexes = [
            models.Index(
                fields=[
                    "workspace",
                    "day",
                    "team",
                    "host_app",
                    "is_success",
                    "duration_ms",
                    "errors",
                ],
                name="ins_attempt_day_cover",
            ),
            models.Index(
                fields=["workspace", "host_app", "task", "day", "duration_ms", "page", "team"],
                name="ins_attempt_task_cover",
            ),
            models.Index(
                fields=[
                    "workspace",
                    "person",
                    "day",
                    "host_app",
                    "task",
                    "is_success",
                    "errors",
                    "duration_ms",
                ],
                name="ins_attempt_person_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} by {self.person_id} on {self.day}"


class UnitTaskDay(models.Model):
    """Per unit and task and day: attempts in sessions after viewing the unit."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    team = models.CharField(max_length=100, blank=True)
    unit_id = models.CharField(max_length=64)
    task = models.CharField(max_length=100)
    attempts = models.PositiveIntegerField(default=0)
    successes = models.PositiveIntegerField(default=0)
    time_ms = models.BigIntegerField(default=0)
    timed = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["workspace", "unit_id", "day"])]

    def __str__(self) -> str:
        return f"{self.unit_id} / {self.task} on {self.day}"


class RollupState(models.Model):
    """How far the rollups of a workspace have read the statement log."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    # Statements stored after this instant have not been rolled up yet.
    watermark = models.DateTimeField(null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"rollups of {self.workspace_id} up to {self.watermark}"
