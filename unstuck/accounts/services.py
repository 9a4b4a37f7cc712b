"""Accounts services: every write to workspaces, people, memberships, keys and host apps."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from unstuck.errors import ApiError, Conflict

from .access import ALL_SCOPES, hash_secret
from .models import ApiKey, AuditEntry, HostApp, Membership, Person, Role, Workspace, slug_validator

User = get_user_model()


def _check_slug(slug: str, field: str = "slug") -> None:
    try:
        slug_validator(slug)
    except DjangoValidationError as exc:
        raise ApiError(f"{field}: {exc.messages[0]}", field=field) from exc


def _check_budget(budget_s: int) -> None:
    if not 0 <= budget_s <= 3600:
        raise ApiError("daily_budget_s must be between 0 and 3600 seconds.", field="daily_budget_s")


def _check_time_zone(tz: str) -> None:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ApiError(f"time_zone: unknown time zone {tz!r}.", field="time_zone") from exc


@transaction.atomic
def create_workspace(
    *,
    name: str,
    slug: str,
    default_locale: str = "en",
    time_zone: str = "UTC",
    daily_budget_s: int = 240,
) -> Workspace:
    if not name.strip():
        raise ApiError("name must not be empty.", field="name")
    _check_slug(slug)
    _check_budget(daily_budget_s)
    _check_time_zone(time_zone)
    if Workspace.objects.filter(slug=slug).exists():
        raise Conflict(f"A workspace with slug {slug!r} already exists.", field="slug")
    return Workspace.objects.create(
        name=name.strip(),
        slug=slug,
        default_locale=default_locale,
        time_zone=time_zone,
        daily_budget_s=daily_budget_s,
    )


@transaction.atomic
def update_workspace(*, workspace: Workspace, changes: dict[str, Any]) -> Workspace:
    if "daily_budget_s" in changes:
        _check_budget(changes["daily_budget_s"])
    if "time_zone" in changes:
        _check_time_zone(changes["time_zone"])
    if "name" in changes and not str(changes["name"]).strip():
        raise ApiError("name must not be empty.", field="name")
    for key, value in changes.items():
        setattr(workspace, key, value)
    # Only the changed fields: this object may be older than the row (content_version).
    workspace.save(update_fields=list(changes))
    bump_content_version(workspace=workspace)
    return workspace


def bump_content_version(*, workspace: Workspace) -> None:
    """Invalidate every cache keyed on this workspace's content, in every process."""
    Workspace.objects.filter(pk=workspace.pk).update(content_version=F("content_version") + 1)
    workspace.refresh_from_db(fields=["content_version"])


# --- users and memberships ------------------------------------------------------------


@transaction.atomic
def create_user(*, email: str, password: str, name: str = "", is_staff: bool = False) -> Any:
    email = email.strip().lower()
    if "@" not in email:
        raise ApiError("email: enter a valid email address.", field="email")
    if User.objects.filter(username=email).exists():
        raise Conflict(f"A login with email {email} already exists.", field="email")
    try:
        validate_password(password)
    except DjangoValidationError as exc:
        raise ApiError("password: " + " ".join(exc.messages), field="password") from exc
    first, _, last = name.partition(" ")
    user = User(
        username=email,
        email=email,
        first_name=first,
        last_name=last,
        is_staff=is_staff,
        is_superuser=is_staff,
    )
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def add_member(
    *,
    workspace: Workspace,
    user: Any,
    role: str,
    team: str = "",
    managed_teams: list[str] | None = None,
) -> Membership:
    if role not in Role.values:
        raise ApiError(f"role must be one of {', '.join(Role.values)}.", field="role")
    if Membership.objects.filter(workspace=workspace, user=user).exists():
        raise Conflict("This login is already a member of the workspace.", field="email")
    # Every login also learns: link (or create) the person record with the same email.
    person = Person.objects.filter(workspace=workspace, external_id=user.email).first()
    if person is None:
        person = Person.objects.create(
            workspace=workspace,
            external_id=user.email,
            email=user.email,
            name=user.get_full_name() or user.email,
            team=team,
            job_role=role,
            locale=workspace.default_locale,
        )
    return Membership.objects.create(
        workspace=workspace, user=user, role=role, person=person, managed_teams=managed_teams or []
    )


