"""Content services: every write to units, skills and collections.

Lifecycle: draft → in_review → published → archived. The Unit row of a published unit
is exactly what learners see (delivery and guidance read it directly), so editing a
published unit never touches those fields: the edit goes to `unit.draft` and the next
publish applies it, snapshotting an immutable `UnitVersion`. Every change learners can
see bumps `workspace.content_version` so caches in every process refresh.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from unstuck.accounts.models import Workspace, slug_validator
from unstuck.accounts.services import bump_content_version
from unstuck.errors import ApiError, Conflict

from . import kinds, rendering
from .duration import estimate_duration_s
from .lint import Issue, has_errors, lint_content
from .models import Collection, CollectionItem, Skill, Status, Unit, UnitVersion

# Fields whose published values learners see; on a published unit they are edited in the draft.
CONTENT_FIELDS = ("title", "summary", "body_md", "payload", "tags", "locale", "skills")
# Fields edited directly on the row whatever the status.
ROW_FIELDS = ("slug", "review_interval_days", "translation_of", "owner")
MAX_TAGS = 30
_LOCALE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


# --- validation -----------------------------------------------------------------------


def _check_slug(slug: str, field: str = "slug") -> None:
    try:
        slug_validator(slug)
    except DjangoValidationError as exc:
        raise ApiError(f"{field}: {exc.messages[0]}", field=field) from exc
    if len(slug) > 120:
        raise ApiError(f"{field}: at most 120 characters.", field=field)


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ApiError("title: must not be empty.", field="title")
    if len(title) > 200:
        raise ApiError("title: at most 200 characters.", field="title")
    rendering.check_text(title, "title", max_chars=200)
    return title


def _clean_tags(tags: list[str]) -> list[str]:
    out: list[str] = []
    for i, tag in enumerate(tags):
        tag = str(tag).strip().lower()
        if not tag or len(tag) > 50:
            raise ApiError(f"tags.{i}: a tag has 1 to 50 characters.", field=f"tags.{i}")
        rendering.check_text(tag, f"tags.{i}", max_chars=50)
        if tag not in out:
            out.append(tag)
    if len(out) > MAX_TAGS:
        raise ApiError(f"tags: at most {MAX_TAGS} tags.", field="tags")
    return out


def _clean_locale(locale: str) -> str:
    if not _LOCALE.match(locale or "") or len(locale) > 16:
        raise ApiError(
            f"locale: {locale!r} is not a language tag like en or pt-BR.", field="locale"
        )
    return locale


def resolve_skills(workspace: Workspace, refs: list[str], field: str = "skills") -> list[Skill]:
    """Skills named by slug or id, in this workspace only."""
    found: list[Skill] = []
    for i, ref in enumerate(refs):
        ref = str(ref).strip()
        qs = Skill.objects.for_workspace(workspace)
        skill = qs.filter(slug=ref).first()
        if skill is None and _looks_like_uuid(ref):
            skill = qs.filter(pk=ref).first()
        if skill is None:
            raise ApiError(
                f"{field}.{i}: no skill {ref!r} in this workspace.", field=f"{field}.{i}"
            )
        if skill not in found:
            found.append(skill)
    return found


def _looks_like_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _content_from(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Validate and render the learner-visible content; returns the stored form."""
    content: dict[str, Any] = {"kind": kind}
    content["title"] = _clean_title(fields.get("title", ""))
    summary = (fields.get("summary") or "").strip()
    if len(summary) > 500:
        raise ApiError("summary: at most 500 characters.", field="summary")
    rendering.check_text(summary, "summary", max_chars=500)
    content["summary"] = summary
    body_md = fields.get("body_md") or ""
    rendering.check_text(body_md, "body_md")
    content["body_md"] = body_md
    content["body_html"] = rendering.render_markdown(body_md)
    payload = kinds.validate_payload(kind, fields.get("payload") or {})
    rendering.check_payload_text(kind, payload)
    content["payload"] = rendering.render_payload(kind, payload)
    content["tags"] = _clean_tags(fields.get("tags") or [])
    content["locale"] = _clean_locale(fields.get("locale") or "en")
    content["duration_s"] = estimate_duration_s(kind, body_md, content["payload"])
    return content


