"""Who may do what, in one place.

Every request to the API or the web side is resolved to an `Actor`: the workspace it
acts in, and either a login with a role (session) or an API key with scopes. Views and
API handlers call `require(actor, PERMISSION)`; nothing else decides access.
The table below is documented in docs/permissions.md (a test keeps them equal).
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import hmac
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from .models import ApiKey, Membership, Person, Role, Workspace

# --- permissions ------------------------------------------------------------------

PERMISSIONS: dict[str, str] = {
    "workspace.view": "See the workspace's name and settings",
    "workspace.manage": "Change the workspace's settings",
    "content.view": "Read published units, skills and collections",
    "content.view_drafts": "Read drafts, reviews and archived units",
    "content.edit": "Create and edit units, skills and collections",
    "content.publish": "Publish and archive units",
    "people.view": "See people and their teams",
    "people.manage": "Create, change and erase people",
    "members.manage": "Invite logins and change their roles",
    "hostapps.view": "See host apps and their embed keys",
    "hostapps.manage": "Create host apps and change their secrets",
    "keys.manage": "Create and revoke API keys",
    "placements.manage": "Attach units to places in host apps",
    "insights.view": "See dashboards, reports and pilots",
    "pilots.manage": "Create and change pilots and tasks",
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(PERMISSIONS),
    Role.AUTHOR: frozenset(
        {
            "workspace.view",
            "content.view",
            "content.view_drafts",
            "content.edit",
            "content.publish",
            "people.view",
            "hostapps.view",
            "placements.manage",
            "insights.view",
            "pilots.manage",
        }
    ),
    Role.MANAGER: frozenset(
        {"workspace.view", "content.view", "people.view", "hostapps.view", "insights.view"}
    ),
    Role.LEARNER: frozenset({"workspace.view", "content.view"}),
}

# REST scopes of API keys. xAPI scopes (statements/write, state, ...) are interpreted
# by the LRS; `all` grants everything.
SCOPE_PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset(
        {
            "workspace.view",
            "content.view",
            "content.view_drafts",
            "people.view",
            "hostapps.view",
            "insights.view",
        }
    ),
    "write": frozenset(
        {
            "workspace.view",
            "content.view",
            "content.view_drafts",
            "content.edit",
            "content.publish",
            "people.view",
            "people.manage",
            "hostapps.view",
            "placements.manage",
            "insights.view",
            "pilots.manage",
        }
    ),
    "admin": frozenset(PERMISSIONS),
    "all": frozenset(PERMISSIONS),
}

XAPI_SCOPES = (
    "statements/write",
    "statements/read",
    "statements/read/mine",
    "state",
    "define",
    "profile",
    "all/read",
    "all",
)
REST_SCOPES = ("read", "write", "admin")
ALL_SCOPES = REST_SCOPES + tuple(s for s in XAPI_SCOPES if s not in REST_SCOPES)


class AccessDenied(Exception):
    """Raised when an actor lacks a permission. Rendered as 403 (or 404 to hide existence)."""

    def __init__(
        self, message: str = "You do not have permission to do this.", *, status: int = 403
    ):
        super().__init__(message)
        self.message = message
        self.status = status


class NotAuthenticated(Exception):
    def __init__(self, message: str = "Authentication required."):
        super().__init__(message)
        self.message = message


@dataclass
class Actor:
    workspace: Workspace
    permissions: frozenset[str]
    user: AbstractBaseUser | AnonymousUser | None = None
    membership: Membership | None = None
    api_key: ApiKey | None = None
    scopes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def person(self) -> Person | None:
        return self.membership.person if self.membership else None

    @property
    def label(self) -> str:
        if self.api_key is not None:
            return f"key:{self.api_key.key_id}"
        if self.user is not None and getattr(self.user, "is_authenticated", False):
            return f"user:{self.user.get_username()}"
        return "anonymous"

    def can(self, permission: str) -> bool:
        if permission not in PERMISSIONS:
            raise KeyError(f"unknown permission {permission!r}")
        return permission in self.permissions

    def visible_teams(self) -> list[str] | None:
        """Teams a manager may see; None means every team."""
        if (
            self.membership
            and self.membership.role == Role.MANAGER
            and self.membership.managed_teams
        ):
            return list(self.membership.managed_teams)
        return None


def require(actor: Actor, permission: str) -> None:
    if not actor.can(permission):
        raise AccessDenied(f"Your role does not allow this ({permission}).")


def actor_for_membership(membership: Membership) -> Actor:
    return Actor(
        workspace=membership.workspace,
        permissions=ROLE_PERMISSIONS[membership.role],
        user=membership.user,
        membership=membership,
    )


def actor_for_key(api_key: ApiKey) -> Actor:
    perms: set[str] = set()
    for scope in api_key.scopes:
        perms |= SCOPE_PERMISSIONS.get(scope, frozenset())
    return Actor(
        # A copy: the key (and its workspace) may be shared by concurrent requests.
        workspace=copy.copy(api_key.workspace),
        permissions=frozenset(perms),
        api_key=api_key,
        scopes=tuple(api_key.scopes),
    )


# --- API keys ---------------------------------------------------------------------


def hash_secret(key_id: str, secret: str) -> str:
    """A keyed hash of an API secret.

    Secrets are 256-bit random strings, so a slow password hash buys nothing and would
    cost tens of milliseconds per request (one reference LRS spends 70 ms on PBKDF2).
    HMAC-SHA256 keyed by the key id is enough against a stolen table.
    """
    return hmac.new(key_id.encode(), secret.encode(), hashlib.sha256).hexdigest()


_LAST_USED_EVERY = timedelta(minutes=1)

# Verified keys are remembered by this process for a few seconds, so that a busy
# integration does not pay a database round trip per request for its credentials.
# Revoking a key forgets it here at once; other processes stop accepting it within
# KEY_CACHE_TTL_S. The secret is still checked (HMAC) on every request.
KEY_CACHE_TTL_S = 5.0
_key_cache: dict[str, tuple[float, ApiKey]] = {}


def forget_key(key_id: str) -> None:
    _key_cache.pop(key_id, None)


def _load_key(key_id: str) -> ApiKey | None:
    now = time.monotonic()
    hit = _key_cache.get(key_id)
    if hit is not None and now - hit[0] < KEY_CACHE_TTL_S:
        return hit[1]
    api_key = ApiKey.objects.select_related("workspace").filter(key_id=key_id).first()
    if api_key is None or api_key.revoked_at is not None:
        forget_key(key_id)
        return None
    if len(_key_cache) > 10_000:
        _key_cache.clear()
    _key_cache[key_id] = (now, api_key)
    return api_key


def authenticate_key(key_id: str, secret: str) -> ApiKey | None:
    """Return the active key for these credentials, or None."""
    if not key_id or not secret or len(key_id) > 40 or len(secret) > 200:
        return None
    api_key = _load_key(key_id)
    if api_key is None:
        return None
    if not hmac.compare_digest(api_key.secret_hash, hash_secret(key_id, secret)):
        return None
    now = timezone.now()
    # Writing last_used_at on every request would turn every read into a write; once a
    # minute is precise enough for "is this key still in use?".
    if api_key.last_used_at is None or now - api_key.last_used_at > _LAST_USED_EVERY:
        api_key.last_used_at = now
        if cache.add(f"apikey-used:{api_key.pk}", 1, timeout=int(_LAST_USED_EVERY.total_seconds())):
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    return api_key


def credentials_from_header(header: str) -> tuple[str, str] | None:
    """Parse `Basic base64(key:secret)` or `Bearer key:secret`."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    value = value.strip()
    scheme = scheme.lower()
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
    elif scheme == "bearer":
        decoded = value
    else:
        return None
    key_id, sep, secret = decoded.partition(":")
    if not sep:
        return None
    return key_id, secret


