"""The LRS's writes: recording statements (the one path for the xAPI API and for every
app inside Unstuck), documents, and erasing a person's data.

`record_statements` validates every statement strictly, fills what the LRS owns (id,
stored, authority, version, timestamp), and stores the whole batch or nothing in one
transaction, with voiding applied. A statement is acknowledged only after the commit,
so with SQLite's synchronous=FULL (or PostgreSQL's default fsync) it survives kill -9.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import json
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from django.db import connection, transaction
from django.utils import timezone

from unstuck.accounts.models import AuditEntry, Person, Workspace
from unstuck.errors import ApiError

from . import profile, signatures
from .models import (
    Activity,
    Attachment,
    Document,
    Statement,
    StatementActivity,
    StatementAgent,
    _key_hash,
    key_hash,
)
from .validation import (
    SIGNATURE_USAGE,
    VOIDED,
    StatementError,
    agent_key,
    check_statement,
    parse_timestamp,
    utc_timestamp,
)

SYSTEM_HOMEPAGE = "https://unstuck.dev/system"
KEY_HOMEPAGE = "https://unstuck.dev/keys"
MAX_BATCH = 5000


def system_authority(workspace: Workspace) -> dict[str, Any]:
    """The authority of statements Unstuck records itself."""
    return {"objectType": "Agent", "account": {"homePage": SYSTEM_HOMEPAGE, "name": workspace.slug}}


def key_authority(key_id: str, name: str = "") -> dict[str, Any]:
    """The authority of statements sent with an API key."""
    agent: dict[str, Any] = {
        "objectType": "Agent",
        "account": {"homePage": KEY_HOMEPAGE, "name": key_id},
    }
    if name:
        agent["name"] = name
    return agent


def format_stored(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


# --- statement parts ---------------------------------------------------------------------

_DURATION_PARTS = re.compile(
    r"^P(?:(?P<y>[\d.]+)Y)?(?:(?P<mo>[\d.]+)M)?(?:(?P<w>[\d.]+)W)?(?:(?P<d>[\d.]+)D)?"
    r"(?:T(?:(?P<h>[\d.]+)H)?(?:(?P<mi>[\d.]+)M)?(?:(?P<s>[\d.]+)S)?)?$"
)
_DURATION_MS = {
    "y": 365.25 * 86400e3,
    "mo": 30.44 * 86400e3,
    "w": 7 * 86400e3,
    "d": 86400e3,
    "h": 3600e3,
    "mi": 60e3,
    "s": 1e3,
}
_DURATION_FACTORS = tuple(_DURATION_MS[name] for name in _DURATION_PARTS.groupindex)


def duration_to_ms(value: str) -> int | None:
    # Most durations are seconds alone (PT42S, PT1.5S): no regex for those.
    if value[:2] == "PT" and value[-1:] == "S" and value[2:-1].replace(".", "", 1).isdecimal():
        return int(round(float(value[2:-1]) * 1e3))
    m = _DURATION_PARTS.match(value)
    if not m:
        return None
    total = 0.0
    for part, factor in zip(m.groups(), _DURATION_FACTORS, strict=True):
        if part:
            total += float(part) * factor
    return int(round(total))


def _activities_of(stmt: dict) -> list[dict]:
    """Every activity object in a statement (object, context activities, sub-statement)."""
    found: list[dict] = []
    obj = stmt["object"]
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        found.append(obj)
    elif kind == "SubStatement":
        found.extend(_activities_of(obj))
    ca = stmt.get("context", {}).get("contextActivities", {})
    for items in ca.values():
        found.extend([items] if isinstance(items, dict) else items)
    return found


def _agent_keys_of(stmt: dict, known: dict[int, str] | None = None) -> set[str]:
    """The keys of every agent and identified group in a statement. `known` maps id() of
    agent objects whose key the caller already has (the actor's, the authority's) to it."""
    keys: set[str] = set()
    groups = [stmt["actor"]]
    obj = stmt["object"]
    if obj.get("objectType") in ("Agent", "Group"):
        groups.append(obj)
    if "authority" in stmt:
        groups.append(stmt["authority"])
    ctx = stmt.get("context", {})
    for key in ("instructor", "team"):
        if key in ctx:
            groups.append(ctx[key])
    for item in ctx.get("contextAgents", ()):
        groups.append(item["agent"])
    for item in ctx.get("contextGroups", ()):
        groups.append(item["group"])
    for group in groups:
        k = known.get(id(group)) if known else None
        if k is None:
            k = agent_key(group)
        if k:
            keys.add(k)
        for agent in group.get("member", ()):
            k = agent_key(agent)
            if k:
                keys.add(k)
    if obj.get("objectType") == "SubStatement":
        keys |= _agent_keys_of(obj)
    return keys


def _object_key(obj: dict) -> tuple[str, str]:
    kind = obj.get("objectType", "Activity")
    if kind in ("Agent", "Group"):
        return kind, agent_key(obj)
    if kind == "StatementRef":
        return kind, obj["id"].lower()
    if kind == "SubStatement":
        return kind, ""
    return kind, obj["id"]


def _normalised(stmt: dict) -> dict:
    """The parts of a statement that decide whether two statements with one id are the same
    (xAPI 2.0 "Statement Comparison": ignore stored, authority, version, case of UUIDs,
    the representation of the timestamp and the order of group members)."""
    out = copy.deepcopy(stmt)
    for key in ("stored", "authority", "version"):
        out.pop(key, None)
    out["id"] = out.get("id", "").lower()
    for holder in (out, out.get("object", {})):
        if "timestamp" in holder:
            with contextlib.suppress(StatementError):
                holder["timestamp"] = (
                    parse_timestamp(holder["timestamp"], "").astimezone(UTC).isoformat()
                )
        ctx = holder.get("context")
        if isinstance(ctx, dict) and "registration" in ctx:
            ctx["registration"] = ctx["registration"].lower()
    obj = out.get("object", {})
    if obj.get("objectType") == "StatementRef":
        obj["id"] = obj["id"].lower()
    for group in (out.get("actor", {}), obj):
        if isinstance(group.get("member"), list):
            group["member"] = sorted(group["member"], key=lambda a: agent_key(a))
    return out


def _utc_timestamps(stmt: dict) -> None:
    """xAPI 2.0: store (and so return) timestamps in UTC, RFC 3339 with a T and Z.
    Replaces values, never mutates the caller's nested objects (a signature is checked
    against the statement as sent)."""
    if "timestamp" in stmt:
        stmt["timestamp"] = utc_timestamp(parse_timestamp(stmt["timestamp"], "", version="2.0.0"))
    obj = stmt["object"]
    if obj.get("objectType") == "SubStatement" and "timestamp" in obj:
        stmt["object"] = {
            **obj,
            "timestamp": utc_timestamp(parse_timestamp(obj["timestamp"], "", version="2.0.0")),
        }


def statements_equal(a: dict, b: dict, *, ignore_timestamp: bool = False) -> bool:
    na, nb = _normalised(a), _normalised(b)
    if ignore_timestamp:
        na.pop("timestamp", None)
        nb.pop("timestamp", None)
    return na == nb


def _merge_definition(old: dict, new: dict) -> dict:
    merged = dict(old)
    for key, value in new.items():
        if (
            key in ("name", "description", "extensions")
            and isinstance(value, dict)
            and isinstance(old.get(key), dict)
        ):
            merged[key] = {**old[key], **value}
        else:
            merged[key] = value
    return merged


# --- recording -----------------------------------------------------------------------------


def _fail(path: str, message: str, *, status: int = 400, code: str = "invalid") -> ApiError:
    return ApiError(
        f"{path}: {message}" if path else message, status=status, code=code, field=path or None
    )


def _truncate(value: Any, size: int) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value)
    return text[:size]


def record_statements(
    *,
    workspace: Workspace,
    statements: list[dict],
    authority: dict | None = None,
    version: str = "1.0.3",
    attachments: dict[str, tuple[str, bytes]] | None = None,
    as_batch: bool | None = None,
) -> list[str]:
    """Validate and store statements, all or nothing; return their ids in order.

    `authority` is the agent vouching for them (the API key's, else Unstuck's own).
    `version` is the xAPI version of the request (1.0.3 or 2.0.0): it decides the
    properties allowed and the `version` filled in. `attachments` maps SHA-2 to
    (content type, bytes) for attachment parts received with the request.
    Raises ApiError 400 (invalid, with the offending path), 403 or 409 (an id already
    stored with different content).
    """
    if _is_sqlite() and not connection.in_atomic_block:
        # Not inside a caller's transaction: this request may share a commit with the
        # process's other requests (_GroupCommit).
        return _group_commit.run(
            lambda: _prepare(workspace, statements, authority, version, attachments, as_batch)
        )
    prepared = _prepare(workspace, statements, authority, version, attachments, as_batch)
    if prepared is None:
        return []
    with transaction.atomic():
        _write(prepared, timezone.now())
    return prepared.ids


def _prepare(
    workspace: Workspace,
    statements: list[dict],
    authority: dict | None,
    version: str,
    attachments: dict[str, tuple[str, bytes]] | None,
    as_batch: bool | None,
) -> _Batch | None:
    """Validate a request's statements and build their rows: everything that needs no
    write lock. None for an empty request."""
    if not isinstance(statements, list):
        raise _fail("", "Expected a statement or an array of statements.")
    if not statements:
        return None
    if len(statements) > MAX_BATCH:
        raise _fail(
            "", f"At most {MAX_BATCH} statements per request.", status=413, code="too_large"
        )
    batch = len(statements) > 1 if as_batch is None else as_batch
    attachments = dict(attachments or {})
    authority = authority or system_authority(workspace)
    auth_key = agent_key(authority)
    version_value = "2.0.0" if version.startswith("2") else "1.0.0"

    prepared: list[dict] = []
    ids: list[str] = []
    seen: set[str] = set()
    used_parts: set[str] = set()
    for index, raw in enumerate(statements):
        prefix = str(index) if batch else ""
        try:
            check_statement(raw, prefix, version=version)
        except StatementError as exc:
            raise _fail(exc.path, exc.message) from None
        stmt = dict(raw)
        sid = stmt.get("id", "").lower() or str(uuid.uuid4())
        if sid in seen:
            raise _fail(
                f"{prefix}.id" if prefix else "id",
                "the same statement id appears twice in the request",
            )
        seen.add(sid)
        stmt["id"] = sid
        stmt.pop("stored", None)  # the LRS's to set, under the write lock (_stamped)
        stmt["authority"] = authority
        if version.startswith("2"):
            _utc_timestamps(stmt)
        stmt.setdefault("version", version_value)
        for i, att in enumerate(stmt.get("attachments", ())):
            apath = f"{prefix}.attachments.{i}" if prefix else f"attachments.{i}"
            if att["usageType"] == SIGNATURE_USAGE:
                if att["contentType"] != "application/octet-stream":
                    raise _fail(
                        f"{apath}.contentType", "a signature must be application/octet-stream"
                    )
                part = attachments.get(att["sha2"])
                if part is None:
                    raise _fail(apath, "the signature attachment's content was not sent")
                try:
                    signatures.verify(raw, part[1])
                except signatures.SignatureError as exc:
                    raise _fail(apath, str(exc)) from None
            if "fileUrl" not in att or att["sha2"] in attachments:
                if att["sha2"] not in attachments:
                    raise _fail(
                        f"{apath}.sha2",
                        "no attachment part with this SHA-2 was sent (and there is no fileUrl)",
                    )
                used_parts.add(att["sha2"])
        prepared.append(stmt)
        ids.append(sid)
    unused = set(attachments) - used_parts
    if unused:
        raise _fail(
            "attachments", f"attachment part {sorted(unused)[0]} does not belong to any statement"
        )

    # Everything that needs no lock is built before the transaction: on SQLite a writer
    # holds the database's one write lock from BEGIN to COMMIT, so the less work inside,
    # the more requests (in other server processes) overlap with it.
    sqlite = _is_sqlite()
    ws_value = _db_uuid(workspace.pk, sqlite)
    people = _people_for(workspace, prepared)
    rows = [
        _row(workspace, s, auth_key, people, ws_value=ws_value, sqlite=sqlite) for s in prepared
    ]
    ws_hex = _db_uuid(workspace.pk, True)
    relations = []
    # Merged here, not under the lock. A statement already stored is accepted only with
    # the same content, so merging its definitions again changes nothing.
    definitions: dict[str, dict] = {}
    actor_col = _COL["actor_key"]
    for stmt, row in zip(prepared, rows, strict=True):
        known = {id(authority): auth_key, id(stmt["actor"]): row[actor_col]}
        activities, agents, defs = _relations_of(stmt, known)
        relations.append(
            (
                [(aid, _key_hash(ws_hex, aid)) for aid in activities],
                [(key, _key_hash(ws_hex, key)) for key in agents],
                _key_hash(ws_hex, row[_COL["verb_id"]]),
            )
        )
        for aid, definition in defs:
            old = definitions.get(aid)
            definitions[aid] = definition if old is None else _merge_definition(old, definition)
    definitions = _changed_definitions(workspace, definitions)
    no_timestamp = {stmt["id"] for stmt in prepared if "timestamp" not in stmt}
    voiding = {s["object"]["id"].lower() for s in prepared if s["verb"]["id"] == VOIDED}
    if any(s["id"] in voiding for s in prepared if s["verb"]["id"] == VOIDED):
        raise _fail("object.id", "a voiding statement cannot be voided")

    return _Batch(
        workspace=workspace,
        prepared=prepared,
        ids=ids,
        seen=seen,
        batch=batch,
        attachments=attachments,
        ws_value=ws_value,
        sqlite=sqlite,
        rows=rows,
        relations=relations,
        definitions=definitions,
        no_timestamp=no_timestamp,
        voiding=voiding,
    )


def _write(b: _Batch, now: datetime) -> None:
    """Store a prepared batch inside the caller's transaction, holding the write lock.

    `now` is taken inside the transaction (on SQLite, after the write lock), so stored
    order follows commit order and Consistent-Through can be trusted."""
    workspace, prepared, rows, ws_value = b.workspace, b.prepared, b.rows, b.ws_value
    stored = format_stored(now)
    stored_value = _db_time(now, b.sqlite)
    if (
        b.voiding
        and Statement.objects.filter(
            workspace=workspace, statement_id__in=list(b.voiding), is_voiding=True
        ).exists()
    ):
        raise _fail("object.id", "a voiding statement cannot be voided")
    # Statements voided before they arrived (a voiding statement can come first).
    voided_early = _voided_before(ws_value, b.seen, b.sqlite)
    final_rows = []
    for stmt, row in zip(prepared, rows, strict=True):
        sid = stmt["id"]
        stmt["stored"] = stored
        stmt.setdefault("timestamp", stored)
        voided = sid in voided_early or (sid in b.voiding and row[_COL["verb_id"]] != VOIDED)
        final_rows.append(_stamped(row, stored, stored_value, voided))
    # Ids already stored are skipped by the insert (ON CONFLICT DO NOTHING, which also
    # settles a race with a concurrent request on PostgreSQL); they must then match.
    pks = _insert_statements(final_rows)
    if len(pks) < len(prepared):
        _check_resent(workspace, ws_value, prepared, rows, pks, b.no_timestamp, b.batch)
    activity_rows: list[tuple] = []
    agent_rows: list[tuple] = []
    sid_col = _COL["statement_id"]
    for row, (activities, agents, verb_hash) in zip(rows, b.relations, strict=True):
        pk = pks.get(row[sid_col])
        if pk is None:
            continue
        activity_rows.extend([(ws_value, pk, aid, h, stored_value) for aid, h in activities])
        agent_rows.extend([(ws_value, pk, key, h, stored_value, verb_hash) for key, h in agents])
    _insert_rows(_ACTIVITY_ROWS_SQL, activity_rows)
    _insert_rows(_AGENT_ROWS_SQL, agent_rows)
    _save_definitions(workspace, b.definitions, now)
    if b.voiding:
        Statement.objects.filter(
            workspace=workspace, statement_id__in=list(b.voiding), is_voiding=False
        ).update(voided=True)
    for sha2, (content_type, content) in b.attachments.items():
        Attachment.objects.get_or_create(
            workspace=workspace,
            sha2=sha2,
            defaults={"content_type": content_type, "length": len(content), "content": content},
        )


@dataclass(slots=True)
class _Batch:
    """A request's statements, validated, with their rows built (`_prepare`)."""

    workspace: Workspace
    prepared: list[dict]
    ids: list[str]
    seen: set[str]
    batch: bool
    attachments: dict[str, tuple[str, bytes]]
    ws_value: Any
    sqlite: bool
    rows: list[tuple]
    # Per statement: its (activity id, key hash) and (agent key, key hash) pairs and its
    # verb's key hash.
    relations: list[tuple[list[tuple[str, int]], list[tuple[str, int]], int]]
    definitions: dict[str, dict]  # activity id: definition, merged over the batch
    no_timestamp: set[str]
    voiding: set[str]