@transaction.atomic
def change_member(
    *, membership: Membership, role: str | None = None, managed_teams: list[str] | None = None
) -> Membership:
    if role is not None:
        if role not in Role.values:
            raise ApiError(f"role must be one of {', '.join(Role.values)}.", field="role")
        if membership.role == Role.OWNER and role != Role.OWNER:
            _ensure_another_owner(membership)
        membership.role = role
    if managed_teams is not None:
        membership.managed_teams = managed_teams
    membership.save()
    return membership


def _ensure_another_owner(membership: Membership) -> None:
    others = Membership.objects.filter(workspace=membership.workspace, role=Role.OWNER).exclude(
        pk=membership.pk
    )
    if not others.exists():
        raise Conflict("A workspace needs at least one owner.", field="role")


@transaction.atomic
def remove_member(*, membership: Membership) -> None:
    if membership.role == Role.OWNER:
        _ensure_another_owner(membership)
    membership.delete()


# --- people -----------------------------------------------------------------------

PERSON_FIELDS = ("name", "email", "team", "job_role", "locale", "attributes")


@transaction.atomic
def create_person(*, workspace: Workspace, external_id: str, **fields: Any) -> Person:
    external_id = external_id.strip()
    if not external_id:
        raise ApiError("external_id must not be empty.", field="external_id")
    if Person.objects.filter(workspace=workspace, external_id=external_id).exists():
        raise Conflict(
            f"A person with external_id {external_id!r} already exists.", field="external_id"
        )
    unknown = set(fields) - set(PERSON_FIELDS) - {"is_anonymous"}
    if unknown:
        raise ApiError(f"Unknown field {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    return Person.objects.create(workspace=workspace, external_id=external_id, **fields)


@transaction.atomic
def update_person(*, person: Person, changes: dict[str, Any]) -> Person:
    for key, value in changes.items():
        if key not in PERSON_FIELDS:
            raise ApiError(f"Unknown field {key}.", field=key)
        setattr(person, key, value)
    person.save()
    return person


def upsert_person(
    *, workspace: Workspace, external_id: str, is_anonymous: bool = False, **fields: Any
) -> Person:
    """Find or create the person a host app names, refreshing the fields it sends.

    Called on every widget identity; writes only when something changed.
    """
    clean = {k: v for k, v in fields.items() if k in PERSON_FIELDS and v is not None}
    person = Person.objects.filter(workspace=workspace, external_id=external_id).first()
    if person is None:
        try:
            with transaction.atomic():
                return Person.objects.create(
                    workspace=workspace, external_id=external_id, is_anonymous=is_anonymous, **clean
                )
        except IntegrityError:
            person = Person.objects.get(workspace=workspace, external_id=external_id)
    changed = {k: v for k, v in clean.items() if getattr(person, k) != v}
    if changed:
        Person.objects.filter(pk=person.pk).update(**changed, updated_at=timezone.now())
        for k, v in changed.items():
            setattr(person, k, v)
    return person


# --- API keys -----------------------------------------------------------------------


@transaction.atomic
def create_api_key(
    *, workspace: Workspace, name: str, scopes: list[str], created_by: Any = None
) -> tuple[ApiKey, str]:
    """Create a key; returns it and its secret, which is shown once and never stored."""
    if not name.strip():
        raise ApiError("name must not be empty.", field="name")
    if not scopes:
        raise ApiError("scopes: name at least one scope.", field="scopes")
    for i, scope in enumerate(scopes):
        if scope not in ALL_SCOPES:
            raise ApiError(
                f"scopes.{i}: unknown scope {scope!r}; use one of {', '.join(ALL_SCOPES)}.",
                field=f"scopes.{i}",
            )
    key_id = "uk_" + secrets.token_hex(10)
    secret = secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        workspace=workspace,
        name=name.strip(),
        key_id=key_id,
        secret_hash=hash_secret(key_id, secret),
        scopes=list(dict.fromkeys(scopes)),
        created_by=created_by,
    )
    AuditEntry.objects.create(
        workspace=workspace,
        actor=str(created_by or "cli"),
        action="api_key.create",
        details={"key_id": key_id, "scopes": api_key.scopes},
    )
    return api_key, secret


