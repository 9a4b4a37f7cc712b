"""The xAPI API under /xapi/ (plain Django views: the specification's status codes,
headers and alternate request syntax do not fit a typed JSON framework).

Every response carries X-Experience-API-Version (the version that answered: 1.0.3 for a
1.0.x request, 2.0.0 for a 2.0 request) and X-Experience-API-Consistent-Through, and
the CORS headers browser-based content needs. Authentication is HTTP Basic with a
workspace API key; the key's workspace is the LRS the request talks to.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import orjson
from django.core import signing
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.db.models import Exists, Max, Q, TextField
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from unstuck.accounts.access import authenticate_key, credentials_from_header
from unstuck.accounts.models import ApiKey, Person, Workspace
from unstuck.errors import ApiError, error_body

from . import formats, profile
from .models import (
    Activity,
    Attachment,
    Document,
    DocumentKind,
    Statement,
    StatementAgent,
    key_hash,
)
from .services import format_stored, key_authority, record_statements, save_document
from .validation import (
    StatementError,
    agent_key,
    check_actor,
    check_iri,
    check_uuid,
    parse_timestamp,
)

SUPPORTED_VERSIONS = ("1.0.3", "2.0.0")
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# How far behind "now" the consistent-through moment is: a statement's `stored` is set
# inside its transaction, so anything older than this margin has committed.
CONSISTENCY_MARGIN = timedelta(seconds=1)

READ_STATEMENTS = {"statements/read", "all/read", "all", "admin"}
READ_MINE = {"statements/read/mine"}
WRITE_STATEMENTS = {"statements/write", "all", "admin"}
STATE_SCOPES = {"state", "all", "admin"}
PROFILE_SCOPES = {"profile", "all", "admin"}
READ_ANY = {
    "all/read",
    "all",
    "admin",
    "statements/read",
    "statements/read/mine",
    "define",
    "state",
    "profile",
}

HEADER_FIELDS = {
    "authorization": "HTTP_AUTHORIZATION",
    "x-experience-api-version": "HTTP_X_EXPERIENCE_API_VERSION",
    "content-type": "CONTENT_TYPE",
    "content-length": "CONTENT_LENGTH",
    "if-match": "HTTP_IF_MATCH",
    "if-none-match": "HTTP_IF_NONE_MATCH",
    "accept-language": "HTTP_ACCEPT_LANGUAGE",
}
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "HEAD, GET, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": (
        "Authorization, Content-Type, If-Match, If-None-Match, X-Experience-API-Version, Accept-Language, "
        "X-Requested-With"
    ),
    "Access-Control-Expose-Headers": (
        "ETag, Last-Modified, Content-Type, X-Experience-API-Version, X-Experience-API-Consistent-Through"
    ),
    "Access-Control-Max-Age": "86400",
}


@dataclass
class XRequest:
    """One xAPI request, normalised from the ordinary or the alternate syntax."""

    method: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes
    content_type: str
    version: str = "1.0.3"
    workspace: Workspace | None = None
    api_key: ApiKey | None = None
    scopes: set[str] = field(default_factory=set)

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


class XapiError(ApiError):
    pass


def _error(
    message: str, status: int = 400, field: str | None = None, code: str | None = None
) -> XapiError:
    codes = {
        400: "invalid",
        401: "not_authenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        412: "precondition_failed",
        413: "too_large",
    }
    return XapiError(message, status=status, code=code or codes.get(status, "error"), field=field)


def _consistent_through() -> str:
    return format_stored(timezone.now() - CONSISTENCY_MARGIN)


def _finish(response: HttpResponse, version: str) -> HttpResponse:
    response["X-Experience-API-Version"] = version
    response["X-Experience-API-Consistent-Through"] = _consistent_through()
    for name, value in CORS_HEADERS.items():
        response[name] = value
    return response


def _json(data: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(data, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _negotiate_version(value: str) -> str:
    value = value.strip()
    if not value:
        raise _error(
            "The X-Experience-API-Version header is required (1.0.3 or 2.0.0).",
            field="X-Experience-API-Version",
        )
    if value in ("1.0", "1.0.0", "1.0.1", "1.0.2", "1.0.3"):
        return "1.0.3"
    if value in ("2.0", "2.0.0"):
        return "2.0.0"
    raise _error(
        f"xAPI version {value!r} is not supported; use 1.0.3 or 2.0.0.",
        field="X-Experience-API-Version",
    )


def _parse(request: HttpRequest) -> XRequest:
    headers = {name: request.META.get(meta, "") for name, meta in HEADER_FIELDS.items()}
    method = request.method or "GET"
    query: dict[str, str] = {k: str(v) for k, v in request.GET.items()}
    body = request.body
    content_type = headers["content-type"]
    if "method" in query:
        # Alternate request syntax (xAPI 1.0.3 §7.8): a POST whose form fields carry the
        # headers, the parameters and the content. Some authoring tools send it as text/plain.
        if method != "POST":
            raise _error("The alternate request syntax must use POST.", status=405)
        if set(query) != {"method"}:
            extra = sorted(set(query) - {"method"})[0]
            raise _error(
                "With the alternate request syntax the query string may only hold `method`.",
                field=extra,
            )
        alt = query["method"].upper()
        if alt not in ("GET", "PUT", "POST", "DELETE", "HEAD"):
            raise _error(f"Unknown method {query['method']!r}.", field="method")
        form = {
            k: v[-1]
            for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()
        }
        params: dict[str, str] = {}
        alt_headers = {"accept-language": headers["accept-language"]}
        content = b""
        for name, value in form.items():
            lname = name.lower()
            if lname in HEADER_FIELDS:
                alt_headers[lname] = value
            elif lname == "content":
                content = value.encode("utf-8")
            else:
                params[name] = value
        alt_headers.setdefault("content-type", "application/json" if content else "")
        x = XRequest(
            method=alt,
            params=params,
            headers=alt_headers,
            body=content,
            content_type=alt_headers.get("content-type", ""),
        )
        x.version = _negotiate_version(alt_headers.get("x-experience-api-version", ""))
        if x.version.startswith("2"):
            raise _error(
                "xAPI 2.0 removed the alternate request syntax; send an ordinary request.",
                field="method",
            )
        return x
    x = XRequest(method=method, params=query, headers=headers, body=body, content_type=content_type)
    x.version = _negotiate_version(headers["x-experience-api-version"])
    return x


def _authenticate(x: XRequest) -> None:
    creds = credentials_from_header(x.header("authorization"))
    api_key = authenticate_key(*creds) if creds else None
    if api_key is None:
        raise _error(
            "Send HTTP Basic credentials: an API key and secret of the workspace (unstuck createkey).",
            status=401,
        )
    x.api_key, x.workspace, x.scopes = api_key, api_key.workspace, set(api_key.scopes)


def _require(x: XRequest, allowed: set[str]) -> None:
    if not (x.scopes & allowed):
        raise _error(
            f"This key's scopes do not allow this; it needs one of: {', '.join(sorted(allowed))}.",
            status=403,
        )


def xapi_view(methods: tuple[str, ...], *, auth: bool = True) -> Callable:
    def wrap(handler: Callable[[XRequest, HttpRequest], HttpResponse]) -> Callable:
        @csrf_exempt
        def view(request: HttpRequest) -> HttpResponse:
            version = SUPPORTED_VERSIONS[0]
            if request.method == "OPTIONS":
                return _finish(HttpResponse(status=204), version)
            try:
                x = (
                    _parse(request)
                    if auth
                    else XRequest(
                        method=request.method or "GET",
                        params={k: str(v) for k, v in request.GET.items()},
                        headers={},
                        body=b"",
                        content_type="",
                    )
                )
                if not auth and request.META.get("HTTP_X_EXPERIENCE_API_VERSION", "").startswith(
                    "2.0"
                ):
                    x.version = "2.0.0"  # /about answers in the version asked for, if any
                version = x.version
                if x.method not in methods and not (x.method == "HEAD" and "GET" in methods):
                    raise _error(f"{x.method} is not allowed here.", status=405)
                if auth:
                    _authenticate(x)
                response = handler(x, request)
                if x.method == "HEAD":
                    response.content = b""
            except RequestDataTooBig:
                response = HttpResponse(
                    json.dumps(
                        error_body(
                            "too_large", "The request body is too large (UNSTUCK_MAX_BODY_BYTES)."
                        )
                    ),
                    status=413,
                    content_type="application/json",
                )
            except ApiError as exc:
                response = HttpResponse(
                    json.dumps(error_body(exc.code, exc.message, exc.field)),
                    status=exc.status,
                    content_type="application/json",
                )
                if exc.status == 401:
                    response["WWW-Authenticate"] = 'Basic realm="xAPI"'
            return _finish(response, version)

        view.__name__ = handler.__name__
        return view

    return wrap


def _check_params(x: XRequest, allowed: set[str]) -> None:
    for name in x.params:
        if name not in allowed:
            raise _error(f"Unknown parameter {name!r}.", field=name)


def _bool_param(x: XRequest, name: str) -> bool:
    value = x.params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise _error(f"{name} must be true or false.", field=name)
    return value == "true"


def _agent_param(x: XRequest, name: str = "agent", required: bool = True) -> dict | None:
    raw = x.params.get(name)
    if raw is None:
        if required:
            raise _error(f"The {name} parameter is required.", field=name)
        return None
    try:
        agent = json.loads(raw)
    except ValueError:
        raise _error(f"{name} must be a JSON Agent.", field=name) from None
    try:
        check_actor(agent, name, version=x.version)
    except StatementError as exc:
        raise _error(str(exc), field=exc.path) from None
    if not agent_key(agent):
        raise _error(
            f"{name} must be identified (mbox, mbox_sha1sum, openid or account).", field=name
        )
    return agent


def _iri_param(x: XRequest, name: str, required: bool = True) -> str | None:
    value = x.params.get(name)
    if value is None:
        if required:
            raise _error(f"The {name} parameter is required.", field=name)
        return None
    try:
        check_iri(value, name)
    except StatementError as exc:
        raise _error(str(exc), field=name) from None
    return value


def _uuid_param(x: XRequest, name: str) -> str | None:
    value = x.params.get(name)
    if value is None:
        return None
    try:
        check_uuid(value, name)
    except StatementError as exc:
        raise _error(str(exc), field=name) from None
    return value.lower()


def _time_param(x: XRequest, name: str):
    value = x.params.get(name)
    if value is None:
        return None
    try:
        return parse_timestamp(value, name, version=x.version)
    except StatementError as exc:
        raise _error(str(exc), field=name) from None


# --- /xapi/about --------------------------------------------------------------------


@xapi_view(("GET",), auth=False)
def about(x: XRequest, request: HttpRequest) -> HttpResponse:
    return _json(
        {
            "version": list(SUPPORTED_VERSIONS),
            "extensions": {
                f"{profile.PROFILE_BASE}/lrs": {"product": "Unstuck", "profile": profile.PROFILE_ID}
            },
        }
    )


XAPI_RESOURCES = {
    "about": "about",
    "statements": "statements",
    "state": "activities/state",
    "activities": "activities",
    "activity_profile": "activities/profile",
    "agents": "agents",
    "agent_profile": "agents/profile",
}


@xapi_view(("GET",), auth=False)
def endpoint(x: XRequest, request: HttpRequest) -> HttpResponse:
    """`/xapi/` itself: what a person or tool pointed at the endpoint needs to go on (the
    resources under it, the versions spoken, how to authenticate). No credentials."""
    base = request.build_absolute_uri("/xapi/")
    return _json(
        {
            "endpoint": base,
            "version": list(SUPPORTED_VERSIONS),
            "authentication": "HTTP Basic with a workspace API key and secret; "
            "send X-Experience-API-Version (1.0.3 or 2.0.0).",
            "resources": {name: base + path for name, path in XAPI_RESOURCES.items()},
        }
    )


# --- /xapi/statements ----------------------------------------------------------------

STATEMENT_QUERY_PARAMS = {
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
}


@xapi_view(("GET", "PUT", "POST"))
def statements(x: XRequest, request: HttpRequest) -> HttpResponse:
    if x.method in ("GET", "HEAD"):
        return _get_statements(x, request)
    _require(x, WRITE_STATEMENTS)
    statements_in, parts = _read_statement_body(x)
    assert x.workspace is not None and x.api_key is not None
    authority = key_authority(x.api_key.key_id, x.api_key.name)
    if x.method == "PUT":
        _check_params(x, {"statementId"})
        sid = _uuid_param(x, "statementId")
        if sid is None:
            raise _error("PUT needs the statementId parameter.", field="statementId")
        if not isinstance(statements_in, dict):
            raise _error("PUT takes one statement object.")
        if "id" in statements_in and str(statements_in["id"]).lower() != sid:
            raise _error("The statement's id differs from the statementId parameter.", field="id")
        statements_in = {**statements_in, "id": sid}
        record_statements(
            workspace=x.workspace,
            statements=[statements_in],
            authority=authority,
            version=x.version,
            attachments=parts,
            as_batch=False,
        )
        return HttpResponse(status=204)
    _check_params(x, set())
    batch = statements_in if isinstance(statements_in, list) else [statements_in]
    ids = record_statements(
        workspace=x.workspace,
        statements=batch,
        authority=authority,
        version=x.version,
        attachments=parts,
        as_batch=isinstance(statements_in, list),
    )
    return _json(ids)


def _read_statement_body(x: XRequest) -> tuple[Any, dict[str, tuple[str, bytes]]]:
    ctype = x.content_type.split(";")[0].strip().lower()
    if ctype == "multipart/mixed":
        parts = formats.parse_multipart(x.body, x.content_type)
        if not parts:
            raise _error("The multipart body has no parts.")
        first_type, first_headers, first_body = parts[0]
        if first_type != "application/json":
            raise _error(
                "The first part of a multipart/mixed request must be the application/json statements."
            )
        data = _load_json(first_body)
        attachments: dict[str, tuple[str, bytes]] = {}
        for ptype, pheaders, pbody in parts[1:]:
            declared = pheaders.get("x-experience-api-hash", "")
            if not declared:
                raise _error(
                    "Every attachment part needs an X-Experience-API-Hash header.",
                    field="attachments",
                )
            if pheaders.get("content-transfer-encoding", "binary").lower() != "binary":
                raise _error(
                    "Attachment parts must use Content-Transfer-Encoding: binary.",
                    field="attachments",
                )
            actual = formats.sha2_of(pbody, declared)
            if actual != declared.lower():
                raise _error(
                    f"Attachment part {declared}: its content does not match its SHA-2 hash.",
                    field="attachments",
                )
            attachments[declared.lower()] = (ptype or "application/octet-stream", pbody)
        return data, attachments
    if ctype not in ("application/json", "") and not ctype.endswith("+json"):
        raise _error(
            f"Statements are sent as application/json or multipart/mixed, not {ctype}.",
            field="Content-Type",
        )
    return _load_json(x.body), {}


def _load_json(body: bytes) -> Any:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _error(f"The body is not valid UTF-8 ({exc}).") from None
    try:
        return orjson.loads(text)  # several times faster on the ingestion path
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(text)  # integers beyond 64 bits are valid JSON; orjson refuses them
    except ValueError as exc:
        raise _error(f"The body is not valid JSON ({exc}).") from None


def _statement_queryset(x: XRequest):
    assert x.workspace is not None and x.api_key is not None
    qs = Statement.objects.filter(workspace=x.workspace)
    if not (x.scopes & READ_STATEMENTS):
        _require(x, READ_MINE)
        qs = qs.filter(authority_key=agent_key(key_authority(x.api_key.key_id)))
    return qs


def _get_statements(x: XRequest, request: HttpRequest) -> HttpResponse:
    if "more" in x.params:
        return _get_more(x, request)
    sid, vid = x.params.get("statementId"), x.params.get("voidedStatementId")
    fmt = x.params.get("format", "exact")
    if fmt not in ("ids", "exact", "canonical"):
        raise _error("format must be ids, exact or canonical.", field="format")
    with_attachments = _bool_param(x, "attachments")
    if sid is not None or vid is not None:
        _check_params(x, {"statementId", "voidedStatementId", "format", "attachments"})
        if sid is not None and vid is not None:
            raise _error(
                "Send statementId or voidedStatementId, not both.", field="voidedStatementId"
            )
        name = "statementId" if sid is not None else "voidedStatementId"
        target = _uuid_param(x, name)
        row = (
            _statement_queryset(x)
            .filter(statement_id=target, voided=vid is not None)
            .only("data", "stored")
            .first()
        )
        if row is None:
            raise _error(
                "No such statement." if sid else "No such voided statement.", status=404, field=name
            )
        out = formats.format_statement(row.data, fmt, x.workspace, x.header("accept-language"))
        response = _statements_response([out], None, with_attachments, x, single=True)
        response["Last-Modified"] = http_date(row.stored.timestamp())
        return response
    _check_params(x, STATEMENT_QUERY_PARAMS)
    query = {k: v for k, v in x.params.items()}
    return _run_statement_query(x, request, query, cursor=None)


@dataclass
class StatementFilter:
    """A statement query's filters, ready to page through.

    `walk` is, for an agent or related_activities filter, the relation whose rows are
    walked in `stored` order (its prefix and conditions, applied with the paging cursor
    in one filter() so that both use the same join). `matched` is what the filter
    parameters match before voided/since/until, or None without filter parameters:
    statements that target one of those through a StatementRef object match too,
    recursively (xAPI "Filter Conditions for StatementRefs"); the targeted statement may
    itself be voided, so a voiding statement is found through the statement it voids."""

    base: Any
    qs: Any
    walk: tuple[str, dict[str, Any]]
    matched: Any
    since: Any
    until: Any

    def statements(self, targeting: list[int] | None = None) -> tuple[Any, str, dict[str, Any]]:
        """The matching statements, or with `targeting` those statements instead (the
        ones that reach a match through StatementRefs), with voided/since/until."""
        qs, (rel_prefix, rel_conditions) = self.qs, self.walk
        if targeting is not None:
            qs, rel_prefix, rel_conditions = self.base.filter(pk__in=targeting), "", {}
        qs = self.bounded(qs)
        if rel_prefix:
            # The same bounds on the walked rows' copy of `stored` end the index walk at
            # `since` instead of running through the agent's or activity's whole history.
            rel_conditions = {**rel_conditions}
            if self.since:
                rel_conditions[f"{rel_prefix}stored__gt"] = self.since
            if self.until:
                rel_conditions[f"{rel_prefix}stored__lte"] = self.until
        return qs, rel_prefix, rel_conditions

    def bounded(self, qs: Any) -> Any:
        """Statements of `qs` that can be returned: not voided, within since/until."""
        qs = qs.filter(voided=False)
        if self.since:
            qs = qs.filter(stored__gt=self.since)
        if self.until:
            qs = qs.filter(stored__lte=self.until)
        return qs


def _filtered(x: XRequest, query: dict[str, str]) -> StatementFilter:
    base = _statement_queryset(x)
    assert x.workspace is not None  # _statement_queryset checked it
    ws_pk = x.workspace.pk
    qs = base
    rel_prefix, rel_conditions = "", {}
    sub = XRequest(
        method="GET", params=query, headers={}, body=b"", content_type="", version=x.version
    )
    agent = _agent_param(sub, "agent", required=False)
    related_agents = _bool_param(sub, "related_agents")
    related_activities = _bool_param(sub, "related_activities")
    if agent is not None:
        key = agent_key(agent)
        # Either way the walk follows the agent's relation rows in stored order; without
        # related_agents the statement must also have the agent as actor or object. (An
        # OR over two statement indexes would sort every match of the agent instead.)
        rel_prefix = "agents__"
        # The walk matches the key's hash alone (models.key_hash): a text test there
        # would read every walked row, and PostgreSQL then sorts all of the agent's rows
        # instead of walking the index in order.
        rel_conditions = {"agents__key_hash": key_hash(ws_pk, key)}
        if not related_agents:
            qs = qs.filter(Q(actor_key=key) | Q(object_type__in=("Agent", "Group"), object_id=key))
    verb = _iri_param(sub, "verb", required=False)
    if verb:
        qs = qs.filter(verb_id=verb)
        if rel_prefix:
            # The agent rows carry the statement's verb (the last column of their index):
            # the walk skips the agent's other statements without reading them.
            rel_conditions["agents__verb_hash"] = key_hash(ws_pk, verb)
    activity = _iri_param(sub, "activity", required=False)
    if activity:
        if related_activities:
            if rel_prefix:  # an agent filter too: walk the activity rows, test the agent
                qs = qs.filter(
                    pk__in=StatementAgent.objects.filter(key_hash=key_hash(ws_pk, key)).values(
                        "statement_id"
                    )
                )
            rel_prefix = "activities__"
            rel_conditions = {"activities__key_hash": key_hash(ws_pk, activity)}
        else:
            qs = qs.filter(object_type="Activity", object_id=activity)
    registration = _uuid_param(sub, "registration")
    if registration:
        qs = qs.filter(registration=registration)
    since, until = _time_param(sub, "since"), _time_param(sub, "until")
    matched = None
    if agent is not None or verb or activity or registration:
        # Without related_*, the agent walk's relation rows only order the walk: the
        # actor/object condition already decides the match, so probe without the join.
        needs_rel = rel_prefix == "activities__" or (rel_prefix and related_agents)
        matched = qs.filter(**rel_conditions) if needs_rel else qs
    return StatementFilter(base, qs, (rel_prefix, rel_conditions), matched, since, until)


MAX_REF_DEPTH = 32


def _targeting_pks(
    f: StatementFilter, rows: list, *, cursor: list | None, ascending: bool, limit: int
) -> list[int]:
    """Primary keys of the statements that reach a match through StatementRefs and can
    still make this page: StatementRefs between the cursor and the page's last match
    (`rows` holds up to limit + 1 matches) whose chain of targets reaches a statement the
    filters match (xAPI "Filter Conditions for StatementRefs"; a target may be voided).
    The window keeps the work to the StatementRefs of the page's span of `stored`, found
    through their partial index (lrs_st_ws_ref_stored), not every one of the workspace."""
    refs = f.bounded(f.base.filter(object_ref__isnull=False))
    if cursor is not None:
        after = (signing_time(cursor[0]), cursor[1])
        refs = refs.filter(_beyond(after, "gt" if ascending else "lt"))
    if len(rows) > limit:  # nothing past the page's last match can make the page
        refs = refs.filter(_beyond((rows[limit][1], rows[limit][0]), "lt" if ascending else "gt"))
    pending = dict(refs.values_list("pk", "object_ref"))  # StatementRef -> its target now
    found: list[int] = []
    hits: set = set()  # targets the filters match
    onward: dict = {}  # targets that are StatementRefs themselves -> their targets
    asked: set = set()
    for _ in range(MAX_REF_DEPTH):  # also ends cycles
        new = set(pending.values()) - asked
        for chunk in _chunks(list(new)):
            hits.update(
                f.matched.filter(statement_id__in=chunk).values_list("statement_id", flat=True)
            )
            onward.update(
                f.base.filter(statement_id__in=chunk, object_ref__isnull=False).values_list(
                    "statement_id", "object_ref"
                )
            )
        asked |= new
        found += [pk for pk, target in pending.items() if target in hits]
        pending = {pk: onward[t] for pk, t in pending.items() if t not in hits and t in onward}
        if not pending:
            break
    return found


def _chunks(values: list, size: int = 5000) -> list[list]:
    """Slices of an IN list that stay under SQLite's limit on query parameters."""
    return [values[i : i + size] for i in range(0, len(values), size)]