@dataclass(slots=True)
class _Call:
    prepare: Callable[[], _Batch | None]
    done: bool = False
    ids: list[str] = field(default_factory=list)
    error: BaseException | None = None


class _GroupCommit:
    """Group commit for SQLite: the requests of one server process that arrive while it
    is storing statements are validated and stored together, in one transaction.

    Why by hand: SQLite has one writer and no group commit of its own, and two costs of a
    commit do not grow with the statements in it. Each index with scattered keys (statement
    id, registration, actor, activity) dirties about one page per distinct key, and every
    dirtied page is written to the WAL and fsynced: measured with bench/lrs_ingest.py's
    data, 24 KB of WAL per statement in commits of 500 and 12.5 KB in commits of 1,500.
    And when several of a process's threads ingest at once they fight for the GIL, which
    stretches the time the writer holds the database's write lock (with 6 clients on 2
    workers, ingestion was 30% slower than with 2 clients).

    So one thread of the process at a time (the one holding `_turn`) takes every request
    waiting, validates them, and stores them in one transaction, each in its own savepoint:
    a refused request (400, 409) is rolled back alone, exactly as if it had had its own
    transaction, and every request is answered only after the commit that made it durable.
    The others wait on `_turn` without holding the GIL; while one process stores, the other
    processes validate their own. Used only outside a caller's transaction, on SQLite: on
    PostgreSQL writers run in parallel.
    """

    def __init__(self) -> None:
        self._turn = threading.Lock()
        self._waiting_lock = threading.Lock()
        self._waiting: list[_Call] = []
        self.commits = 0  # transactions run, for tests and benchmarks

    def run(self, prepare: Callable[[], _Batch | None]) -> list[str]:
        call = _Call(prepare)
        with self._waiting_lock:
            self._waiting.append(call)
        with self._turn:
            if not call.done:
                with self._waiting_lock:
                    calls, self._waiting = self._waiting, []
                self._store(calls)
        if call.error is not None:
            raise call.error
        return call.ids

    def _store(self, calls: list[_Call]) -> None:
        try:
            batches: list[tuple[_Call, _Batch]] = []
            for call in calls:
                try:
                    prepared = call.prepare()
                except Exception as exc:  # a refused request is answered alone
                    call.error = exc
                    continue
                if prepared is not None:
                    batches.append((call, prepared))
            if batches:
                self._commit(batches)
        except BaseException as exc:  # nobody is left waiting for an answer
            for call in calls:
                if call.error is None:
                    call.error = exc
            raise
        finally:
            for call in calls:
                call.done = True

    def _commit(self, batches: list[tuple[_Call, _Batch]]) -> None:
        try:
            with connection.sync_after_commit(), transaction.atomic():  # type: ignore[attr-defined]  # unstuck.db.sqlite3
                now = timezone.now()
                for call, prepared in batches:
                    try:
                        with transaction.atomic():  # a savepoint per request
                            _write(prepared, now)
                    except ApiError as exc:
                        call.error = exc
            self.commits += 1
        except Exception as exc:
            for call, _ in batches:
                if call.error is None:
                    call.error = exc
            return
        for call, prepared in batches:
            if call.error is None:
                call.ids = prepared.ids


