"""Schemas of the placements API."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field


class PlacementFields(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field("", max_length=200)
    url_pattern: str = Field(
        "*", max_length=500, description="`*`, `/contacts/*`, `/opportunities/:id/edit`"
    )
    element: Any = Field(
        default_factory=list,
        description="Selectors tried in order: "
        "{id}, {name}, {data: {attr, value}}, {aria_label}, {text}, {css}",
    )
    field_key: str = Field("", max_length=100)
    trigger: str = Field(
        "page_shown",
        description="page_shown, field_focused, error_shown, error_event, custom_event",
    )
    trigger_config: Any = Field(
        default_factory=dict, description="{text, selector} | {code} | {name}"
    )
    audience: Any = Field(default_factory=dict, description="{roles, teams, locales, attributes}")
    presentation: str = Field("panel", description="tooltip, hotspot, panel, error_tip")
    priority: int = 0
    is_active: bool = True
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    max_shows: int = Field(0, description="Automatic shows per person in per_days days (0: no cap)")
    per_days: int = 0
    is_release_note: bool = False


class PlacementIn(PlacementFields):
    host_app: str = Field(..., description="Host app id or slug")
    unit: str = Field(..., description="Unit id or slug")


class PlacementPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    host_app: str | None = None
    unit: str | None = None
    name: str | None = None
    url_pattern: str | None = None
    element: Any = None
    field_key: str | None = None
    trigger: str | None = None
    trigger_config: Any = None
    audience: Any = None
    presentation: str | None = None
    priority: int | None = None
    is_active: bool | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    max_shows: int | None = None
    per_days: int | None = None
    is_release_note: bool | None = None


class PlacementOut(Schema):
    id: UUID
    name: str
    host_app: str = Field(..., alias="host_app.slug")
    host_app_id: UUID
    unit_id: UUID
    unit_title: str = Field(..., alias="unit.title")
    url_pattern: str
    element: list[dict[str, Any]]
    field_key: str
    trigger: str
    trigger_config: dict[str, Any]
    audience: dict[str, Any]
    presentation: str
    priority: int
    is_active: bool
    starts_at: datetime | None
    ends_at: datetime | None
    max_shows: int
    per_days: int
    is_release_note: bool
    created_at: datetime
    updated_at: datetime


class PlacementMatchOut(Schema):
    page: str
    placements: list[dict[str, Any]]