def _beyond(key: tuple[Any, int], op: str) -> Q:
    """Statements after (op "gt") or before ("lt") the (stored, pk) key."""
    stored, pk = key
    return Q(**{f"stored__{op}": stored}) | Q(stored=stored, **{f"id__{op}": pk})


def _run_statement_query(
    x: XRequest, request: HttpRequest, query: dict[str, str], cursor
) -> HttpResponse:
    fmt = query.get("format", "exact")
    if fmt not in ("ids", "exact", "canonical"):
        raise _error("format must be ids, exact or canonical.", field="format")
    sub = XRequest(method="GET", params=query, headers={}, body=b"", content_type="")
    with_attachments = _bool_param(sub, "attachments")
    ascending = _bool_param(sub, "ascending")
    try:
        limit = int(query.get("limit", DEFAULT_LIMIT))
    except ValueError:
        raise _error("limit must be a whole number.", field="limit") from None
    if limit < 0:
        raise _error("limit must not be negative.", field="limit")
    limit = MAX_LIMIT if limit == 0 else min(limit, MAX_LIMIT)
    assert x.workspace is not None and x.api_key is not None
    # The common read (exact format, no attachments) splices the stored JSON text into the
    # response instead of decoding and re-encoding every statement.
    is_raw = fmt == "exact" and not with_attachments
    f = _filtered(x, query)
    rows, has_refs = _page(
        *f.statements(),
        refs_of=f.base if f.matched is not None else None,
        cursor=cursor,
        ascending=ascending,
        limit=limit,
        is_raw=is_raw,
    )
    # The StatementRef rule costs more queries only when the workspace holds
    # StatementRefs, or when the page is empty (the flag comes with the page's rows, and
    # a StatementRef may target a voided or out-of-range match).
    if f.matched is not None and (has_refs or not rows):
        targeting = _targeting_pks(f, rows, cursor=cursor, ascending=ascending, limit=limit)
        if targeting:
            # The top of a union is the top of its parts' tops: page the targeting
            # statements on their own and merge, rather than sort every match of the union.
            extra, _ = _page(
                *f.statements(targeting),
                refs_of=None,
                cursor=cursor,
                ascending=ascending,
                limit=limit,
                is_raw=is_raw,
            )
            merged = {r[0]: r for r in rows + extra}.values()
            rows = sorted(merged, key=lambda r: (r[1], r[0]), reverse=not ascending)[: limit + 1]
    more = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        token = signing.dumps(
            {
                "w": str(x.workspace.pk),
                "k": x.api_key.key_id,
                "q": query,
                "c": [last[1].isoformat(), last[0]],
            },
            salt="lrs.more",
            compress=True,
        )
        more = f"{request.path}?more={token}"
    latest = max((r[1] for r in rows), default=None)
    if is_raw:
        body = (
            '{"statements": ['
            + ",".join(r[2] for r in rows)
            + '], "more": '
            + json.dumps(more or "")
            + "}"
        )
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        if latest is not None:
            response["Last-Modified"] = http_date(latest.timestamp())
        return response
    out = [
        formats.format_statement(data, fmt, x.workspace, x.header("accept-language"))
        for _, _, data in rows
    ]
    response = _statements_response(out, more or "", with_attachments, x)
    if latest is not None:
        response["Last-Modified"] = http_date(latest.timestamp())
    return response