_group_commit = _GroupCommit()


def _relations_of(
    stmt: dict, known: dict[int, str] | None = None
) -> tuple[list[str], set[str], list[tuple[str, dict]]]:
    """A statement's rows for the related_* filters, before it has a primary key: its
    distinct activity ids, its agent keys (with the authority's), and the activity
    definitions it carries (an activity without one still gets an Activity row)."""
    activity_ids: list[str] = []
    definitions: list[tuple[str, dict]] = []
    for act in _activities_of(stmt):
        aid = act["id"]
        if aid not in activity_ids:
            activity_ids.append(aid)
        definitions.append((aid, act.get("definition", {})))
    return activity_ids, _agent_keys_of(stmt, known), definitions


def _check_resent(
    workspace: Workspace,
    ws_value: Any,
    prepared: list[dict],
    rows: list[tuple],
    inserted: dict,
    no_timestamp: set[str],
    batch: bool,
) -> None:
    """The statements of the request that were already stored must be the same statements
    (xAPI: the same id with different content is a 409 Conflict; the same content is
    accepted and not stored again)."""
    resent = [
        stmt["id"]
        for stmt, row in zip(prepared, rows, strict=True)
        if row[_COL["statement_id"]] not in inserted
    ]
    existing = _existing_statements(ws_value, resent)
    for index, stmt in enumerate(prepared):
        old = existing.get(stmt["id"])
        if old is not None and not statements_equal(
            old, stmt, ignore_timestamp=stmt["id"] in no_timestamp
        ):
            raise _fail(
                f"{index}.id" if batch else "id",
                f"statement {stmt['id']} already exists with different content",
                status=409,
                code="conflict",
            )