def _review_due(unit: Unit) -> Any:
    base = unit.last_verified_at or unit.created_at or timezone.now()
    return base + timedelta(days=unit.review_interval_days)


def _check_interval(days: int) -> None:
    if not 1 <= int(days) <= 3650:
        raise ApiError(
            "review_interval_days: between 1 and 3650 days.", field="review_interval_days"
        )


def _check_translation(
    workspace: Workspace, unit: Unit | None, original: Unit | None, locale: str
) -> None:
    if original is None:
        return
    if original.workspace_id != workspace.pk:
        raise ApiError("translation_of: no such unit in this workspace.", field="translation_of")
    if unit is not None and original.pk == unit.pk:
        raise ApiError("translation_of: a unit cannot translate itself.", field="translation_of")
    if original.translation_of_id is not None:
        raise ApiError(
            "translation_of: name the original unit, not another translation.",
            field="translation_of",
        )
    if original.locale == locale:
        raise ApiError(f"locale: the original is already in {locale!r}.", field="locale")
    clash = Unit.objects.filter(translation_of=original, locale=locale)
    if unit is not None:
        clash = clash.exclude(pk=unit.pk)
    if clash.exists():
        raise Conflict(
            f"locale: {original.slug!r} already has a {locale!r} translation.", field="locale"
        )


# --- working copies and snapshots ---------------------------------------------------------


def working_copy(unit: Unit, *, with_skills: bool = True) -> dict[str, Any]:
    """What the next publish would show: the pending draft, else the row."""
    if unit.draft:
        return {"kind": unit.kind, **unit.draft}
    copy = {
        "kind": unit.kind,
        "title": unit.title,
        "summary": unit.summary,
        "body_md": unit.body_md,
        "body_html": unit.body_html,
        "payload": unit.payload,
        "tags": unit.tags,
        "locale": unit.locale,
        "duration_s": unit.duration_s,
    }
    if with_skills:
        copy["skill_ids"] = [str(pk) for pk in unit.skills.values_list("pk", flat=True)]
    return copy


def snapshot(unit: Unit) -> dict[str, Any]:
    skills = list(unit.skills.order_by("slug").values_list("pk", "slug"))
    return {
        "kind": unit.kind,
        "slug": unit.slug,
        "title": unit.title,
        "summary": unit.summary,
        "body_md": unit.body_md,
        "body_html": unit.body_html,
        "payload": unit.payload,
        "tags": unit.tags,
        "locale": unit.locale,
        "duration_s": unit.duration_s,
        "skills": [{"id": str(pk), "slug": slug} for pk, slug in skills],
    }


def lint_unit(unit: Unit, now: Any = None) -> list[Issue]:
    return lint_content(
        working_copy(unit, with_skills=False),
        review_due_at=unit.review_due_at,
        now=now or timezone.now(),
    )


# --- units ----------------------------------------------------------------------------


def _ensure_slug_free(
    model: Any, workspace: Any, slug: str, noun: str, exclude_pk: Any = None
) -> None:
    """Refuse a slug another row of `model` in this workspace already has (409 naming `slug`)."""
    rows = model.objects.filter(workspace=workspace, slug=slug)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    if rows.exists():
        raise Conflict(f"slug: a {noun} with slug {slug!r} already exists.", field="slug")