def _page(
    qs: Any,
    rel: str,
    rel_conditions: dict[str, Any],
    *,
    refs_of: Any,
    cursor: list | None,
    ascending: bool,
    limit: int,
    is_raw: bool,
) -> tuple[list[tuple[int, Any, Any]], bool]:
    """One page of (pk, stored, data) in `stored` order, and whether the statements
    `refs_of` hold any StatementRef (asked only when given; False without rows).

    One query: the page's keys in a subquery (an index walk in `stored` order with a
    LIMIT, or a sort of narrow rows when the filter is an OR), then the statements
    themselves by primary key, so no sort carries the JSON."""
    # With a related_* filter the walk follows the relation rows' copy of `stored`
    # (index workspace, key, stored, statement); otherwise the statement's own.
    stored_f, pk_f = (f"{rel}stored", f"{rel}statement_id") if rel else ("stored", "id")
    condition = Q(**rel_conditions)
    if cursor is not None:
        stored, pk = signing_time(cursor[0]), cursor[1]
        op = "gt" if ascending else "lt"
        condition &= Q(**{f"{stored_f}__{op}": stored}) | Q(
            **{stored_f: stored, f"{pk_f}__{op}": pk}
        )
    order = (stored_f, pk_f) if ascending else (f"-{stored_f}", f"-{pk_f}")
    keys = qs.filter(condition).order_by(*order).values("pk")[: limit + 1]
    by_pk = Statement.objects.filter(pk__in=keys).order_by(
        *(("stored", "id") if ascending else ("-stored", "-id"))
    )
    fields = ["pk", "stored", "data"]
    if is_raw:
        by_pk = by_pk.annotate(raw=Cast("data", output_field=TextField()))
        fields[2] = "raw"
    if refs_of is not None:
        # Uncorrelated: the database answers it once per query, from the partial index.
        by_pk = by_pk.annotate(has_refs=Exists(refs_of.filter(object_ref__isnull=False)))
        fields.append("has_refs")
    rows = list(by_pk.values_list(*fields))
    has_refs = bool(rows) and refs_of is not None and bool(rows[0][3])
    return [r[:3] for r in rows], has_refs


