"""Who is using the widget: signed identity tokens from host apps, anonymous ids, origins.

The host app's backend signs an HS256 JWT with its HostApp.signing_secret:

    sub     the person's id in the host app (required; may not start with "anon:")
    aud     the host app's embed key (required)
    iat     issued at, seconds since the epoch (required)
    exp     expiry (required; at most 24 hours after iat)
    name, email, team, role, locale   optional texts copied onto the Person
    attrs   optional object of person attributes used by placement audiences

Unstuck trusts a valid token without a second login and upserts the Person it names.
Without a token, a host app that allows anonymous use gets a pseudonymous Person
(`anon:<id>`, is_anonymous) whose id the widget keeps in localStorage; anonymous and
identified people are never merged.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import jwt
from django.db import connection
from django.db.models.base import ModelState
from django.http import HttpRequest

from unstuck.accounts.models import HostApp, Person, Workspace
from unstuck.accounts.services import upsert_person
from unstuck.errors import ApiError

MAX_LIFETIME_S = 24 * 3600
LEEWAY_S = 60
REQUIRED_CLAIMS = ("sub", "aud", "iat", "exp")
TEXT_CLAIMS = {"name": 200, "email": 254, "team": 100, "role": 100, "locale": 16}
ANON_PREFIX = "anon:"
_ANON_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class IdentityError(ApiError):
    """A refused widget identity: 401 for the token, 403 for the origin or the mode."""

    def __init__(self, message: str, *, code: str, status: int = 401, field: str | None = None):
        super().__init__(message, status=status, code=code, field=field)


def sign_token(
    host_app: HostApp, *, sub: str, expires_in_s: int = 3600, now: int | None = None, **claims: Any
) -> str:
    """Sign an identity token the way a host app's backend does (for Python host apps and tests).

    `claims` may hold name, email, team, role, locale, attrs, and overrides of iat/exp/aud.
    """
    issued = int(now if now is not None else time.time())
    payload: dict[str, Any] = {
        "sub": sub,
        "aud": host_app.embed_key,
        "iat": issued,
        "exp": issued + expires_in_s,
    }
    payload.update({k: v for k, v in claims.items() if v is not None})
    return jwt.encode(payload, host_app.signing_secret, algorithm="HS256")


def verify_token(host_app: HostApp, token: str) -> dict[str, Any]:
    """The claims of a valid token for `host_app`, or IdentityError saying what is wrong."""
    if not token or len(token) > 8192:
        raise IdentityError("The identity token is missing or too long.", code="token_invalid")
    try:
        claims = jwt.decode(
            token,
            host_app.signing_secret,
            algorithms=["HS256"],
            audience=host_app.embed_key,
            leeway=LEEWAY_S,
            options={"require": list(REQUIRED_CLAIMS)},
        )
    except jwt.ExpiredSignatureError as exc:
        raise IdentityError(
            "The identity token has expired; the host app must sign a fresh one.",
            code="token_expired",
        ) from exc
    except jwt.InvalidAudienceError as exc:
        raise IdentityError(
            "The identity token was signed for another app (aud must be this app's embed key).",
            code="wrong_audience",
        ) from exc
    except jwt.InvalidSignatureError as exc:
        raise IdentityError(
            "The identity token's signature does not match this app's signing secret.",
            code="bad_signature",
        ) from exc
    except jwt.MissingRequiredClaimError as exc:
        raise IdentityError(
            f"The identity token lacks the {exc.claim!r} claim.",
            code="missing_claim",
            field=exc.claim,
        ) from exc
    except jwt.ImmatureSignatureError as exc:
        raise IdentityError(
            "The identity token is not valid yet (iat/nbf in the future).",
            code="token_not_yet_valid",
        ) from exc
    except jwt.InvalidAlgorithmError as exc:
        raise IdentityError(
            "The identity token must be signed with HS256.", code="bad_algorithm"
        ) from exc
    except jwt.InvalidTokenError as exc:
        raise IdentityError(
            f"The identity token is malformed ({exc}).", code="token_invalid"
        ) from exc
    try:
        lifetime = int(claims["exp"]) - int(claims["iat"])
    except (TypeError, ValueError) as exc:
        raise IdentityError(
            "iat and exp must be numbers of seconds.", code="token_invalid"
        ) from exc
    if lifetime > MAX_LIFETIME_S:
        raise IdentityError(
            "The identity token lives longer than 24 hours; sign shorter-lived tokens.",
            code="token_lifetime_too_long",
            field="exp",
        )
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip() or len(sub) > 200:
        raise IdentityError(
            "sub must be the person's id: a text of 1 to 200 characters.",
            code="token_invalid",
            field="sub",
        )
    if sub.startswith(ANON_PREFIX):
        raise IdentityError(
            "sub may not start with 'anon:' (reserved for anonymous people).",
            code="token_invalid",
            field="sub",
        )
    for name, limit in TEXT_CLAIMS.items():
        value = claims.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            raise IdentityError(
                f"{name} must be a text of at most {limit} characters.",
                code="token_invalid",
                field=name,
            )
    if claims.get("attrs") is not None and not isinstance(claims["attrs"], dict):
        raise IdentityError("attrs must be an object.", code="token_invalid", field="attrs")
    return claims


# Hot path: every page view of every host app resolves its embed key and token. One small
# raw query checks the stamp (host app id, signing secret, workspace content_version) of
# the cached host app; every change that matters moves the stamp (update_host_app bumps
# the content version, rotation changes the secret), so no process serves a stale one.
_APPS: dict[str, tuple[tuple, HostApp]] = {}
# Token -> person for a short while: the token's claims were upserted when first seen.
_PEOPLE: dict[tuple, tuple[float, Person]] = {}
PERSON_CACHE_S = 30
_CACHE_MAX = 20_000
_lock = threading.Lock()


def _stamp_sql() -> str:
    ha, ws = HostApp._meta.db_table, Workspace._meta.db_table
    return (
        f'SELECT h.id, h.signing_secret, w.content_version FROM "{ha}" h '
        f'JOIN "{ws}" w ON w.id = h.workspace_id WHERE h.embed_key = %s'
    )


def host_app_for_key(embed_key: str) -> HostApp:
    if not embed_key or len(embed_key) > 64:
        raise IdentityError(
            "Name the host app with its embed key (data-app / X-Unstuck-App).",
            code="embed_key_missing",
        )
    with connection.cursor() as cursor:
        cursor.execute(_stamp_sql(), [embed_key])
        row = cursor.fetchone()
    if row is None:
        raise IdentityError("Unknown embed key: no host app has it.", code="unknown_embed_key")
    stamp = (str(row[0]).replace("-", ""), row[1], int(row[2]))
    cached = _APPS.get(embed_key)
    if cached is None or cached[0] != stamp:
        host_app = HostApp.objects.select_related("workspace").filter(embed_key=embed_key).first()
        if host_app is None:
            raise IdentityError("Unknown embed key: no host app has it.", code="unknown_embed_key")
        with _lock:
            if len(_APPS) > _CACHE_MAX:
                _APPS.clear()
            _APPS[embed_key] = cached = (stamp, host_app)
    # Copies: callers may touch attributes (refresh_from_db) without racing other threads.
    host_app = _clone(cached[1])
    host_app.workspace = _clone(cached[1].workspace)
    return host_app


def _clone(obj: Any) -> Any:
    """A shallow copy of a model instance with its own state (cheaper than copy.copy,
    which pickles the state and its cached relations)."""
    new = obj.__class__.__new__(obj.__class__)
    new.__dict__ = obj.__dict__.copy()
    state = ModelState()
    state.db, state.adding = obj._state.db, False
    state.fields_cache = dict(obj._state.fields_cache)
    new._state = state
    return new


# A verified token's claims, until the token expires: keyed on the token's hash and the
# host app's signing secret (a rotated secret misses), so a page's repeated calls skip the
# HMAC and claim checks. Past `exp` the entry is not used and the token is checked again.
_TOKENS: dict[tuple, tuple[float, dict[str, Any]]] = {}


def _verified(host_app: HostApp, token: str) -> dict[str, Any]:
    digest = hashlib.blake2b(token.encode(), digest_size=16).digest()
    key = (host_app.pk, host_app.signing_secret, digest)
    found = _TOKENS.get(key)
    if found is not None and time.time() < found[0]:
        return found[1]
    claims = verify_token(host_app, token)
    with _lock:
        if len(_TOKENS) > _CACHE_MAX:
            _TOKENS.clear()
        _TOKENS[key] = (float(claims["exp"]), claims)
    return claims


def _cached_person(key: tuple) -> Person | None:
    found = _PEOPLE.get(key)
    if found is None or found[0] < time.monotonic():
        return None
    return _clone(found[1])


def _remember_person(key: tuple, person: Person) -> None:
    with _lock:
        if len(_PEOPLE) > _CACHE_MAX:
            _PEOPLE.clear()
        _PEOPLE[key] = (time.monotonic() + PERSON_CACHE_S, _clone(person))


def origin_of(request: HttpRequest) -> str:
    """The page's origin: the Origin header, else the Referer's scheme and host."""
    origin = request.META.get("HTTP_ORIGIN", "")
    if origin and origin != "null":
        return origin.rstrip("/")
    referer = request.META.get("HTTP_REFERER", "")
    if referer:
        parts = urlsplit(referer)
        if parts.scheme and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
    return ""


def is_origin_allowed(host_app: HostApp, origin: str) -> bool:
    allowed = host_app.allowed_origins or []
    return "*" in allowed or (bool(origin) and origin in allowed)


def check_origin(host_app: HostApp, request: HttpRequest) -> str:
    origin = origin_of(request)
    if is_origin_allowed(host_app, origin):
        return origin
    if not origin:
        raise IdentityError(
            "The request names no origin (Origin or Referer header).",
            code="origin_missing",
            status=403,
        )
    raise IdentityError(
        f"The origin {origin} is not on this host app's allowed origins.",
        code="origin_not_allowed",
        status=403,
    )


@dataclass
class WidgetIdentity:
    host_app: HostApp
    person: Person
    origin: str
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def workspace(self) -> Workspace:
        return self.host_app.workspace

    @property
    def is_anonymous(self) -> bool:
        return self.person.is_anonymous


def person_for_claims(host_app: HostApp, claims: dict[str, Any]) -> Person:
    fields: dict[str, Any] = {
        k: claims[k] for k in ("name", "email", "team", "locale") if k in claims
    }
    if "role" in claims:
        fields["job_role"] = claims["role"]
    if "attrs" in claims:
        fields["attributes"] = claims["attrs"]
    return upsert_person(workspace=host_app.workspace, external_id=claims["sub"].strip(), **fields)


def anonymous_person(host_app: HostApp, anon_id: str) -> Person:
    if not host_app.allow_anonymous:
        raise IdentityError(
            "This host app does not allow anonymous use; the page must pass a signed token.",
            code="anonymous_not_allowed",
            status=403,
        )
    if not _ANON_ID.match(anon_id or ""):
        raise IdentityError(
            "The anonymous id must be 8 to 64 letters, digits, - or _.",
            code="anon_id_invalid",
            field="anon_id",
        )
    return upsert_person(
        workspace=host_app.workspace, external_id=ANON_PREFIX + anon_id, is_anonymous=True
    )


def bearer_of(request: HttpRequest) -> str:
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def identify(request: HttpRequest, body: dict[str, Any] | None = None) -> WidgetIdentity:
    """Resolve a widget request: embed key → host app, origin check, token or anonymous id → Person.

    The embed key comes from `X-Unstuck-App` (or `app` in the body or query); the token
    from `Authorization: Bearer` (or `token` in the body, for sendBeacon which cannot set
    headers); the anonymous id from `X-Unstuck-Anon` (or `anon_id`).
    """
    body = body or {}
    embed_key = (
        request.META.get("HTTP_X_UNSTUCK_APP") or body.get("app") or request.GET.get("app") or ""
    )
    host_app = host_app_for_key(str(embed_key))
    origin = check_origin(host_app, request)
    token = bearer_of(request) or str(body.get("token") or "")
    if token:
        claims = _verified(host_app, token)
        key = (host_app.pk, token)
        person = _cached_person(key)
        if person is None or person.workspace_id != host_app.workspace_id:
            person = person_for_claims(host_app, claims)
            _remember_person(key, person)
        return WidgetIdentity(host_app=host_app, person=person, origin=origin, claims=claims)
    anon_id = str(request.META.get("HTTP_X_UNSTUCK_ANON") or body.get("anon_id") or "")
    if anon_id:
        key = (host_app.pk, ANON_PREFIX + anon_id)
        person = _cached_person(key) if host_app.allow_anonymous else None
        if person is None:
            person = anonymous_person(host_app, anon_id)
            _remember_person(key, person)
        return WidgetIdentity(host_app=host_app, person=person, origin=origin)
    if host_app.allow_anonymous:
        raise IdentityError(
            "Send the anonymous id (X-Unstuck-Anon) or a signed token.", code="token_missing"
        )
    raise IdentityError(
        "This host app needs a signed identity token (data-token / Authorization: Bearer).",
        code="token_missing",
    )
