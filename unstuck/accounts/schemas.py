from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field

RoleName = Literal["owner", "author", "manager", "learner"]


class StrictIn(Schema):
    """Input schemas refuse unknown fields: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid")


class WorkspaceOut(Schema):
    id: UUID
    name: str
    slug: str
    default_locale: str
    time_zone: str
    daily_budget_s: int
    created_at: datetime


class WorkspacePatch(StrictIn):
    name: str | None = Field(None, max_length=200)
    default_locale: str | None = Field(None, max_length=16)
    time_zone: str | None = Field(None, max_length=64)
    daily_budget_s: int | None = None


class PersonOut(Schema):
    id: UUID
    external_id: str
    name: str
    email: str
    team: str
    job_role: str
    locale: str
    attributes: dict[str, Any]
    is_anonymous: bool
    created_at: datetime


class PersonIn(StrictIn):
    external_id: str = Field(..., min_length=1, max_length=200)
    name: str = Field("", max_length=200)
    email: str = Field("", max_length=254)
    team: str = Field("", max_length=100)
    job_role: str = Field("", max_length=100)
    locale: str = Field("", max_length=16)
    attributes: dict[str, Any] = Field(default_factory=dict)


class PersonPatch(StrictIn):
    name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    team: str | None = Field(None, max_length=100)
    job_role: str | None = Field(None, max_length=100)
    locale: str | None = Field(None, max_length=16)
    attributes: dict[str, Any] | None = None


class MembershipOut(Schema):
    id: UUID
    email: str
    name: str
    role: str
    person_id: UUID | None
    managed_teams: list[str]
    created_at: datetime

    @staticmethod
    def resolve_email(obj) -> str:
        return obj.user.email

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.user.get_full_name()


class MembershipIn(StrictIn):
    email: str = Field(..., max_length=254)
    role: RoleName
    name: str = Field("", max_length=200)
    password: str | None = Field(None, description="Needed only when the login does not exist yet.")
    managed_teams: list[str] = Field(default_factory=list)


class MembershipPatch(StrictIn):
    role: RoleName | None = None
    managed_teams: list[str] | None = None


class ApiKeyOut(Schema):
    id: UUID
    name: str
    key_id: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyIn(StrictIn):
    name: str = Field(..., min_length=1, max_length=200)
    scopes: list[str] = Field(..., min_length=1)


class ApiKeyCreated(ApiKeyOut):
    secret: str = Field(..., description="Shown once. Store it now; it cannot be read again.")


class HostAppOut(Schema):
    id: UUID
    name: str
    slug: str
    allowed_origins: list[str]
    embed_key: str
    allow_anonymous: bool
    widget_settings: dict[str, Any]
    created_at: datetime


class HostAppSecretOut(HostAppOut):
    signing_secret: str


class HostAppIn(StrictIn):
    name: str = Field(..., min_length=1, max_length=200)
    slug: str = Field(..., min_length=1, max_length=64)
    allowed_origins: list[str] = Field(default_factory=list)
    allow_anonymous: bool = False
    widget_settings: dict[str, Any] = Field(default_factory=dict)


class HostAppPatch(StrictIn):
    name: str | None = Field(None, max_length=200)
    allowed_origins: list[str] | None = None
    allow_anonymous: bool | None = None
    widget_settings: dict[str, Any] | None = None
