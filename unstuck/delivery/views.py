"""HTML and asset views of delivery: widget.js, players.js, the help center."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods

from unstuck.accounts.models import Workspace
from unstuck.errors import ApiError, error_response

from . import helpcenter, services
from .assets import asset
from .events import answer_quiz, record_widget_events
from .identity import IdentityError
from .strings import language_for, strings_for


@require_GET
def widget_script(request: HttpRequest, name: str = "widget.js") -> HttpResponse:
    """Serve the widget. `?v=<version>` URLs are immutable; the bare URL revalidates by ETag."""
    found = asset(name)
    etag = f'"{found.version}"'
    if request.META.get("HTTP_IF_NONE_MATCH") == etag:
        response: HttpResponse = HttpResponseNotModified()
    elif "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", ""):
        response = HttpResponse(found.gzipped, content_type="text/javascript; charset=utf-8")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(found.body, content_type="text/javascript; charset=utf-8")
    response["ETag"] = etag
    response["Vary"] = "Accept-Encoding"
    response["Access-Control-Allow-Origin"] = "*"
    if request.GET.get("v") == found.version:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "public, max-age=300, must-revalidate"
    return response


# --- the help center ------------------------------------------------------------------


def _reader_or_refusal(request: HttpRequest, slug: str):
    workspace = get_object_or_404(Workspace, slug=slug)
    try:
        if helpcenter.person_from_link(request, workspace) is not None:
            return workspace, None, redirect(request.path)  # drop the token from the address bar
    except IdentityError as exc:
        return (
            workspace,
            None,
            render(
                request,
                "delivery/help_refused.html",
                {"workspace": workspace, "reason": exc.message},
                status=exc.status,
            ),
        )
    person = helpcenter.reader(request, workspace)
    if person is None:
        return workspace, None, redirect(f"/accounts/login/?next={request.path}")
    return workspace, person, None


REVIEW_RESULT_KEY = "unstuck.help.review.{workspace}"


def help_center(request: HttpRequest, slug: str) -> HttpResponse:
    from unstuck.adaptive import services as adaptive_services
    from unstuck.guidance import services as guidance_services

    workspace, person, refusal = _reader_or_refusal(request, slug)
    if refusal is not None:
        return refusal
    lang = language_for(person.locale, workspace.default_locale)
    t = strings_for(lang)
    question = request.GET.get("ask", "").strip()[:1000]
    answer = None
    if question:
        # The assistant's answer, with citations that open the cited units here.
        answer = guidance_services.answer_question(
            workspace=workspace, person=person, question=question, channel="help-center"
        )
        for cite in answer.get("citations") or []:
            cite["href"] = f"/help/{workspace.slug}/units/{cite['unit_id']}/"
    today = adaptive_services.today(workspace=workspace, person=person)
    review = request.session.pop(REVIEW_RESULT_KEY.format(workspace=workspace.pk), None)
    q = request.GET.get("q", "").strip()[:200]
    app, skill, kind = (request.GET.get(k, "") for k in ("app", "skill", "kind"))
    if q:
        hits = guidance_services.search_units(
            workspace=workspace, query=q, person=person, limit=30, channel="help-center"
        )
        results = [{"unit": h["unit"], "snippet": h.get("snippet", "")} for h in hits]
    else:
        results = [
            {"unit": u, "snippet": ""}
            for u in helpcenter.browse(workspace=workspace, app=app, skill=skill, kind=kind)[:200]
        ]
    return render(
        request,
        "delivery/help_center.html",
        {
            "workspace": workspace,
            "person": person,
            "q": q,
            "results": results,
            "facets": helpcenter.facets(workspace),
            "app": app,
            "skill": skill,
            "kind": kind,
            "t": t,
            "lang": lang,
            "question": question,
            "answer": answer,
            "today": today,
            "review": review,
        },
    )


@require_http_methods(["POST"])
def help_today_answer(request: HttpRequest, slug: str, card_id: str) -> HttpResponse:
    """Answer one of Today's reviews (a form post); the result shows on the help center."""
    from unstuck.adaptive import services as adaptive_services

    workspace = get_object_or_404(Workspace, slug=slug)
    person = helpcenter.reader(request, workspace)
    if person is None:
        return redirect(f"/accounts/login/?next=/help/{workspace.slug}/")
    t = strings_for(language_for(person.locale, workspace.default_locale))
    choices = [c for c in request.POST.getlist("choice_id") if c]
    review: dict[str, Any]
    try:
        result = adaptive_services.answer_review(
            workspace=workspace, person=person, card_id=card_id, choice_id=",".join(choices)
        )
    except ApiError as exc:
        review = {"card_id": card_id, "error": exc.message}
    else:
        review = {
            "card_id": card_id,
            "correct": bool(result.get("correct")),
            "feedback": result.get("feedback", ""),
            "next_due": (result.get("next_due") or "")[:10],
        }
        review["verdict"] = t["correct"] if review["correct"] else t["incorrect"]
        if review["next_due"]:
            review["next"] = t["next_review"].replace("{date}", review["next_due"])
    request.session[REVIEW_RESULT_KEY.format(workspace=workspace.pk)] = review
    return redirect(f"/help/{workspace.slug}/#today")


@ensure_csrf_cookie
def help_unit(request: HttpRequest, slug: str, unit_id: str) -> HttpResponse:
    workspace, person, refusal = _reader_or_refusal(request, slug)
    if refusal is not None:
        return refusal
    try:
        unit = services.published_unit(workspace=workspace, unit_id=unit_id)
    except ApiError:
        return render(
            request,
            "delivery/help_refused.html",
            {"workspace": workspace, "reason": "No such unit."},
            status=404,
        )
    data = services.unit_for_player(unit)
    if unit.kind == "checklist":
        data["ticked"] = services.checklist_ticks(workspace=workspace, person=person, unit=unit)
    lang = language_for(person.locale, workspace.default_locale)
    return render(
        request,
        "delivery/help_unit.html",
        {
            "workspace": workspace,
            "person": person,
            "unit": unit,
            "unit_json": data,
            "strings": strings_for(lang),
            "lang": lang,
            "players_url": f"/widget/players.js?v={asset('players.js').version}",
        },
    )


@require_http_methods(["POST", "PUT"])
def help_api(request: HttpRequest, slug: str, what: str, unit_id: str = "") -> HttpResponse:
    """Events and checklist ticks from the help center's players (session + CSRF)."""
    workspace = get_object_or_404(Workspace, slug=slug)
    person = helpcenter.reader(request, workspace)
    if person is None:
        return error_response(
            401, "not_authenticated", "Open the help center again from your app or sign in."
        )
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError("not an object")
        who = SimpleNamespace(
            workspace=workspace,
            person=person,
            host_app=SimpleNamespace(
                slug="help-center", workspace=workspace, pk=f"help-center/{workspace.pk}"
            ),
        )
        if what == "events":
            for event in body.get("events") or []:
                if isinstance(event, dict):
                    event["channel"] = "help-center"
            return JsonResponse(record_widget_events(identity=who, events=body.get("events")))
        if what == "answers":
            body["channel"] = "help-center"
            return JsonResponse(answer_quiz(identity=who, unit_id=unit_id, body=body))
        unit = services.published_unit(workspace=workspace, unit_id=unit_id)
        ticked = services.save_checklist_ticks(
            workspace=workspace, person=person, unit=unit, ticked=body.get("ticked")
        )
        return JsonResponse({"unit_id": str(unit.id), "ticked": ticked})
    except ValueError:
        return error_response(400, "invalid", "The body must be JSON.")
    except ApiError as exc:
        return error_response(exc.status, exc.code, exc.message, exc.field)
