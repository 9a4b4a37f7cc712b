"""The help center: who is reading it and what they may read.

A signed-in member of the workspace reads it as their own person; a person arriving
from the widget's "Still stuck?" link brings the widget's token (`?token=`), which
starts a help center session for that person in that workspace only.
"""

from __future__ import annotations

from typing import Any

import jwt
from django.db.models import QuerySet
from django.http import HttpRequest

from unstuck.accounts.models import HostApp, Membership, Person, Workspace
from unstuck.content.models import Unit

from . import identity as ident

SESSION_KEY = "unstuck.help.person.{workspace}"


def person_from_link(request: HttpRequest, workspace: Workspace) -> Person | None:
    """Verify `?token=` (or `?app=&anon=`) from the widget and remember the person in the session.

    Raises IdentityError when a token is given but not valid for this workspace.
    """
    token = request.GET.get("token", "")
    if token:
        try:
            aud = jwt.decode(token, options={"verify_signature": False}).get("aud", "")
        except jwt.InvalidTokenError as exc:
            raise ident.IdentityError(
                "The help link's token is malformed.", code="token_invalid"
            ) from exc
        host_app = HostApp.objects.filter(workspace=workspace, embed_key=str(aud)).first()
        if host_app is None:
            raise ident.IdentityError(
                "The help link's token is for another workspace.", code="wrong_audience"
            )
        person = ident.person_for_claims(host_app, ident.verify_token(host_app, token))
    elif request.GET.get("app") and request.GET.get("anon"):
        host_app = HostApp.objects.filter(workspace=workspace, embed_key=request.GET["app"]).first()
        if host_app is None:
            raise ident.IdentityError("Unknown embed key.", code="unknown_embed_key")
        person = ident.anonymous_person(host_app, request.GET["anon"])
    else:
        return None
    request.session.cycle_key()
    request.session[SESSION_KEY.format(workspace=workspace.pk)] = str(person.pk)
    return person


def reader(request: HttpRequest, workspace: Workspace) -> Person | None:
    """The person reading the help center of `workspace`, or None."""
    person_id = request.session.get(SESSION_KEY.format(workspace=workspace.pk))
    if person_id:
        found = Person.objects.filter(workspace=workspace, pk=person_id).first()
        if found is not None:
            return found
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        membership = (
            Membership.objects.select_related("person")
            .filter(workspace=workspace, user=user)
            .first()
        )
        if membership is not None:
            if membership.person is None:
                from unstuck.accounts.services import upsert_person

                membership.person = upsert_person(
                    workspace=workspace, external_id=user.email, email=user.email
                )
                membership.save(update_fields=["person"])
            return membership.person
    return None


def browse(
    *, workspace: Workspace, app: str = "", skill: str = "", kind: str = ""
) -> QuerySet[Unit]:
    qs = Unit.objects.for_workspace(workspace).published().prefetch_related("skills")
    if app:
        qs = qs.filter(placements__host_app__slug=app, placements__is_active=True)
    if skill:
        qs = qs.filter(skills__slug=skill)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.distinct().order_by("title")


def facets(workspace: Workspace) -> dict[str, Any]:
    from unstuck.content.models import Kind, Skill

    published = Unit.objects.for_workspace(workspace).published()
    kinds = set(published.values_list("kind", flat=True))
    return {
        "apps": list(
            HostApp.objects.for_workspace(workspace)
            .filter(placements__unit__in=published)
            .distinct()
            .values_list("slug", "name")
        ),
        "skills": list(
            Skill.objects.for_workspace(workspace)
            .filter(units__in=published)
            .distinct()
            .values_list("slug", "name")
        ),
        "kinds": [(k.value, k.label) for k in Kind if k.value in kinds],
    }
