"""Delivery: placements (rules that attach units to places in host apps), the per-person
state the widget keeps on the server (checklist ticks, how often a placement was shown).

A placement is matched in two halves: the server decides *which* placements apply to a
page view (host app, URL pattern, audience, active window, pilots, frequency cap) and
the widget finds *where* on the page (the element selectors, tried in order).
"""

from __future__ import annotations

import uuid

from django.db import models

from unstuck.accounts.models import HostApp, Person, Workspace, WorkspaceScopedQuerySet
from unstuck.content.models import Unit


class Trigger(models.TextChoices):
    PAGE_SHOWN = "page_shown", "Page shown"
    FIELD_FOCUSED = "field_focused", "Field focused"
    ERROR_SHOWN = "error_shown", "Error message shown"
    ERROR_EVENT = "error_event", "Error event reported"
    CUSTOM_EVENT = "custom_event", "Custom event reported"


class Presentation(models.TextChoices):
    TOOLTIP = "tooltip", "Tooltip on the element"
    HOTSPOT = "hotspot", "Hotspot on the element"
    PANEL = "panel", "Suggestion in the help panel"
    ERROR_TIP = "error_tip", "Tip that opens by itself"


class Placement(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="placements")
    host_app = models.ForeignKey(HostApp, on_delete=models.CASCADE, related_name="placements")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="placements")
    name = models.CharField(max_length=200, blank=True)
    # Path pattern: `/opportunities/:id/edit`, `/contacts/*`, `*` (every page).
    url_pattern = models.CharField(max_length=500, default="*")
    # Selectors tried in order, e.g. [{"id": "stage"}, {"name": "stage"}, {"text": "Stage"}].
    element = models.JSONField(default=list, blank=True)
    field_key = models.CharField(max_length=100, blank=True, db_index=True)
    trigger = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.PAGE_SHOWN)
    # What the trigger waits for: {"text": .., "selector": {..}} for error_shown,
    # {"code": ..} for error_event, {"name": ..} for custom_event.
    trigger_config = models.JSONField(default=dict, blank=True)
    # {"roles": [..], "teams": [..], "locales": [..], "attributes": {"region": ["EU"]}}; empty = everyone.
    audience = models.JSONField(default=dict, blank=True)
    presentation = models.CharField(
        max_length=16, choices=Presentation.choices, default=Presentation.PANEL
    )
    priority = models.IntegerField(default=0)
    is_active = models.BooleanField(default=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    # Frequency cap: at most `max_shows` automatic shows per person in `per_days` days (0 = no cap).
    max_shows = models.PositiveIntegerField(default=0)
    per_days = models.PositiveIntegerField(default=0)
    # Announces a changed or new feature; guidance treats first use specially.
    is_release_note = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-priority", "created_at"]
        indexes = [models.Index(fields=["workspace", "host_app", "is_active"])]

    def __str__(self) -> str:
        return self.name or f"{self.unit_id} on {self.url_pattern}"


class PlacementShow(models.Model):
    """One automatic show of a tooltip/hotspot/error tip to a person (for frequency caps)."""

    id = models.BigAutoField(primary_key=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="shows")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    shown_at = models.DateTimeField(auto_now_add=True)
    # The widget's id for the show event: a resent events batch counts the show once.
    event_id = models.UUIDField(null=True, blank=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["person", "placement", "shown_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "event_id"], name="placementshow_unique_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.placement_id} shown to {self.person_id} at {self.shown_at}"


class ChecklistProgress(models.Model):
    """Which checklist items a person ticked, kept across reloads and devices."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="checklist_progress")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    ticked = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "unit"], name="checklist_unique_person_unit")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {len(self.ticked)} ticked in {self.unit_id}"