def _people_for(workspace: Workspace, statements: list[dict]) -> dict[str, Any]:
    """{external id: Person pk, in the database's form} of the workspace's people that
    the statements' actors name (by account on the workspace's person home page)."""
    home = f"{profile.PERSON_HOMEPAGE}/{workspace.slug}"
    names = {
        s["actor"]["account"]["name"]
        for s in statements
        if "account" in s["actor"] and s["actor"]["account"]["homePage"] == home
    }
    if not names:
        return {}
    return dict(
        _select_in(
            f"SELECT external_id, id FROM {Person._meta.db_table} "
            "WHERE workspace_id = ? AND external_id",
            [_db_uuid(workspace.pk)],
            list(names),
        )
    )


def _select_in(sql: str, params: list, values: list) -> list[tuple]:
    """Run `sql`, which ends with a column to test (`... AND name`), for the rows whose
    column is one of `values`: `sql IN (...)`, with `?` placeholders on either engine.

    The ORM took 8 µs per statement to build a 500-value IN lookup for the ingestion
    path's per-request reads (people, activity definitions), more than the reads. Here
    the values travel as one parameter: a JSON array that SQLite's json_each unpacks
    (its planner still probes the index once per value), an array on PostgreSQL."""
    if connection.vendor == "sqlite":
        return _execute(
            sql + " IN (SELECT value FROM json_each(?))", [*params, orjson.dumps(values).decode()]
        )
    return _execute(sql.replace("?", "%s") + " = ANY(%s)", [*params, values])