def signing_time(value: str):
    from datetime import datetime

    return datetime.fromisoformat(value)


def _get_more(x: XRequest, request: HttpRequest) -> HttpResponse:
    _check_params(x, {"more"})
    try:
        token = signing.loads(x.params["more"], salt="lrs.more", max_age=24 * 3600)
    except signing.BadSignature:
        raise _error("The more link is invalid or has expired.", field="more") from None
    assert x.workspace is not None and x.api_key is not None
    if token.get("w") != str(x.workspace.pk) or token.get("k") != x.api_key.key_id:
        raise _error("The more link belongs to other credentials.", field="more")
    return _run_statement_query(x, request, token["q"], cursor=token["c"])


def _statements_response(
    out: list[dict], more: str | None, with_attachments: bool, x: XRequest, single: bool = False
) -> HttpResponse:
    payload: Any = out[0] if single else {"statements": out, "more": more or ""}
    if not with_attachments:
        return _json(payload)
    sha2s = []
    for stmt in out:
        for att in stmt.get("attachments", ()):
            if att.get("sha2") and att["sha2"] not in sha2s:
                sha2s.append(att["sha2"])
    found = {a.sha2: a for a in Attachment.objects.filter(workspace=x.workspace, sha2__in=sha2s)}
    boundary = secrets.token_hex(16)
    chunks = [
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(),
        json.dumps(payload, ensure_ascii=False).encode(),
    ]
    for sha2 in sha2s:
        att = found.get(sha2)
        if att is None:
            continue  # a fileUrl attachment: the LRS never had its content
        chunks.append(
            f"\r\n--{boundary}\r\nContent-Type: {att.content_type}\r\n"
            f"Content-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {sha2}\r\n\r\n".encode()
        )
        chunks.append(bytes(att.content))
    chunks.append(f"\r\n--{boundary}--\r\n".encode())
    return HttpResponse(b"".join(chunks), content_type=f'multipart/mixed; boundary="{boundary}"')


