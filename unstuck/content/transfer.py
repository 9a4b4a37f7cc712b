"""Export and import a whole workspace as JSON Lines.

Generic on purpose: every model with a foreign key to Workspace belongs to it, and so
does every row of a model that points (by foreign key) at a row that belongs to it —
whichever app adds them. Logins referenced by those rows come along, identified by
username, with their password *hashes* (never anything weaker); on import an existing
login with the same username is reused and left unchanged.

File layout: a header line `{"format": "unstuck.workspace", "version": 1, ...}`, then
one line per row in Django's serialisation (`{"model", "pk", "fields"}`), models in
dependency order, rows in primary-key order. Importing into a database where that
workspace does not exist reproduces every row, including primary keys when they are
free (integer keys that are taken are renumbered and references follow).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from unstuck.accounts.models import Workspace

FORMAT = "unstuck.workspace"
VERSION = 1
CHUNK = 1000
# Group and permission links of logins are per-installation; they are not exported.
_USER_SKIP = {"groups", "user_permissions"}


class _ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but with times to the microsecond: it cuts them to milliseconds
    (ECMA-262's format), so an export lost the rest of every timestamp, statements'
    `stored` included, and a time 1-999 µs past a millisecond came back different."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class ImportRefused(Exception):
    """The file cannot be imported here; nothing was written."""


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _fks(model: type[models.Model]) -> list[models.ForeignKey]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def _querysets(workspace: Workspace) -> dict[type[models.Model], models.QuerySet]:
    """The rows of each model that belong to this workspace, as lazy querysets."""
    User = get_user_model()
    all_models = [m for m in apps.get_models() if not m._meta.proxy and m is not User]
    qs: dict[type[models.Model], models.QuerySet] = {
        Workspace: Workspace._base_manager.filter(pk=workspace.pk)
    }
    for model in all_models:
        direct = [f for f in _fks(model) if f.related_model is Workspace]
        if direct and model is not Workspace:
            cond = Q()
            for f in direct:
                cond |= Q(**{f.attname: workspace.pk})
            qs[model] = model._base_manager.filter(cond)
    changed = True
    while changed:
        changed = False
        for model in all_models:
            if model in qs:
                continue
            links = [
                f for f in _fks(model) if f.related_model in qs and f.related_model is not model
            ]
            if links:
                cond = Q()
                for f in links:
                    cond |= Q(**{f"{f.attname}__in": qs[f.related_model].values("pk")})  # type: ignore[index]
                qs[model] = model._base_manager.filter(cond)
                changed = True
    return qs


def _dependency_order(model_list: Iterable[type[models.Model]]) -> list[type[models.Model]]:
    """Models ordered so that each comes after the models it points at (cycles broken by name)."""
    pending = sorted(model_list, key=_label)
    ordered: list[type[models.Model]] = []
    while pending:
        for model in pending:
            deps = {f.related_model for f in _fks(model)} | {
                f.remote_field.model for f in model._meta.many_to_many
            }
            if all(d is model or d not in pending for d in deps):
                break
        else:
            model = pending[0]
        ordered.append(model)
        pending.remove(model)
    return ordered


def _user_ids(querysets: dict[type[models.Model], models.QuerySet]) -> set[Any]:
    User = get_user_model()
    ids: set[Any] = set()
    for model, qs in querysets.items():
        for f in _fks(model):
            if f.related_model is User:
                ids |= set(qs.exclude(**{f.attname: None}).values_list(f.attname, flat=True))
    return ids


def export_workspace(workspace: Workspace, out: IO[str]) -> dict[str, int]:
    """Write the workspace to `out` as JSON Lines; returns rows written per model."""
    User = get_user_model()
    querysets = _querysets(workspace)
    counts: dict[str, int] = {}
    order = _dependency_order(querysets)
    header = {
        "format": FORMAT,
        "version": VERSION,
        "workspace": workspace.slug,
        "workspace_id": str(workspace.pk),
        "exported_at": timezone.now().isoformat(),
        "models": [_label(m) for m in [User, *order]],
    }
    out.write(json.dumps(header) + "\n")
    user_fields = [f.name for f in User._meta.concrete_fields if not f.primary_key]
    user_fields += [f.name for f in User._meta.many_to_many if f.name not in _USER_SKIP]
    users = User._base_manager.filter(pk__in=_user_ids(querysets)).order_by("pk")
    counts[_label(User)] = _write(out, users, fields=user_fields, natural_primary=True)
    for model in order:
        counts[_label(model)] = _write(out, querysets[model].order_by("pk"))
    return counts


def _write(
    out: IO[str],
    qs: models.QuerySet,
    *,
    fields: list[str] | None = None,
    natural_primary: bool = False,
) -> int:
    written = 0
    batch: list[models.Model] = []

    def flush() -> None:
        for row in serializers.serialize(
            "python",
            batch,
            fields=fields,
            use_natural_foreign_keys=True,
            use_natural_primary_keys=natural_primary,
        ):
            out.write(json.dumps(row, cls=_ExactJSONEncoder, sort_keys=True) + "\n")

    for obj in qs.iterator(chunk_size=CHUNK):
        batch.append(obj)
        if len(batch) >= CHUNK:
            flush()
            written += len(batch)
            batch = []
    if batch:
        flush()
        written += len(batch)
    return written


# --- import ---------------------------------------------------------------------------


def _read(lines: Iterable[str]) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    it = iter(lines)
    try:
        header = json.loads(next(it))
    except StopIteration as exc:
        raise ImportRefused("The file is empty.") from exc
    except json.JSONDecodeError as exc:
        raise ImportRefused(f"Line 1 is not JSON: {exc}.") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ImportRefused(
            "This is not an Unstuck workspace export (line 1 has no unstuck.workspace header)."
        )
    if header.get("version") != VERSION:
        raise ImportRefused(
            f"Export version {header.get('version')!r} is not supported (expected {VERSION})."
        )

    def rows() -> Iterator[dict[str, Any]]:
        for number, line in enumerate(it, start=2):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ImportRefused(f"Line {number} is not JSON: {exc}.") from exc
            if not isinstance(row, dict) or "model" not in row or "fields" not in row:
                raise ImportRefused(f"Line {number} is not a row ({{model, pk, fields}}).")
            yield row

    return header, rows()


def import_workspace(lines: Iterable[str]) -> tuple[Workspace, dict[str, int]]:
    """Load an export into this database. Refuses (ImportRefused, nothing written) when
    the workspace exists here or the file is broken."""
    User = get_user_model()
    header, rows = _read(lines)
    slug = header.get("workspace")
    if Workspace.objects.filter(Q(slug=slug) | Q(pk=header.get("workspace_id"))).exists():
        raise ImportRefused(
            f"Workspace {slug!r} already exists in this database; import it into a database "
            "where it does not exist (or delete it first)."
        )
    counts: dict[str, int] = {}
    remap: dict[type[models.Model], dict[Any, Any]] = {}
    auto_pk_models: set[type[models.Model]] = set()
    try:
        with transaction.atomic():
            deferred = []
            for row in rows:
                try:
                    model = apps.get_model(row["model"])
                except (LookupError, ValueError) as exc:
                    raise ImportRefused(
                        f"Unknown model {row['model']!r}: this export comes from another "
                        "version of Unstuck."
                    ) from exc
                if model is User:
                    username = row["fields"].get(User.USERNAME_FIELD)
                    if User._base_manager.filter(**{User.USERNAME_FIELD: username}).exists():
                        counts["reused logins"] = counts.get("reused logins", 0) + 1
                        continue
                    for name in _USER_SKIP:
                        row["fields"].pop(name, None)
                else:
                    _remap_references(model, row, remap)
                old_pk = row.get("pk")
                if isinstance(model._meta.pk, models.AutoField) and old_pk is not None:
                    auto_pk_models.add(model)
                    if model._base_manager.filter(pk=old_pk).exists():
                        row["pk"] = None
                for obj in serializers.deserialize("python", [row], handle_forward_references=True):
                    obj.save()
                    if obj.deferred_fields:
                        deferred.append(obj)
                    if old_pk is not None and obj.object.pk != old_pk:
                        remap.setdefault(model, {})[old_pk] = obj.object.pk
                counts[row["model"]] = counts.get(row["model"], 0) + 1
            for obj in deferred:
                obj.save_deferred_fields()
            if auto_pk_models:
                with connection.cursor() as cursor:
                    for sql in connection.ops.sequence_reset_sql(no_style(), list(auto_pk_models)):
                        cursor.execute(sql)
            connection.check_constraints()
    except ImportRefused:
        raise
    except serializers.base.DeserializationError as exc:
        raise ImportRefused(f"A row could not be loaded: {exc}") from exc
    except Exception as exc:  # integrity errors and the like: nothing was written
        raise ImportRefused(f"The import failed and nothing was written: {exc}") from exc
    workspace = Workspace.objects.get(slug=slug)
    return workspace, counts


def _remap_references(model: type[models.Model], row: dict[str, Any], remap: dict) -> None:
    """Point references at renumbered rows (integer keys that were taken here)."""
    if not remap:
        return
    fields = row["fields"]
    for f in _fks(model):
        mapping = remap.get(f.related_model)
        if mapping and fields.get(f.name) in mapping:
            fields[f.name] = mapping[fields[f.name]]
    for f in model._meta.many_to_many:  # type: ignore[assignment]
        mapping = remap.get(f.remote_field.model)
        if mapping and isinstance(fields.get(f.name), list):
            fields[f.name] = [mapping.get(v, v) for v in fields[f.name]]
