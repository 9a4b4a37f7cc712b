"""The widget API under /widget/v1/: called from host pages by widget.js.

Plain Django views (not Ninja): the context endpoint is the hot path of every page view
in every host app, and these endpoints need their own authentication (embed key +
identity token), CORS for the host app's origins, and bodies sent by sendBeacon.
Errors use the project's shape {"error": {"code", "message", "field"}}.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from unstuck.errors import ApiError, error_response

from . import identity as ident
from . import services
from .events import answer_quiz, record_widget_events
from .strings import language_for, strings_for

ALLOWED_HEADERS = "Authorization, Content-Type, X-Unstuck-App, X-Unstuck-Anon, If-None-Match"
MAX_BODY = 256 * 1024


def _json(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(
        data, status=status, safe=False, json_dumps_params={"separators": (",", ":")}
    )


def _cors(response: HttpResponse, origin: str) -> HttpResponse:
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Expose-Headers"] = "ETag"
    response["Vary"] = "Origin, Authorization, X-Unstuck-App, X-Unstuck-Anon"
    return response


def _body(request: HttpRequest) -> dict[str, Any]:
    if request.method not in ("POST", "PUT"):
        return {}
    raw = request.body
    if len(raw) > MAX_BODY:
        raise ApiError("The request body is too large.", status=413, code="too_large")
    if not raw.strip():
        return {}
    try:
        # sendBeacon posts text/plain (no preflight), so the content type is not trusted.
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError("The body must be JSON.", code="invalid") from exc
    if not isinstance(data, dict):
        raise ApiError("The body must be a JSON object.", code="invalid")
    return data


def widget_endpoint(*methods: str) -> Callable:
    """Wrap a widget view: CORS preflight, JSON body, identity, errors in the one shape."""

    def decorate(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            origin = ident.origin_of(request)
            if request.method == "OPTIONS":
                # The preflight cannot carry the embed key, so it is permissive; the real
                # request is checked against the host app's allowed origins.
                response = HttpResponse(status=204)
                response["Access-Control-Allow-Methods"] = ", ".join((*methods, "OPTIONS"))
                response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                response["Access-Control-Max-Age"] = "600"
                return _cors(response, origin)
            if request.method not in methods:
                return _cors(
                    error_response(405, "method_not_allowed", f"Use {' or '.join(methods)}."),
                    origin,
                )
            try:
                body = _body(request)
                who = ident.identify(request, body)
                response = view(request, who, body, *args, **kwargs)
            except ApiError as exc:
                # Error bodies hold no data, so the widget may read why it was refused.
                return _cors(
                    error_response(exc.status, exc.code, exc.message, exc.field, exc.details),
                    origin,
                )
            return _cors(response, who.origin)

        return wrapper

    return decorate


_ORIGINS: dict[tuple, str] = {}


def _help_center_url(request: HttpRequest, who: ident.WidgetIdentity) -> str:
    # This server's own origin, worked out (host validated) once per Host header.
    meta = request.META
    key = (request.scheme, meta.get("HTTP_HOST"), meta.get("HTTP_X_FORWARDED_HOST"))
    origin = _ORIGINS.get(key)
    if origin is None:
        origin = request.build_absolute_uri("/").rstrip("/")
        if len(_ORIGINS) < 1000:
            _ORIGINS[key] = origin
    return f"{origin}/help/{who.workspace.slug}/"


@widget_endpoint("GET")
def context(request: HttpRequest, who: ident.WidgetIdentity, body: dict[str, Any]) -> HttpResponse:
    """Everything the widget needs for one page view, in one cacheable response."""
    url = request.GET.get("url", "/")[:2000]
    workspace, person, host_app = who.workspace, who.person, who.host_app
    lang = language_for(person.locale, workspace.default_locale)
    data = {
        "person": {
            "id": str(person.id),
            "name": person.name,
            "locale": lang,
            "is_anonymous": person.is_anonymous,
        },
        "app": {"slug": host_app.slug, "name": host_app.name},
        "page": services.matching.path_of(url),
        "placements": services.placements_for_page(
            workspace=workspace, host_app=host_app, person=person, url=url
        ),
        "nudges": services.pending_nudges(
            workspace=workspace,
            person=person,
            host_app=host_app,
            fresh=bool(request.GET.get("fresh")),
        ),
        "strings": strings_for(lang),
        "settings": {
            "label": "",
            "position": "bottom-right",
            "shortcut": "Alt+H",
            "color": "#1d4ed8",
            **(host_app.widget_settings or {}),
        },
        "help_center_url": _help_center_url(request, who),
    }
    payload = orjson.dumps(data, default=str)
    # The body is a function of content_version, person, url, pilots, caps and nudges:
    # hashing it makes the ETag exact for all of them.
    etag = '"' + hashlib.blake2b(payload, digest_size=12).hexdigest() + '"'
    if etag in [t.strip() for t in request.META.get("HTTP_IF_NONE_MATCH", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(payload, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@widget_endpoint("GET")
def unit(
    request: HttpRequest, who: ident.WidgetIdentity, body: dict[str, Any], unit_id: str
) -> HttpResponse:
    found = services.published_unit(workspace=who.workspace, unit_id=unit_id)
    data = services.unit_for_player(found)
    if found.kind == "checklist":
        data["ticked"] = services.checklist_ticks(
            workspace=who.workspace, person=who.person, unit=found
        )
    return _json(data)


@widget_endpoint("POST")
def quiz_answer(
    request: HttpRequest, who: ident.WidgetIdentity, body: dict[str, Any], unit_id: str
) -> HttpResponse:
    """Grade a quiz answer on the server and record it; the browser never sees the key."""
    return _json(answer_quiz(identity=who, unit_id=unit_id, body=body))


@widget_endpoint("GET")
def search(request: HttpRequest, who: ident.WidgetIdentity, body: dict[str, Any]) -> HttpResponse:
    from unstuck.guidance import services as guidance_services

    query = request.GET.get("q", "").strip()[:200]
    if not query:
        return _json({"query": "", "results": []})
    hits = guidance_services.search_units(
        workspace=who.workspace,
        query=query,
        person=who.person,
        host_app=who.host_app.slug,
        limit=10,
        channel="widget",
    )
    return _json({"query": query, "results": [_hit(h) for h in hits]})


def _hit(hit: dict[str, Any]) -> dict[str, Any]:
    u = hit["unit"]
    return {
        "unit": {
            "id": str(u.id),
            "slug": u.slug,
            "title": u.title,
            "kind": u.kind,
            "summary": u.summary,
            "duration_s": u.duration_s,
        },
        "snippet": hit.get("snippet", ""),
        "reasons": hit.get("reasons", []),
    }


@widget_endpoint("POST")
def events(request: HttpRequest, who: ident.WidgetIdentity, body: dict[str, Any]) -> HttpResponse:
    return _json(record_widget_events(identity=who, events=body.get("events")))


@widget_endpoint("GET", "PUT")
def checklist(
    request: HttpRequest, who: ident.WidgetIdentity, body: dict[str, Any], unit_id: str
) -> HttpResponse:
    found = services.published_unit(workspace=who.workspace, unit_id=unit_id)
    if request.method == "PUT":
        ticked = services.save_checklist_ticks(
            workspace=who.workspace, person=who.person, unit=found, ticked=body.get("ticked")
        )
    else:
        ticked = services.checklist_ticks(workspace=who.workspace, person=who.person, unit=found)
    return _json({"unit_id": str(found.id), "ticked": ticked})


@widget_endpoint("GET")
def today(request: HttpRequest, who: ident.WidgetIdentity, body: dict[str, Any]) -> HttpResponse:
    from unstuck.adaptive import services as adaptive_services

    return _json(adaptive_services.today(workspace=who.workspace, person=who.person))


@widget_endpoint("POST")
def today_answer(
    request: HttpRequest, who: ident.WidgetIdentity, body: dict[str, Any], card_id: str
) -> HttpResponse:
    from unstuck.adaptive import services as adaptive_services

    choice = body.get("choice_id")
    if not isinstance(choice, str) or not choice:
        raise ApiError("choice_id: name the chosen answer.", field="choice_id")
    try:
        result = adaptive_services.answer_review(
            workspace=who.workspace, person=who.person, card_id=card_id, choice_id=choice
        )
    except NotImplementedError as exc:
        raise ApiError("Reviews are not available yet.", status=503, code="unavailable") from exc
    return _json(result)


@widget_endpoint("POST")
def ask(request: HttpRequest, who: ident.WidgetIdentity, body: dict[str, Any]) -> HttpResponse:
    from unstuck.guidance import services as guidance_services

    question = body.get("question")
    if not isinstance(question, str) or not question.strip():
        raise ApiError("question: ask something.", field="question")
    if len(question) > 1000:
        raise ApiError("question: at most 1000 characters.", field="question")
    return _json(
        guidance_services.answer_question(
            workspace=who.workspace, person=who.person, question=question.strip(), channel="widget"
        )
    )