# --- documents ------------------------------------------------------------------------------


@dataclass
class DocScope:
    kind: str
    id_param: str
    activity_id: str = ""
    agent: dict | None = None
    registration: str | None = None


def _document_view(
    x: XRequest, scope: DocScope, allowed_scopes: set[str], read_scopes: set[str]
) -> HttpResponse:
    ws = x.workspace
    assert ws is not None
    _require(x, read_scopes if x.method in ("GET", "HEAD") else allowed_scopes)
    doc_id = x.params.get(scope.id_param)
    base = Document.objects.filter(
        workspace=ws,
        kind=scope.kind,
        activity_id=scope.activity_id,
        agent_key=agent_key(scope.agent) if scope.agent else "",
    )
    if scope.kind == DocumentKind.STATE:
        base = base.filter(registration_key=scope.registration or "")
    if doc_id is None:
        if x.method in ("GET", "HEAD"):
            since = _time_param(x, "since")
            ids_qs = base.filter(updated__gt=since) if since else base
            ids = list(ids_qs.order_by("doc_id").values_list("doc_id", flat=True))
            response = _json(ids)
            latest = ids_qs.aggregate(m=Max("updated"))["m"]
            if latest:
                response["Last-Modified"] = http_date(latest.timestamp())
            return response
        if x.method == "DELETE" and scope.kind == DocumentKind.STATE:
            _check_preconditions(x, None, is_put=False)
            base.delete()
            return HttpResponse(status=204)
        raise _error(f"The {scope.id_param} parameter is required.", field=scope.id_param)
    if "since" in x.params:
        raise _error("since is only allowed when asking for many documents.", field="since")
    with transaction.atomic():
        doc = base.filter(doc_id=doc_id).first()
        if x.method in ("GET", "HEAD"):
            if doc is None:
                raise _error("No such document.", status=404, field=scope.id_param)
            response = HttpResponse(bytes(doc.content), content_type=doc.content_type)
            response["ETag"] = f'"{doc.etag}"'
            response["Last-Modified"] = http_date(doc.updated.timestamp())
            return response
        if x.method == "DELETE":
            _check_preconditions(x, doc, is_put=False)
            if doc is not None:
                doc.delete()
            return HttpResponse(status=204)
        _check_preconditions(x, doc, is_put=x.method == "PUT", kind=scope.kind)
        saved = save_document(
            workspace=ws,
            kind=scope.kind,
            doc_id=doc_id,
            content=x.body,
            content_type=x.content_type,
            activity_id=scope.activity_id,
            agent=scope.agent,
            registration=scope.registration,
            merge=x.method == "POST",
            existing=doc,
        )
    response = HttpResponse(status=204)
    response["ETag"] = f'"{saved.etag}"'
    return response


