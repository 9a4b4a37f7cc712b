"""The REST API under /api/v1/: one NinjaAPI, one router per app, one error shape."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest
from django.http.request import RawPostDataException
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.utils import check_csrf

from unstuck.accounts.access import AccessDenied, Actor, NotAuthenticated, resolve_actor
from unstuck.errors import ApiError, dotted, error_response


class ActorAuth:
    """Authenticates by API key (`Authorization: Basic|Bearer key:secret`) or session.

    Returns the `Actor` (workspace + permissions), available as `request.auth`.
    Session requests that change something must carry the CSRF token.
    """

    openapi_type = "http"

    def __call__(self, request: HttpRequest) -> Actor | None:
        if request.META.get("HTTP_AUTHORIZATION"):
            return resolve_actor(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            raise NotAuthenticated()
        if request.method not in ("GET", "HEAD", "OPTIONS") and check_csrf(request) is not None:
            raise AccessDenied("CSRF token missing or wrong. Send the X-CSRFToken header.")
        return resolve_actor(request)


api = NinjaAPI(
    title="Unstuck API",
    version="1.0.0",
    description=(
        "The REST API of Unstuck. Authenticate with a workspace API key "
        "(`Authorization: Bearer KEY:SECRET` or HTTP Basic) or a browser session. "
        'Errors are `{"error": {"code", "message", "field"}}`.'
    ),
    auth=ActorAuth(),
    urls_namespace="api",
)


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return error_response(exc.status, exc.code, exc.message, exc.field, exc.details)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = first.get("loc", [])
    field = dotted(loc) or None
    msg = first.get("msg", "Invalid input.")
    message = f"{field}: {msg}" if field else msg
    details = [{"field": dotted(e.get("loc", [])), "message": e.get("msg")} for e in exc.errors]
    return error_response(400, "invalid", message, field, details)


@api.exception_handler(NotAuthenticated)
def _not_authenticated(request, exc: NotAuthenticated):
    return error_response(401, "not_authenticated", exc.message)


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return error_response(401, "not_authenticated", "Authentication required.")


@api.exception_handler(AccessDenied)
def _access_denied(request, exc: AccessDenied):
    code = "not_found" if exc.status == 404 else "forbidden"
    return error_response(exc.status, code, exc.message)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return error_response(exc.status_code, "http_error", str(exc))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(404, "not_found", "Not found.")


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return error_response(413, "too_large", "The request body is too large.")


@api.exception_handler(RawPostDataException)
def _raw(request, exc):
    return error_response(400, "invalid", "The request body could not be read.")


def _mount() -> None:
    from unstuck.accounts.api import router as accounts_router
    from unstuck.adaptive.api import router as adaptive_router
    from unstuck.content.api import router as content_router
    from unstuck.delivery.api import router as delivery_router
    from unstuck.guidance.api import router as guidance_router
    from unstuck.insights.api import router as insights_router
    from unstuck.lrs.api import router as lrs_router

    api.add_router("", accounts_router)
    api.add_router("", content_router)
    api.add_router("", delivery_router)
    api.add_router("", guidance_router)
    api.add_router("", adaptive_router)
    api.add_router("", insights_router)
    api.add_router("", lrs_router)


_mount()