@transaction.atomic
def create_unit(
    *,
    workspace: Workspace,
    kind: str,
    slug: str,
    title: str,
    summary: str = "",
    body_md: str = "",
    payload: dict[str, Any] | None = None,
    skills: list[str] | None = None,
    tags: list[str] | None = None,
    locale: str | None = None,
    translation_of: Unit | None = None,
    owner: Any = None,
    review_interval_days: int = 180,
) -> Unit:
    kinds.check_kind(kind)
    _check_slug(slug)
    content = _content_from(
        kind,
        {
            "title": title,
            "summary": summary,
            "body_md": body_md,
            "payload": payload or {},
            "tags": tags or [],
            "locale": locale or workspace.default_locale,
        },
    )
    skill_rows = resolve_skills(workspace, skills or [])
    _check_interval(review_interval_days)
    _check_translation(workspace, None, translation_of, content["locale"])
    _ensure_slug_free(Unit, workspace, slug, "unit")
    content.pop("kind")
    unit = Unit(
        workspace=workspace,
        kind=kind,
        slug=slug,
        owner=owner,
        translation_of=translation_of,
        review_interval_days=review_interval_days,
        **content,
    )
    unit.review_due_at = timezone.now() + timedelta(days=review_interval_days)
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:
        raise Conflict(f"slug: a unit with slug {slug!r} already exists.", field="slug") from exc
    unit.skills.set(skill_rows)
    return unit


@transaction.atomic
def update_unit(*, unit: Unit, changes: dict[str, Any]) -> Unit:
    """Change a unit. On a published unit, content changes go to the pending draft."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    workspace = unit.workspace
    unknown = set(changes) - set(CONTENT_FIELDS) - set(ROW_FIELDS) - {"kind"}
    if unknown:
        name = sorted(unknown)[0]
        raise ApiError(f"{name}: unknown field.", field=name)
    visible_change = False

    if "kind" in changes and changes["kind"] != unit.kind:
        kinds.check_kind(changes["kind"])
        if unit.version > 0:
            raise Conflict(
                "kind: a published unit keeps its kind; create a new unit instead.", field="kind"
            )
        if "payload" not in changes:
            raise ApiError(
                "payload: changing the kind needs a payload for the new kind.", field="payload"
            )
        unit.kind = changes["kind"]

    if "slug" in changes and changes["slug"] != unit.slug:
        _check_slug(changes["slug"])
        _ensure_slug_free(Unit, workspace, changes["slug"], "unit", exclude_pk=unit.pk)
        unit.slug = changes["slug"]
        visible_change = True
    if "review_interval_days" in changes:
        _check_interval(changes["review_interval_days"])
        unit.review_interval_days = changes["review_interval_days"]
        unit.review_due_at = _review_due(unit)
    if "owner" in changes:
        unit.owner = changes["owner"]

    content_changes = {k: v for k, v in changes.items() if k in CONTENT_FIELDS}
    current = working_copy(unit)
    locale = content_changes.get("locale", current["locale"])
    if "translation_of" in changes or "locale" in content_changes:
        original = changes.get("translation_of", unit.translation_of)
        _check_translation(workspace, unit, original, locale)
        if "translation_of" in changes:
            unit.translation_of = original
            visible_change = True

    if content_changes or "kind" in changes:
        merged = {**current, **{k: v for k, v in content_changes.items() if k != "skills"}}
        content = _content_from(unit.kind, merged)
        if "skills" in content_changes:
            skill_rows = resolve_skills(workspace, content_changes["skills"] or [])
            skill_ids = [str(s.pk) for s in skill_rows]
        else:
            skill_ids = current["skill_ids"]
        if unit.status == Status.PUBLISHED:
            in_review = bool(unit.draft and unit.draft.get("in_review"))
            content.pop("kind")
            unit.draft = {**content, "skill_ids": skill_ids, "in_review": in_review}
        else:
            for key, value in content.items():
                setattr(unit, key, value)
            unit.skills.set(skill_ids)  # type: ignore[arg-type]
    unit.save()
    if visible_change and unit.status == Status.PUBLISHED:
        bump_content_version(workspace=workspace)
    return unit


def _transition_error(unit: Unit, action: str) -> Conflict:
    return Conflict(
        f"status: cannot {action} a unit that is {unit.status.replace('_', ' ')}.",
        field="status",
        code="invalid_transition",
    )


@transaction.atomic
def submit_unit(*, unit: Unit) -> Unit:
    """Ask for review: a draft goes to in_review; so does the pending edit of a published unit."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.status == Status.DRAFT:
        unit.status = Status.IN_REVIEW
    elif unit.status == Status.PUBLISHED and unit.draft:
        unit.draft = {**unit.draft, "in_review": True}
    else:
        raise _transition_error(unit, "submit")
    unit.save()
    return unit