def _etags(value: str) -> list[str]:
    return [v.strip().removeprefix("W/").strip('"') for v in value.split(",") if v.strip()]


def _check_preconditions(
    x: XRequest, doc: Document | None, *, is_put: bool, kind: str = ""
) -> None:
    if_match, if_none_match = x.header("if-match"), x.header("if-none-match")
    if if_match:
        tags = _etags(if_match)
        if doc is None or ("*" not in tags and doc.etag not in tags):
            raise _error("If-Match does not match the document's current ETag.", status=412)
    if if_none_match:
        tags = _etags(if_none_match)
        if doc is not None and ("*" in tags or doc.etag in tags):
            raise _error("If-None-Match: the document already exists.", status=412)
    # xAPI 1.0.3 exempts the State resource; 2.0 puts State under the same rule.
    needs_header = kind != DocumentKind.STATE or x.version.startswith("2")
    if is_put and doc is not None and not if_match and not if_none_match and needs_header:
        raise _error(
            "The document exists: GET it, then PUT with If-Match set to its ETag "
            "(or If-None-Match: * to create only).",
            status=409,
        )


@xapi_view(("GET", "PUT", "POST", "DELETE"))
def activity_state(x: XRequest, request: HttpRequest) -> HttpResponse:
    _check_params(x, {"activityId", "agent", "registration", "stateId", "since"})
    scope = DocScope(
        kind=DocumentKind.STATE,
        id_param="stateId",
        activity_id=_iri_param(x, "activityId") or "",
        agent=_agent_param(x),
        registration=_uuid_param(x, "registration"),
    )
    return _document_view(x, scope, STATE_SCOPES, STATE_SCOPES | {"all/read"})


