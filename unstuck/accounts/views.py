"""Web pages of accounts: the home page (entry points of the signed-in person), health."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from .access import memberships_of

ENTRY_POINTS: list[tuple[str, str]] = []


def register_entry_point(name: str, url: str) -> None:
    """Apps add their pages to the home page (name, url with {slug} for the workspace)."""
    if (name, url) not in ENTRY_POINTS:
        ENTRY_POINTS.append((name, url))


@login_required
def home(request):
    memberships = memberships_of(request.user)
    current_slug = request.session.get("workspace")
    current = next((m for m in memberships if m.workspace.slug == current_slug), None) or (
        memberships[0] if memberships else None
    )
    links = []
    if current is not None:
        links = [(name, url.format(slug=current.workspace.slug)) for name, url in ENTRY_POINTS]
    return render(
        request,
        "accounts/home.html",
        {"memberships": memberships, "current": current, "links": links},
    )


@login_required
@require_POST
def switch_workspace(request, slug: str):
    if any(m.workspace.slug == slug for m in memberships_of(request.user)):
        request.session["workspace"] = slug
    return HttpResponseRedirect(reverse("home"))


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