@transaction.atomic
def return_to_draft(*, unit: Unit) -> Unit:
    """A reviewer sends a unit (or a published unit's pending edit) back to its author."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.status == Status.IN_REVIEW:
        unit.status = Status.DRAFT
    elif unit.status == Status.PUBLISHED and unit.draft and unit.draft.get("in_review"):
        unit.draft = {**unit.draft, "in_review": False}
    else:
        raise _transition_error(unit, "return to draft")
    unit.save()
    return unit


@transaction.atomic
def discard_draft(*, unit: Unit) -> Unit:
    """Drop the pending edit of a published unit; learners saw nothing of it."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if not unit.draft:
        raise Conflict("draft: this unit has no pending edit.", field="draft")
    unit.draft = None
    unit.save()
    return unit


@transaction.atomic
def publish_unit(*, unit: Unit, user: Any = None) -> Unit:
    """Make the working copy what learners see and snapshot it as the next version.

    Lint errors (over 5 minutes) block publishing. Publishing counts as a verification.
    """
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.status == Status.PUBLISHED and not unit.draft:
        raise Conflict(
            "status: already published and there is no pending edit to publish.",
            field="status",
            code="invalid_transition",
        )
    issues = lint_unit(unit)
    if has_errors(issues):
        errors = [i.as_dict() for i in issues if i.level == "error"]
        raise ApiError(
            f"Cannot publish: {errors[0]['message']}",
            status=409,
            code="lint_errors",
            field=errors[0]["field"],
            details=errors,
        )
    if unit.draft:
        draft = unit.draft
        for key in (
            "title",
            "summary",
            "body_md",
            "body_html",
            "payload",
            "tags",
            "locale",
            "duration_s",
        ):
            setattr(unit, key, draft[key])
        unit.skills.set(draft.get("skill_ids") or [])
        unit.draft = None
    now = timezone.now()
    unit.status = Status.PUBLISHED
    unit.version += 1
    unit.published_at = now
    unit.last_verified_at = now
    unit.review_due_at = _review_due(unit)
    unit.save()
    UnitVersion.objects.create(
        workspace=unit.workspace,
        unit=unit,
        number=unit.version,
        snapshot=snapshot(unit),
        published_by=_user_or_none(user),
    )
    bump_content_version(workspace=unit.workspace)
    return unit


@transaction.atomic
def archive_unit(*, unit: Unit) -> Unit:
    """Hide a unit from learners; its versions stay readable and it can be published again."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.status == Status.ARCHIVED:
        raise _transition_error(unit, "archive")
    was_visible = unit.status == Status.PUBLISHED
    if unit.draft:
        # Bring the pending edit onto the row so nothing written is lost.
        for key in (
            "title",
            "summary",
            "body_md",
            "body_html",
            "payload",
            "tags",
            "locale",
            "duration_s",
        ):
            setattr(unit, key, unit.draft[key])
        unit.skills.set(unit.draft.get("skill_ids") or [])
        unit.draft = None
    unit.status = Status.ARCHIVED
    unit.save()
    if was_visible:
        bump_content_version(workspace=unit.workspace)
    return unit


@transaction.atomic
def verify_unit(*, unit: Unit, now: Any = None) -> Unit:
    """An author confirms the unit is still right: the review clock restarts."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    unit.last_verified_at = now or timezone.now()
    unit.review_due_at = _review_due(unit)
    unit.save(update_fields=["last_verified_at", "review_due_at", "updated_at"])
    return unit