@transaction.atomic
def revoke_api_key(*, api_key: ApiKey, actor_label: str = "") -> ApiKey:
    from .access import forget_key

    forget_key(api_key.key_id)
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        AuditEntry.objects.create(
            workspace=api_key.workspace,
            actor=actor_label,
            action="api_key.revoke",
            details={"key_id": api_key.key_id},
        )
    return api_key


# --- host apps ------------------------------------------------------------------------


def _check_origins(origins: list[str]) -> list[str]:
    from urllib.parse import urlsplit

    clean = []
    for i, origin in enumerate(origins):
        parts = urlsplit(origin)
        if origin == "*" or (
            parts.scheme in ("http", "https")
            and parts.netloc
            and parts.path in ("", "/")
            and not parts.query
        ):
            clean.append(origin.rstrip("/"))
        else:
            raise ApiError(
                f"allowed_origins.{i}: {origin!r} is not an origin like https://crm.example.com.",
                field=f"allowed_origins.{i}",
            )
    return clean


WIDGET_SETTING_KEYS = {"label", "position", "shortcut", "color"}


def _check_widget_settings(value: dict[str, Any]) -> dict[str, Any]:
    for key, item in value.items():
        if key not in WIDGET_SETTING_KEYS:
            raise ApiError(
                f"widget_settings.{key}: unknown setting.", field=f"widget_settings.{key}"
            )
        if not isinstance(item, str) or len(item) > 60:
            raise ApiError(
                f"widget_settings.{key}: must be a short text.", field=f"widget_settings.{key}"
            )
    if value.get("position", "bottom-right") not in (
        "bottom-right",
        "bottom-left",
        "top-right",
        "top-left",
    ):
        raise ApiError(
            "widget_settings.position: use bottom-right, bottom-left, top-right or top-left.",
            field="widget_settings.position",
        )
    return value


@transaction.atomic
def create_host_app(
    *,
    workspace: Workspace,
    name: str,
    slug: str,
    allowed_origins: list[str] | None = None,
    allow_anonymous: bool = False,
    widget_settings: dict[str, Any] | None = None,
    embed_key: str | None = None,
    signing_secret: str | None = None,
) -> HostApp:
    if not name.strip():
        raise ApiError("name must not be empty.", field="name")
    _check_slug(slug)
    if HostApp.objects.filter(workspace=workspace, slug=slug).exists():
        raise Conflict(f"A host app with slug {slug!r} already exists.", field="slug")
    extra = {}
    if embed_key:
        extra["embed_key"] = embed_key
    if signing_secret:
        extra["signing_secret"] = signing_secret
    app = HostApp.objects.create(
        workspace=workspace,
        name=name.strip(),
        slug=slug,
        allowed_origins=_check_origins(allowed_origins or []),
        allow_anonymous=allow_anonymous,
        widget_settings=_check_widget_settings(widget_settings or {}),
        **extra,
    )
    bump_content_version(workspace=workspace)
    return app


@transaction.atomic
def update_host_app(*, host_app: HostApp, changes: dict[str, Any]) -> HostApp:
    if "allowed_origins" in changes:
        changes["allowed_origins"] = _check_origins(changes["allowed_origins"])
    if "widget_settings" in changes:
        changes["widget_settings"] = _check_widget_settings(changes["widget_settings"])
    if "name" in changes and not str(changes["name"]).strip():
        raise ApiError("name must not be empty.", field="name")
    for key, value in changes.items():
        setattr(host_app, key, value)
    host_app.save()
    bump_content_version(workspace=host_app.workspace)
    return host_app


@transaction.atomic
def rotate_signing_secret(*, host_app: HostApp) -> HostApp:
    from .models import new_signing_secret

    host_app.signing_secret = new_signing_secret()
    host_app.save(update_fields=["signing_secret"])
    return host_app