def _row(
    workspace: Workspace,
    stmt: dict,
    auth_key: str,
    people: dict,
    *,
    ws_value: Any,
    sqlite: bool,
) -> tuple:
    """One lrs_statement row, its values already in the database's form, in the order of
    _STATEMENT_COLUMNS (the ingestion hot path: no per-value adaptation afterwards).

    Built before the transaction, so it holds None for `stored`, `voided` and (when the
    statement has none) `timestamp`, and the JSON without `stored`: `_stamped` fills them
    in once the write lock is held."""
    actor = stmt["actor"]
    obj = stmt["object"]
    object_type, object_id = _object_key(obj)
    ctx = stmt.get("context", {})
    ext = ctx.get("extensions", {})
    result = stmt.get("result", {})
    score = result.get("score", {})
    columns = {
        column: _truncate(ext.get(key), _COLUMN_SIZES[column])
        for key, column in profile.CONTEXT_COLUMNS.items()
        if key in ext
    }
    if (
        not columns.get("unit_id")
        and object_type == "Activity"
        and object_id.startswith(_UNIT_PREFIX)
    ):
        columns["unit_id"] = object_id[len(_UNIT_PREFIX) :][:64]
    duration_ms = None
    if "duration" in result:
        duration_ms = duration_to_ms(result["duration"])
    elif isinstance(result.get("extensions", {}).get(profile.RESULT_EXT_DURATION_MS), int | float):
        duration_ms = int(result["extensions"][profile.RESULT_EXT_DURATION_MS])
    person_id = None
    if "account" in actor:
        person_id = (
            people.get(actor["account"]["name"])
            if actor["account"]["homePage"] == (f"{profile.PERSON_HOMEPAGE}/{workspace.slug}")
            else None
        )
    registration = ctx.get("registration")
    verb_id = stmt["verb"]["id"]
    timestamp = stmt.get("timestamp")
    return (
        ws_value,
        _db_uuid(stmt["id"], sqlite),
        None,  # stored
        _db_timestamp(timestamp, sqlite) if timestamp else None,
        verb_id,
        object_id,
        object_type,
        _db_uuid(object_id, sqlite) if object_type == "StatementRef" else None,
        agent_key(actor),
        auth_key,
        _db_uuid(person_id, sqlite),
        _db_uuid(registration, sqlite),
        None,  # voided
        verb_id == VOIDED,
        columns.get("host_app", ""),
        columns.get("page", ""),
        columns.get("field", ""),
        columns.get("task", ""),
        columns.get("unit_id", ""),
        columns.get("session_id", ""),
        result.get("success"),
        result.get("completion"),
        score.get("scaled"),
        duration_ms,
        bool(stmt.get("attachments")),
        orjson.dumps(stmt),
    )


_PLAIN_UTC = re.compile(
    r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(?:[Zz]|\+00:00)", re.ASCII
)


