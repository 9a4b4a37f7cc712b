"""Accounts: workspaces, the people who learn in them, logins' memberships and roles,
API keys, and the host apps Unstuck is embedded in.

Every row that belongs to a workspace carries a `workspace` foreign key; querysets
offer `for_workspace(ws)` and access checks live in `accounts/access.py`.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$", "Use lowercase letters, digits and single hyphens."
)


class WorkspaceScopedQuerySet(models.QuerySet):
    def for_workspace(self, workspace):
        return self.filter(workspace=workspace)


class Workspace(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True, validators=[slug_validator])
    default_locale = models.CharField(max_length=16, default="en")
    time_zone = models.CharField(max_length=64, default="UTC")
    # The 4-minute principle: proactive nudges and reviews for one person never use
    # more than this many seconds a day. Help a person asks for is never limited.
    daily_budget_s = models.PositiveIntegerField(default=240)
    # Bumped by any change that cached reads depend on (placements, units, host apps);
    # caches key on it, so every process sees a change at once without shared memory.
    content_version = models.PositiveBigIntegerField(default=1)
    settings = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    AUTHOR = "author", "Author"
    MANAGER = "manager", "Manager"
    LEARNER = "learner", "Learner"


class Person(models.Model):
    """The subject of learning. Known to host apps by `external_id`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="people")
    external_id = models.CharField(max_length=200)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    team = models.CharField(max_length=100, blank=True, db_index=True)
    job_role = models.CharField(max_length=100, blank=True)
    locale = models.CharField(max_length=16, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    # Pseudonymous people come from host apps that allow anonymous use; they are never
    # merged with identified people.
    is_anonymous = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], name="person_unique_external_id"
            )
        ]
        indexes = [models.Index(fields=["workspace", "created_at"])]

    def __str__(self) -> str:
        return self.name or self.external_id


class Membership(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.LEARNER)
    # The learner record of this login in the workspace (their widget identity).
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )
    # Managers see the teams listed here (empty: all teams).
    managed_teams = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} as {self.role}"


class ApiKey(models.Model):
    """A workspace credential: `key_id` is public (the Basic-auth username), the secret
    is shown once and stored as a keyed hash."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=200)
    key_id = models.CharField(max_length=40, unique=True)
    secret_hash = models.CharField(max_length=128)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def new_embed_key() -> str:
    return "pk_" + secrets.token_urlsafe(18)


def new_signing_secret() -> str:
    return secrets.token_urlsafe(32)


class HostApp(models.Model):
    """A web application that embeds the widget."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="host_apps")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, validators=[slug_validator])
    allowed_origins = models.JSONField(default=list, blank=True)
    embed_key = models.CharField(max_length=64, unique=True, default=new_embed_key)
    signing_secret = models.CharField(max_length=128, default=new_signing_secret)
    allow_anonymous = models.BooleanField(default=False)
    # Widget look and behaviour: label, position, keyboard shortcut.
    widget_settings = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "slug"], name="hostapp_unique_slug")
        ]

    def __str__(self) -> str:
        return self.name


class AuditEntry(models.Model):
    """Who did what that an operator must be able to account for (erasure, key changes)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.CharField(max_length=200)
    action = models.CharField(max_length=100)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor}"