@transaction.atomic
def delete_unit(*, unit: Unit) -> None:
    """Only a unit that was never published can be deleted; archive the others, since
    learners' records and versions refer to them."""
    if unit.version > 0:
        raise Conflict(
            "status: this unit has been published; archive it instead.",
            field="status",
            code="invalid_transition",
        )
    unit.delete()


def _user_or_none(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


# --- skills ---------------------------------------------------------------------------


def _check_parent(skill: Skill | None, parent: Skill | None) -> None:
    node = parent
    while node is not None:
        if skill is not None and node.pk == skill.pk:
            raise ApiError("parent: a skill cannot be its own ancestor.", field="parent")
        node = node.parent


@transaction.atomic
def create_skill(
    *, workspace: Workspace, slug: str, name: str, description: str = "", parent: str | None = None
) -> Skill:
    _check_slug(slug)
    if len(slug) > 100:
        raise ApiError("slug: at most 100 characters.", field="slug")
    name = (name or "").strip()
    if not name:
        raise ApiError("name: must not be empty.", field="name")
    rendering.check_text(name, "name", max_chars=200)
    rendering.check_text(description, "description", max_chars=5000)
    parent_row = resolve_skills(workspace, [parent], "parent")[0] if parent else None
    _ensure_slug_free(Skill, workspace, slug, "skill")
    skill = Skill.objects.create(
        workspace=workspace, slug=slug, name=name, description=description, parent=parent_row
    )
    bump_content_version(workspace=workspace)
    return skill


@transaction.atomic
def update_skill(*, skill: Skill, changes: dict[str, Any]) -> Skill:
    workspace = skill.workspace
    if "slug" in changes and changes["slug"] != skill.slug:
        _check_slug(changes["slug"])
        _ensure_slug_free(Skill, workspace, changes["slug"], "skill", exclude_pk=skill.pk)
        skill.slug = changes["slug"]
    if "name" in changes:
        name = (changes["name"] or "").strip()
        if not name:
            raise ApiError("name: must not be empty.", field="name")
        rendering.check_text(name, "name", max_chars=200)
        skill.name = name
    if "description" in changes:
        rendering.check_text(changes["description"] or "", "description", max_chars=5000)
        skill.description = changes["description"] or ""
    if "parent" in changes:
        parent = (
            resolve_skills(workspace, [changes["parent"]], "parent")[0]
            if changes["parent"]
            else None
        )
        _check_parent(skill, parent)
        skill.parent = parent
    skill.save()
    bump_content_version(workspace=workspace)
    return skill


@transaction.atomic
def delete_skill(*, skill: Skill) -> None:
    workspace = skill.workspace
    skill.delete()
    bump_content_version(workspace=workspace)


# --- collections ----------------------------------------------------------------------


def _resolve_units(workspace: Workspace, refs: list[Any]) -> list[Unit]:
    units: list[Unit] = []
    for i, ref in enumerate(refs):
        ref = str(ref)
        qs = Unit.objects.for_workspace(workspace)
        unit = qs.filter(pk=ref).first() if _looks_like_uuid(ref) else qs.filter(slug=ref).first()
        if unit is None:
            raise ApiError(f"units.{i}: no unit {ref!r} in this workspace.", field=f"units.{i}")
        if unit in units:
            raise ApiError(
                f"units.{i}: {unit.slug!r} is already in the collection.", field=f"units.{i}"
            )
        units.append(unit)
    return units


def _set_items(collection: Collection, units: list[Unit]) -> None:
    CollectionItem.objects.filter(collection=collection).delete()
    CollectionItem.objects.bulk_create(
        [CollectionItem(collection=collection, unit=u, position=i) for i, u in enumerate(units)]
    )


@transaction.atomic
def create_collection(
    *,
    workspace: Workspace,
    slug: str,
    title: str,
    description: str = "",
    units: list[Any] | None = None,
) -> Collection:
    _check_slug(slug)
    title = _clean_title(title)
    rendering.check_text(description, "description", max_chars=5000)
    unit_rows = _resolve_units(workspace, units or [])
    _ensure_slug_free(Collection, workspace, slug, "collection")
    collection = Collection.objects.create(
        workspace=workspace, slug=slug, title=title, description=description
    )
    _set_items(collection, unit_rows)
    bump_content_version(workspace=workspace)
    return collection


@transaction.atomic
def update_collection(*, collection: Collection, changes: dict[str, Any]) -> Collection:
    workspace = collection.workspace
    if "slug" in changes and changes["slug"] != collection.slug:
        _check_slug(changes["slug"])
        _ensure_slug_free(
            Collection, workspace, changes["slug"], "collection", exclude_pk=collection.pk
        )
        collection.slug = changes["slug"]
    if "title" in changes:
        collection.title = _clean_title(changes["title"])
    if "description" in changes:
        rendering.check_text(changes["description"] or "", "description", max_chars=5000)
        collection.description = changes["description"] or ""
    if "units" in changes:
        _set_items(collection, _resolve_units(workspace, changes["units"] or []))
    collection.save()
    bump_content_version(workspace=workspace)
    return collection


@transaction.atomic
def delete_collection(*, collection: Collection) -> None:
    workspace = collection.workspace
    collection.delete()
    bump_content_version(workspace=workspace)


# --- splitting --------------------------------------------------------------------------

# Kinds whose payload is a list of self-contained parts that can become units of their own.
SPLITTABLE: dict[str, str] = {
    "guide": "steps",
    "checklist": "items",
    "quick_reference": "sections",
    "quiz": "questions",
}


def _without_html(value: Any) -> Any:
    """A payload as an author writes it: the server fills `*_html` siblings again on save."""
    if isinstance(value, dict):
        return {k: _without_html(v) for k, v in value.items() if not k.endswith("_html")}
    if isinstance(value, list):
        return [_without_html(v) for v in value]
    return value


def _free_slug(model: Any, workspace: Workspace, base: str, taken: set[str]) -> str:
    base = base[:110].rstrip("-")
    candidate, n = base, 1
    while candidate in taken or model.objects.filter(workspace=workspace, slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


def _section_as_item(section_md: str) -> dict[str, str]:
    heading, _, text = section_md.partition("\n\n")
    if not heading.startswith("## "):
        return {"title": "Introduction", "body": section_md}
    return {"title": heading[3:].strip()[:300], "body": text.strip() or heading[3:].strip()}


@transaction.atomic
def split_unit(*, unit: Unit, user: Any = None) -> Collection:
    """Split a unit that is over 5 minutes into short draft units, as the lint suggests.

    The payload's parts (guide steps, checklist items, quick-reference sections, quiz
    questions) and the body's `##` sections are grouped exactly as the `too_long`
    suggestion says; each group becomes a draft "Title (i/N)" with the unit's skills, tags,
    locale and review interval, and a new collection holds them in order.

    The original: a unit that was never published is archived (the parts replace it and
    it stays readable); a published unit stays live, untouched, so learners keep their
    help until the author publishes the parts and archives it.
    """
    from .duration import body_sections, reading_s
    from .lint import MAX_DURATION_S, split_suggestion

    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    workspace = unit.workspace
    if unit.status == Status.ARCHIVED:
        raise _transition_error(unit, "split")
    current = working_copy(unit)
    kind = unit.kind
    if int(current.get("duration_s") or 0) <= MAX_DURATION_S:
        raise Conflict(
            "duration_s: the unit is not over 5 minutes; there is nothing to split.",
            field="duration_s",
            code="not_too_long",
        )
    suggestion = split_suggestion(kind, current["body_md"], current["payload"] or {})
    if kind not in SPLITTABLE or len(suggestion["units"]) < 2:
        raise ApiError(
            f"duration_s: this unit cannot be split automatically. {suggestion['message']}",
            status=409,
            field="duration_s",
            code="not_splittable",
        )
    list_key = SPLITTABLE[kind]
    payload = _without_html(current["payload"] or {})
    items = payload.get(list_key) or []
    sections = [
        (h, t)
        for h, t in body_sections(current["body_md"])
        if reading_s(h if h != "introduction" else "", t)
    ]

    # Turn each suggested group back into its body sections and payload items, in order.
    groups: list[dict[str, Any]] = []
    next_section = 0
    for group in suggestion["units"]:
        if group["duration_s"] > MAX_DURATION_S:
            raise ApiError(
                f"duration_s: {group['parts'][0]} alone is over 5 minutes; shorten it, then split.",
                status=409,
                field=group["fields"][0],
                code="not_splittable",
            )
        body: list[str] = []
        picked: list[Any] = []
        for path in group["fields"]:
            if path == "body_md":
                heading, text = sections[next_section]
                next_section += 1
                body.append(
                    text.strip() if heading == "introduction" else f"## {heading}\n\n{text.strip()}"
                )
            else:
                picked.append(items[int(path.rsplit(".", 1)[1])])
        groups.append(
            {
                "body": body,
                "items": picked,
                "duration_s": group["duration_s"],
                "parts": group["parts"],
            }
        )

    # A group of body text alone is not a valid unit of a kind that needs parts: it
    # joins its neighbour (the next one, or the previous for the last) when that fits.
    if kind != "checklist":
        i = 0
        while i < len(groups):
            if groups[i]["items"]:
                i += 1
                continue
            j = i + 1 if i + 1 < len(groups) else i - 1
            if j < 0 or groups[i]["duration_s"] + groups[j]["duration_s"] > MAX_DURATION_S:
                if kind in ("guide", "quick_reference"):
                    # Too long to join a neighbour: its sections become the steps/sections.
                    groups[i]["items"] = [_section_as_item(text) for text in groups[i]["body"]]
                    groups[i]["body"] = []
                    i += 1
                    continue
                raise ApiError(
                    "body_md: the body is too long to go with any part; move it into "
                    f"the {list_key} or shorten it, then split.",
                    status=409,
                    field="body_md",
                    code="not_splittable",
                )
            first, second = (groups[i], groups[j]) if i < j else (groups[j], groups[i])
            merged = {
                "body": first["body"] + second["body"],
                "items": first["items"] + second["items"],
                "duration_s": first["duration_s"] + second["duration_s"],
                "parts": first["parts"] + second["parts"],
            }
            groups[min(i, j)] = merged
            del groups[max(i, j)]
            i = 0

    count = len(groups)
    base_title = current["title"][: 200 - len(f" ({count}/{count})")].rstrip()
    skills = [str(pk) for pk in current.get("skill_ids") or []]
    taken: set[str] = set()
    parts: list[Unit] = []
    for n, group in enumerate(groups, start=1):
        part_payload = {**payload, list_key: group["items"]}
        summary = current["summary"] or ""
        lead = f"Part {n} of {count}."
        parts.append(
            create_unit(
                workspace=workspace,
                kind=kind,
                slug=_free_slug(Unit, workspace, f"{unit.slug}-{n}-of-{count}", taken),
                title=f"{base_title} ({n}/{count})",
                summary=f"{lead} {summary}"[:500].strip(),
                body_md="\n\n".join(group["body"]),
                payload=part_payload,
                skills=skills,
                tags=list(current["tags"] or []),
                locale=current["locale"],
                owner=_user_or_none(user) or unit.owner,
                review_interval_days=unit.review_interval_days,
            )
        )
    collection = create_collection(
        workspace=workspace,
        slug=_free_slug(Collection, workspace, unit.slug, set()),
        title=current["title"],
        description=f"{current['title']}, split into {count} short units.",
        units=[str(p.pk) for p in parts],
    )
    if unit.version == 0:
        archive_unit(unit=unit)
    return collection