@xapi_view(("GET", "PUT", "POST", "DELETE"))
def activity_profile(x: XRequest, request: HttpRequest) -> HttpResponse:
    _check_params(x, {"activityId", "profileId", "since"})
    scope = DocScope(
        kind=DocumentKind.ACTIVITY_PROFILE,
        id_param="profileId",
        activity_id=_iri_param(x, "activityId") or "",
    )
    return _document_view(x, scope, PROFILE_SCOPES, PROFILE_SCOPES | {"all/read"})


@xapi_view(("GET", "PUT", "POST", "DELETE"))
def agent_profile(x: XRequest, request: HttpRequest) -> HttpResponse:
    _check_params(x, {"agent", "profileId", "since"})
    scope = DocScope(kind=DocumentKind.AGENT_PROFILE, id_param="profileId", agent=_agent_param(x))
    return _document_view(x, scope, PROFILE_SCOPES, PROFILE_SCOPES | {"all/read"})


# --- activities and agents -----------------------------------------------------------------


@xapi_view(("GET",))
def activities(x: XRequest, request: HttpRequest) -> HttpResponse:
    _require(x, READ_ANY)
    _check_params(x, {"activityId"})
    activity_id = _iri_param(x, "activityId")
    row = Activity.objects.filter(workspace=x.workspace, activity_id=activity_id).first()
    out: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if row is not None and row.definition:
        out["definition"] = row.definition
    response = _json(out)
    if row is not None:
        response["Last-Modified"] = http_date(row.updated.timestamp())
    return response