def _db_timestamp(value: str, sqlite: bool) -> Any:
    """A timestamp check_statement has accepted, as the database takes it (`_db_time`).

    Clients mostly send UTC with a T and up to 6 decimals (JavaScript's toISOString gives
    2025-03-04T09:15:00.000Z); on SQLite that text is rearranged here, since going through
    a datetime cost ~5 µs per statement (its replace() and str() alone ~4 µs). Anything
    else goes through the datetime, as parse_timestamp reads it (without its checks,
    which also depend on the xAPI version)."""
    if sqlite and (m := _PLAIN_UTC.fullmatch(value)):
        day, time, fraction = m.groups()
        if fraction and fraction.strip("0"):
            return f"{day} {time}.{fraction.ljust(6, '0')}"
        return f"{day} {time}"
    text = value[:-1] + "+00:00" if value[-1] in "Zz" else value
    return _db_time(datetime.fromisoformat(text), sqlite)


def _stamped(row: tuple, stored: str, stored_value: Any, voided: bool) -> list:
    """A row from `_row` with what is only known under the write lock: `stored` (and the
    timestamp, when the statement had none) and whether it is already voided. The JSON
    gets `stored` (and `timestamp`) spliced in front instead of being serialised again."""
    out = list(row)
    data: bytes = out[_COL["data"]]
    head = b'{"stored":"' + stored.encode() + b'"'
    if out[_COL["timestamp"]] is None:
        head += b',"timestamp":"' + stored.encode() + b'"'
        out[_COL["timestamp"]] = stored_value
    out[_COL["data"]] = (head + (b"," + data[1:] if len(data) > 2 else b"}")).decode()
    out[_COL["stored"]] = stored_value
    out[_COL["voided"]] = voided
    return out


# Columns of lrs_statement in insert order (the order of _row's tuple).
_STATEMENT_COLUMNS = (
    "workspace_id",
    "statement_id",
    "stored",
    "timestamp",
    "verb_id",
    "object_id",
    "object_type",
    "object_ref",
    "actor_key",
    "authority_key",
    "person_id",
    "registration",
    "voided",
    "is_voiding",
    "host_app",
    "page",
    "field",
    "task",
    "unit_id",
    "session_id",
    "success",
    "completion",
    "score_scaled",
    "duration_ms",
    "has_attachments",
    "data",
)
_COL = {column: i for i, column in enumerate(_STATEMENT_COLUMNS)}  # position in a row
_MAX_INSERT_ROWS = 500


def _is_sqlite() -> bool:
    # connection.vendor goes through the thread-local connection proxy on every call,
    # which showed in the ingestion profile (five UUIDs per statement).
    return connection.vendor == "sqlite"


def _db_uuid(value: Any, sqlite: bool | None = None) -> Any:
    """A UUID as the database stores it: 32 hex digits on SQLite (Django's char(32)),
    the uuid type on PostgreSQL."""
    if value is None:
        return None
    if _is_sqlite() if sqlite is None else sqlite:
        # Validated UUID strings only need their dashes removed.
        return value.hex if isinstance(value, uuid.UUID) else value.replace("-", "").lower()
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def _db_time(moment: datetime, sqlite: bool | None = None) -> Any:
    """An aware datetime as the database takes it: on SQLite Django's naive-UTC text
    (what `adapt_datetimefield_value` gives, without its per-call settings lookups)."""
    if not (_is_sqlite() if sqlite is None else sqlite):
        return moment
    return str(moment.astimezone(UTC).replace(tzinfo=None))


def _existing_statements(ws_value: Any, ids: list[str]) -> dict[str, dict]:
    """{statement id: stored JSON} of the ids already stored in the workspace."""
    found: dict[str, dict] = {}
    for (data,) in _select_in(
        f"SELECT data FROM {Statement._meta.db_table} WHERE workspace_id = ? AND statement_id",
        [ws_value],
        [_db_uuid(i) for i in ids],
    ):
        stmt = orjson.loads(data) if isinstance(data, str | bytes) else data  # jsonb on PG
        found[stmt["id"].lower()] = stmt
    return found


def _voided_before(ws_value: Any, ids: set[str], sqlite: bool) -> set[str]:
    """The ids among `ids` that a stored voiding statement already targets (a voiding
    statement can arrive before the statement it voids). Walks the partial index on
    object_ref, one probe per id. (No `object_ref IS NOT NULL` here: the IN implies it,
    and with that term SQLite's planner read every StatementRef of the workspace instead.)"""
    found = _select_in(
        f"SELECT object_id FROM {Statement._meta.db_table} WHERE workspace_id = ? "
        "AND is_voiding AND object_ref",
        [ws_value],
        [_db_uuid(i, sqlite) for i in ids],
    )
    return {oid.lower() for (oid,) in found}


def _insert_statements(rows: list) -> dict[str, int]:
    """Insert statement rows with one multi-row INSERT ... RETURNING per 500 rows; rows
    whose statement id is already stored are skipped (and absent from the result).

    The ORM's bulk_create spends most of its time building model instances and SQL for
    columns we already hold as plain values; this is the ingestion hot path. Returns
    {statement id in its database form: primary key}.
    """
    pks: dict[Any, int] = {}
    for start in range(0, len(rows), _MAX_INSERT_ROWS):
        chunk = rows[start : start + _MAX_INSERT_ROWS]
        params = [value for row in chunk for value in row]
        found = _execute(_statement_insert_sql(connection.vendor, len(chunk)), params)
        pks.update((sid, pk) for pk, sid in found)
    return pks


