"""The studio: pages where authors write, check, publish and split units.

/studio/<workspace>/... Each view checks access (accounts.access), parses a form and calls
content.services (and delivery.services.create_placement for a unit made from an
Insights gap). Authors and owners only: learners and managers get 403, other workspaces 404.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from unstuck.accounts.access import AccessDenied, Actor, actor_from_session
from unstuck.accounts.models import HostApp
from unstuck.errors import ApiError

from . import services
from .duration import format_s
from .forms import EXAMPLE_PAYLOADS, PlaceForm, UnitForm, payload_text, show_api_error
from .lint import MAX_DURATION_S
from .models import Kind, Skill, Status, Unit

PAGE_SIZE = 50


def _actor(request, slug: str, permission: str = "content.view_drafts") -> Actor:
    try:
        actor = actor_from_session(request, slug)
    except AccessDenied as exc:
        raise Http404("No such workspace.") from exc
    if actor is None:
        raise Http404("No such workspace.")
    if not actor.can(permission):
        raise PermissionDenied(f"Your role does not allow this ({permission}).")
    return actor


def _unit(actor: Actor, unit_id: Any) -> Unit:
    unit = Unit.objects.for_workspace(actor.workspace).filter(pk=unit_id).first()
    if unit is None:
        raise Http404("No such unit.")
    return unit


def _skill_choices(actor: Actor) -> list[tuple[str, str]]:
    return list(Skill.objects.for_workspace(actor.workspace).values_list("slug", "name"))


def _summarise(issues) -> dict[str, int]:
    return {
        "errors": sum(i.level == "error" for i in issues),
        "warnings": sum(i.level == "warning" for i in issues),
    }


@login_required
def unit_list(request, slug: str):
    actor = _actor(request, slug)
    ws = actor.workspace
    g = request.GET
    qs = Unit.objects.for_workspace(ws).prefetch_related("skills")
    if g.get("kind") in Kind.values:
        qs = qs.filter(kind=g["kind"])
    if g.get("status") in Status.values:
        qs = qs.filter(status=g["status"])
    if g.get("skill"):
        qs = qs.filter(skills__slug=g["skill"])
    if g.get("stale") == "1":
        qs = qs.filter(review_due_at__lt=timezone.now()).exclude(status=Status.ARCHIVED)
    q = (g.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(summary__icontains=q) | Q(slug__icontains=q))
    page = Paginator(qs.order_by("title", "pk"), PAGE_SIZE).get_page(g.get("page"))
    now = timezone.now()
    rows = []
    for unit in page:
        copy = services.working_copy(unit, with_skills=False)
        rows.append(
            {
                "unit": unit,
                "title": copy["title"],
                "duration": format_s(copy["duration_s"] or 0),
                "lint": _summarise(services.lint_unit(unit, now)),
                "is_stale": unit.review_due_at is not None
                and unit.review_due_at < now
                and unit.status != Status.ARCHIVED,
            }
        )
    params = g.copy()
    params.pop("page", None)
    return render(
        request,
        "content/unit_list.html",
        {
            "workspace": ws,
            "actor": actor,
            "rows": rows,
            "page": page,
            "query": params.urlencode(),
            "kinds": Kind.choices,
            "statuses": Status.choices,
            "skills": _skill_choices(actor),
            "f": {k: g.get(k, "") for k in ("kind", "status", "skill", "stale", "q")},
        },
    )


def _gap(request) -> dict[str, str] | None:
    g = request.GET if request.method == "GET" else request.POST
    if request.method == "POST":
        return {"host_app": g.get("place-host_app", "")} if "place-host_app" in g else None
    if not g.get("host_app"):
        return None
    return {k: (g.get(k) or "").strip() for k in ("host_app", "page", "field", "task")}


def _gap_initial(gap: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    field, page, task = gap["field"], gap["page"] or "*", gap["task"]
    if task:
        title = f"How to {task.replace('-', ' ').replace('_', ' ')}"
    elif field:
        title = f"Filling in {field.replace('_', ' ')}"
    else:
        title = f"Help on {page}"
    steps = [
        {
            "title": f"Find the {field.replace('_', ' ')} field" if field else "Open the page",
            "body": f"On `{page}`, describe where to look.",
        },
        {"title": "Fill it in", "body": "Say what to enter, and why it matters."},
    ]
    unit = {
        "kind": "guide",
        "title": title[:200],
        "payload": json.dumps({"steps": steps}, indent=2),
    }
    place = {
        "host_app": gap["host_app"],
        "url_pattern": page,
        "field_name": field,
        "task": task,
        "trigger": "field_focused" if field else "page_shown",
        "presentation": "tooltip" if field else "panel",
    }
    return unit, place


@login_required
def unit_new(request, slug: str):
    actor = _actor(request, slug, "content.edit")
    ws = actor.workspace
    gap = _gap(request)
    host_apps = list(HostApp.objects.for_workspace(ws).values_list("slug", "name"))
    if gap is not None and not actor.can("placements.manage"):
        raise PermissionDenied("Your role does not allow placing units (placements.manage).")
    if request.method == "POST":
        form = UnitForm(request.POST, skills=_skill_choices(actor))
        place = PlaceForm(request.POST, host_apps=host_apps) if gap is not None else None
        if form.is_valid() and (place is None or place.is_valid()):
            try:
                with transaction.atomic():
                    unit = services.create_unit(
                        workspace=ws, owner=request.user, **form.unit_fields()
                    )
                    if place is not None:
                        _place(ws, unit, place)
            except ApiError as exc:
                if place is not None and getattr(exc, "_place", False):
                    show_api_error(place, exc, {"element": "field_name", "field_key": "field_name"})
                else:
                    show_api_error(form, exc)
            else:
                note = (
                    " It is placed in the app and goes live there when you publish it."
                    if place
                    else ""
                )
                messages.success(request, f"Created “{unit.title}” as a draft.{note}")
                return HttpResponseRedirect(reverse("content:unit", args=[ws.slug, unit.pk]))
        status = 400
    else:
        kind = request.GET.get("kind") if request.GET.get("kind") in Kind.values else "guide"
        initial: dict[str, Any] = {
            "kind": kind,
            "locale": ws.default_locale,
            "review_interval_days": 180,
            "payload": json.dumps(EXAMPLE_PAYLOADS[kind], indent=2),
        }
        place = None
        if gap is not None:
            unit_initial, place_initial = _gap_initial(gap)
            initial.update(unit_initial)
            if gap["host_app"] not in dict(host_apps):
                messages.error(
                    request,
                    f"There is no host app “{gap['host_app']}” in this workspace; pick one.",
                )
            place = PlaceForm(initial=place_initial, host_apps=host_apps)
        form = UnitForm(initial=initial, skills=_skill_choices(actor))
        status = 200
    return render(
        request,
        "content/unit_form.html",
        {
            "workspace": ws,
            "form": form,
            "place": place,
            "unit": None,
            "examples": EXAMPLE_PAYLOADS,
        },
        status=status,
    )


def _place(ws, unit: Unit, place: PlaceForm) -> None:
    from unstuck.delivery import services as delivery

    try:
        delivery.create_placement(workspace=ws, unit=unit, **place.placement_fields())
    except ApiError as exc:
        exc._place = True  # type: ignore[attr-defined]
        raise


@login_required
def unit_edit(request, slug: str, unit_id):
    actor = _actor(request, slug, "content.edit")
    ws = actor.workspace
    unit = _unit(actor, unit_id)
    if unit.status == Status.ARCHIVED:
        messages.error(request, "An archived unit cannot be edited; publish it again first.")
        return HttpResponseRedirect(reverse("content:unit", args=[ws.slug, unit.pk]))
    lock_kind = unit.version > 0
    if request.method == "POST":
        form = UnitForm(
            request.POST,
            skills=_skill_choices(actor),
            lock_kind=lock_kind,
            initial={"kind": unit.kind},
        )
        if form.is_valid():
            changes = form.unit_fields()
            try:
                services.update_unit(unit=unit, changes=changes)
            except ApiError as exc:
                show_api_error(form, exc)
            else:
                pending = (
                    " Learners see it when you publish." if unit.status == Status.PUBLISHED else ""
                )
                messages.success(request, f"Saved.{pending}")
                return HttpResponseRedirect(reverse("content:unit", args=[ws.slug, unit.pk]))
        status = 400
    else:
        copy = services.working_copy(unit)
        skill_ids = set(copy.get("skill_ids") or [])
        form = UnitForm(
            initial={
                "title": copy["title"],
                "slug": unit.slug,
                "kind": unit.kind,
                "summary": copy["summary"],
                "body_md": copy["body_md"],
                "tags": ", ".join(copy["tags"] or []),
                "locale": copy["locale"],
                "review_interval_days": unit.review_interval_days,
                "payload": payload_text(copy["payload"]),
                "skills": [s.slug for s in Skill.objects.filter(pk__in=skill_ids)],
            },
            skills=_skill_choices(actor),
            lock_kind=lock_kind,
        )
        status = 200
    return render(
        request,
        "content/unit_form.html",
        {
            "workspace": ws,
            "form": form,
            "place": None,
            "unit": unit,
            "examples": EXAMPLE_PAYLOADS,
        },
        status=status,
    )


def _detail_context(actor: Actor, unit: Unit) -> dict[str, Any]:
    copy = services.working_copy(unit)
    issues = services.lint_unit(unit)
    too_long = next((i for i in issues if i.code == "too_long"), None)
    split_count = len(too_long.suggestion["units"]) if too_long and too_long.suggestion else 0
    from unstuck.delivery.models import Placement

    return {
        "workspace": actor.workspace,
        "actor": actor,
        "unit": unit,
        "copy": copy,
        "duration": format_s(copy["duration_s"] or 0),
        "issues": issues,
        "has_errors": any(i.level == "error" for i in issues),
        "split_count": split_count if unit.kind in services.SPLITTABLE else 0,
        "skills": Skill.objects.filter(pk__in=copy.get("skill_ids") or []),
        "versions": unit.versions.all(),
        "placements": Placement.objects.filter(unit=unit).select_related("host_app"),
        "collections": unit.collections.all(),
        "can_publish": actor.can("content.publish"),
        "max_duration": format_s(MAX_DURATION_S),
    }


@login_required
def unit_detail(request, slug: str, unit_id):
    actor = _actor(request, slug)
    unit = _unit(actor, unit_id)
    return render(request, "content/unit_detail.html", _detail_context(actor, unit))


ACTIONS = {
    # action: (permission, service call, message)
    "submit": (
        "content.edit",
        lambda unit, user: services.submit_unit(unit=unit),
        "Submitted for review.",
    ),
    "return": (
        "content.publish",
        lambda unit, user: services.return_to_draft(unit=unit),
        "Sent back to draft.",
    ),
    "publish": (
        "content.publish",
        lambda unit, user: services.publish_unit(unit=unit, user=user),
        "Published.",
    ),
    "archive": (
        "content.publish",
        lambda unit, user: services.archive_unit(unit=unit),
        "Archived.",
    ),
    "verify": (
        "content.edit",
        lambda unit, user: services.verify_unit(unit=unit),
        "Marked as verified: the review clock restarts.",
    ),
    "discard": (
        "content.edit",
        lambda unit, user: services.discard_draft(unit=unit),
        "Pending edit discarded; learners keep the published version.",
    ),
}


@login_required
@require_POST
def unit_action(request, slug: str, unit_id, action: str):
    if action not in ACTIONS and action not in ("split", "delete"):
        raise Http404("No such action.")
    permission = ACTIONS[action][0] if action in ACTIONS else "content.edit"
    actor = _actor(request, slug, permission)
    ws = actor.workspace
    unit = _unit(actor, unit_id)
    try:
        if action == "split":
            collection = services.split_unit(unit=unit, user=request.user)
            messages.success(
                request,
                f"Split into {collection.units.count()} draft units, in the "
                f"collection “{collection.title}”.",
            )
            return HttpResponseRedirect(reverse("content:list", args=[ws.slug]) + f"?q={unit.slug}")
        if action == "delete":
            services.delete_unit(unit=unit)
            messages.success(request, f"Deleted “{unit.title}”.")
            return HttpResponseRedirect(reverse("content:list", args=[ws.slug]))
        _, call, message = ACTIONS[action]
        call(unit, request.user)
    except ApiError as exc:
        unit.refresh_from_db()
        context = _detail_context(actor, unit)
        context["action_error"] = exc.message
        return render(request, "content/unit_detail.html", context, status=exc.status)
    messages.success(request, message)
    return HttpResponseRedirect(reverse("content:unit", args=[ws.slug, unit.pk]))


@login_required
def version_detail(request, slug: str, unit_id, number: int):
    actor = _actor(request, slug)
    unit = _unit(actor, unit_id)
    version = unit.versions.filter(number=number).first()
    if version is None:
        raise Http404("No such version.")
    snap = version.snapshot
    return render(
        request,
        "content/version_detail.html",
        {
            "workspace": actor.workspace,
            "unit": unit,
            "version": version,
            "copy": snap,
            "duration": format_s(snap.get("duration_s") or 0),
        },
    )