@xapi_view(("GET",))
def agents(x: XRequest, request: HttpRequest) -> HttpResponse:
    """The Person object: everything the LRS knows that identifies this agent."""
    _require(x, READ_ANY)
    _check_params(x, {"agent"})
    agent = _agent_param(x)
    assert agent is not None and x.workspace is not None
    person_out: dict[str, list] = {
        "name": [],
        "mbox": [],
        "mbox_sha1sum": [],
        "openid": [],
        "account": [],
    }

    def add(key: str, value: Any) -> None:
        if value and value not in person_out[key]:
            person_out[key].append(value)

    add("name", agent.get("name"))
    for key in ("mbox", "mbox_sha1sum", "openid", "account"):
        add(key, agent.get(key))
    person = _person_for_agent(x.workspace, agent)
    if person is not None:
        add("name", person.name)
        add("account", profile.actor_for_person(person)["account"])
        if person.email:
            add("mbox", f"mailto:{person.email}")
            add("mbox_sha1sum", hashlib.sha1(f"mailto:{person.email}".encode()).hexdigest())
    out: dict[str, Any] = {"objectType": "Person"}
    out.update({k: v for k, v in person_out.items() if v})
    return _json(out)


def _person_for_agent(workspace: Workspace, agent: dict) -> Person | None:
    people = Person.objects.filter(workspace=workspace)
    account = agent.get("account")
    if account and account.get("homePage") == f"{profile.PERSON_HOMEPAGE}/{workspace.slug}":
        return people.filter(external_id=account["name"]).first()
    mbox = agent.get("mbox", "")
    if mbox.lower().startswith("mailto:"):
        return people.filter(email__iexact=mbox[7:]).first()
    return None


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    response = HttpResponse(
        json.dumps(error_body("not_found", "No such xAPI resource.")),
        status=404,
        content_type="application/json",
    )
    return _finish(response, SUPPORTED_VERSIONS[0])


not_found = csrf_exempt(not_found)