# --- resolving a request ------------------------------------------------------------

WORKSPACE_HEADER = "HTTP_X_UNSTUCK_WORKSPACE"


def actor_from_api_key_header(request: HttpRequest) -> Actor | None:
    creds = credentials_from_header(request.META.get("HTTP_AUTHORIZATION", ""))
    if creds is None:
        return None
    api_key = authenticate_key(*creds)
    if api_key is None:
        raise NotAuthenticated("The API key or secret is wrong, or the key was revoked.")
    return actor_for_key(api_key)


def actor_from_session(request: HttpRequest, workspace_slug: str | None = None) -> Actor | None:
    """The actor of a signed-in login. The workspace is the one named (header
    `X-Unstuck-Workspace`, query `workspace`, or the argument), else the login's only one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    slug = workspace_slug or request.META.get(WORKSPACE_HEADER) or request.GET.get("workspace")
    memberships = Membership.objects.select_related("workspace", "person", "user").filter(user=user)
    if slug:
        membership = memberships.filter(workspace__slug=slug).first()
        if membership is None:
            # Same answer whether the workspace exists or not: do not reveal it.
            raise AccessDenied("No such workspace.", status=404)
        return actor_for_membership(membership)
    found = list(memberships[:2])
    if not found:
        raise AccessDenied("You are not a member of any workspace.")
    if len(found) > 1:
        # Deterministic default: the first workspace joined. Pages offer a switcher.
        pass
    return actor_for_membership(found[0])


def resolve_actor(request: HttpRequest, workspace_slug: str | None = None) -> Actor:
    """API key first (explicit credentials win), then the session."""
    actor = actor_from_api_key_header(request)
    if actor is not None:
        if workspace_slug and workspace_slug != actor.workspace.slug:
            raise AccessDenied("No such workspace.", status=404)
        return actor
    actor = actor_from_session(request, workspace_slug)
    if actor is not None:
        return actor
    raise NotAuthenticated()


def memberships_of(user) -> list[Membership]:
    if not user or not user.is_authenticated:
        return []
    return list(Membership.objects.select_related("workspace").filter(user=user))