@functools.lru_cache(maxsize=8)
def _statement_insert_sql(vendor: str, count: int) -> str:
    """The multi-row INSERT for `count` rows (built once: 500 rows are 13,000 placeholders)."""
    sqlite = vendor == "sqlite"
    mark = "?" if sqlite else "%s"
    row_sql = (
        "("
        + ", ".join(mark if c != "data" or sqlite else "%s::jsonb" for c in _STATEMENT_COLUMNS)
        + ")"
    )
    columns_sql = ", ".join(f'"{c}"' for c in _STATEMENT_COLUMNS)
    return (
        f"INSERT INTO {Statement._meta.db_table} ({columns_sql}) "
        f"VALUES {', '.join([row_sql] * count)} "
        "ON CONFLICT (workspace_id, statement_id) DO NOTHING RETURNING id, statement_id"
    )


_ACTIVITY_ROWS_SQL = (
    f"INSERT INTO {StatementActivity._meta.db_table} "
    "(workspace_id, statement_id, activity_id, key_hash, stored) VALUES "
)
_AGENT_ROWS_SQL = (
    f"INSERT INTO {StatementAgent._meta.db_table} "
    "(workspace_id, statement_id, agent_key, key_hash, stored, verb_hash) VALUES "
)


def _execute(sql: str, params: list) -> list[tuple]:
    """Run an ingestion statement written with `?` (SQLite) or `%s` placeholders.

    On SQLite it goes to the sqlite3 connection itself: Django's cursor wrapper rewrites
    every `%s` with a regular expression, which for a 500-row INSERT (13,000 placeholders)
    cost 4 µs per statement inside the write lock."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.execute(sql, params).fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _insert_rows(insert: str, rows: list[tuple]) -> None:
    """INSERT `rows` (tuples of one length) with `insert`, an INSERT ending in VALUES.

    On SQLite, as multi-row INSERTs of up to _MAX_INSERT_ROWS rows: `executemany` runs
    SQLite's statement machine once per row, and the relation rows (four per statement)
    cost 10.2 µs each that way against 5.8 µs in one statement (measured on a copy of
    their table), all of it inside the write lock. psycopg's executemany already
    pipelines its rows, so PostgreSQL keeps it."""
    if not rows:
        return
    width = len(rows[0])
    if connection.vendor != "sqlite":
        with connection.cursor() as cursor:
            cursor.executemany(insert + "(" + ", ".join(["%s"] * width) + ")", rows)
        return
    connection.ensure_connection()
    conn = connection.connection
    for start in range(0, len(rows), _MAX_INSERT_ROWS):
        chunk = rows[start : start + _MAX_INSERT_ROWS]
        conn.execute(
            _multi_row_sql(insert, width, len(chunk)), [value for row in chunk for value in row]
        )


@functools.lru_cache(maxsize=32)
def _multi_row_sql(insert: str, width: int, count: int) -> str:
    return insert + ", ".join(["(" + ", ".join(["?"] * width) + ")"] * count)


_UNIT_PREFIX = profile.unit_activity_id("")
_COLUMN_SIZES = {
    "host_app": 64,
    "page": 512,
    "field": 255,
    "task": 255,
    "unit_id": 64,
    "session_id": 128,
}


def _changed_definitions(workspace: Workspace, definitions: dict[str, dict]) -> dict[str, dict]:
    """The definitions that would change the stored Activity rows, read before the write
    lock. Usually none: a workspace's statements name the same activities again and again,
    and reading and comparing their definitions under the lock cost 7 µs per statement.
    `_save_definitions` reads the remaining ones again under the lock. (A definition
    another request changes between the two reads is then merged as if ours came first.)"""
    if not definitions:
        return definitions
    existing = {
        aid: orjson.loads(data) if isinstance(data, str | bytes) else data  # jsonb on PostgreSQL
        for aid, data in _select_in(
            f"SELECT activity_id, definition FROM {Activity._meta.db_table} "
            "WHERE workspace_id = ? AND activity_id",
            [_db_uuid(workspace.pk)],
            list(definitions),
        )
    }
    return {
        aid: d
        for aid, d in definitions.items()
        if aid not in existing or (d and _merge_definition(existing[aid], d) != existing[aid])
    }


def _save_definitions(workspace: Workspace, definitions: dict[str, dict], now: datetime) -> None:
    if not definitions:
        return
    # Read only ids and definitions: building Activity instances (and converting their
    # datetimes) cost more than the insert itself on the ingestion path.
    existing = dict(
        Activity.objects.filter(workspace=workspace, activity_id__in=list(definitions)).values_list(
            "activity_id", "definition"
        )
    )
    to_create = [
        Activity(workspace=workspace, activity_id=aid, definition=d, updated=now)
        for aid, d in definitions.items()
        if aid not in existing
    ]
    if to_create:
        Activity.objects.bulk_create(to_create, ignore_conflicts=True)
    for aid, d in definitions.items():
        old = existing.get(aid)
        if old is not None and d:
            merged = _merge_definition(old, d)
            if merged != old:
                Activity.objects.filter(workspace=workspace, activity_id=aid).update(
                    definition=merged, updated=now
                )


# --- documents ------------------------------------------------------------------------------


def document_etag(content: bytes) -> str:
    return hashlib.sha1(content).hexdigest()


def save_document(
    *,
    workspace: Workspace,
    kind: str,
    doc_id: str,
    content: bytes,
    content_type: str,
    activity_id: str = "",
    agent: dict | None = None,
    registration: str | None = None,
    merge: bool = False,
    existing: Document | None = None,
) -> Document:
    """Create or replace a document; with `merge` (POST), merge JSON objects into the
    stored JSON object (the spec's rule: both must be JSON objects, else 400)."""
    content_type = (content_type or "application/octet-stream").split(";")[
        0
    ].strip() or "application/octet-stream"
    now = timezone.now()
    if merge and existing is not None:
        new_json = _json_object(content)
        if not existing.is_json or content_type != "application/json":
            raise _fail(
                "",
                "POST merges JSON objects: both the stored document and the request must be "
                "application/json",
                code="not_json",
            )
        old_json = _json_object(bytes(existing.content))
        if new_json is None or old_json is None:
            raise _fail(
                "", "POST merges JSON objects: the document is not a JSON object", code="not_json"
            )
        old_json.update(new_json)
        content = json.dumps(old_json).encode()
    elif merge and content_type == "application/json" and _json_object(content) is None:
        raise _fail("", "POST of a JSON document must send a JSON object", code="not_json")
    etag = document_etag(content)
    if existing is not None:
        existing.content, existing.content_type, existing.etag, existing.updated = (
            content,
            content_type,
            etag,
            now,
        )
        existing.save(update_fields=["content", "content_type", "etag", "updated"])
        return existing
    return Document.objects.create(
        workspace=workspace,
        kind=kind,
        doc_id=doc_id,
        activity_id=activity_id,
        agent_key=agent_key(agent) if agent else "",
        agent=agent,
        registration_key=(registration or "").lower(),
        content=content,
        content_type=content_type,
        etag=etag,
        updated=now,
    )


def _json_object(content: bytes) -> dict | None:
    """The JSON object in a document, tolerating what authoring tools send around it: a
    byte-order mark, trailing NUL bytes or whitespace (json.loads handles the BOM)."""
    try:
        value = json.loads(content.rstrip(b"\x00 \t\r\n"))
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


# --- erasure ------------------------------------------------------------------------------------


def person_agent_keys(person: Person) -> set[str]:
    keys = {agent_key(profile.actor_for_person(person))}
    if person.email:
        keys.add(f"mbox:mailto:{person.email}")
        keys.add("sha1:" + hashlib.sha1(f"mailto:{person.email}".encode()).hexdigest())
    return keys


def erase_person(
    *, workspace: Workspace, external_id: str, actor_label: str = "cli"
) -> dict[str, int]:
    """Hard-delete every statement by or about a person and their documents (GDPR erasure).

    Statements are immutable under xAPI; erasure is the one exception, and happens
    outside the xAPI endpoints. The Person row stays (other apps own it) but their
    learning record is gone; an audit entry records what was removed, not the content.
    """
    person = Person.objects.filter(workspace=workspace, external_id=external_id).first()
    if person is None:
        raise ApiError(
            f"No person {external_id!r} in this workspace.",
            status=404,
            code="not_found",
            field="external_id",
        )
    keys = person_agent_keys(person)
    with transaction.atomic():
        statement_ids = (
            set(
                Statement.objects.filter(workspace=workspace, person=person).values_list(
                    "pk", flat=True
                )
            )
            # The relation rows hold every agent a statement names, its actor included.
            | set(
                StatementAgent.objects.filter(
                    key_hash__in=[key_hash(workspace.pk, k) for k in keys],
                    workspace=workspace,
                    agent_key__in=keys,
                ).values_list("statement_id", flat=True)
            )
        )
        sha2s: set[str] = set()
        for data in Statement.objects.filter(
            pk__in=statement_ids, has_attachments=True
        ).values_list("data", flat=True):
            sha2s |= {a["sha2"] for a in data.get("attachments", ())}
        deleted_statements = 0
        ids = list(statement_ids)
        for start in range(0, len(ids), 500):
            deleted_statements += (
                Statement.objects.filter(pk__in=ids[start : start + 500])
                .delete()[1]
                .get("lrs.Statement", 0)
            )
        deleted_documents = Document.objects.filter(
            workspace=workspace, agent_key__in=keys
        ).delete()[0]
        still_used: set[str] = set()
        if sha2s:
            for data in Statement.objects.filter(
                workspace=workspace, has_attachments=True
            ).values_list("data", flat=True):
                still_used |= {a["sha2"] for a in data.get("attachments", ())} & sha2s
        deleted_attachments = Attachment.objects.filter(
            workspace=workspace, sha2__in=sha2s - still_used
        ).delete()[0]
        counts = {
            "statements": deleted_statements,
            "documents": deleted_documents,
            "attachments": deleted_attachments,
        }
        AuditEntry.objects.create(
            workspace=workspace,
            actor=actor_label,
            action="lrs.erase_person",
            details={"external_id": external_id, "person_id": str(person.pk), **counts},
        )
    return counts
