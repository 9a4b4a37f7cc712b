"""The one error shape of every JSON response: {"error": {"code", "message", "field"}}."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse


class ApiError(Exception):
    """Raise from services or handlers; rendered with its status and the error shape.

    `field` names the offending input as a dotted path (`payload.steps.0.text`).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        code: str = "invalid",
        field: str | None = None,
        details: Any = None,
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.field = field
        self.details = details


class NotFound(ApiError):
    def __init__(self, message: str = "Not found.", *, field: str | None = None):
        super().__init__(message, status=404, code="not_found", field=field)


class Conflict(ApiError):
    def __init__(self, message: str, *, field: str | None = None, code: str = "conflict"):
        super().__init__(message, status=409, code=code, field=field)


def error_body(code: str, message: str, field: str | None = None, details: Any = None) -> dict:
    body: dict[str, Any] = {"code": code, "message": message, "field": field}
    if details is not None:
        body["details"] = details
    return {"error": body}


def error_response(
    status: int, code: str, message: str, field: str | None = None, details: Any = None
):
    return JsonResponse(error_body(code, message, field, details), status=status)


def dotted(loc: list | tuple) -> str:
    """Turn a pydantic/Ninja location into a dotted path without the request part."""
    parts = list(loc)
    if parts and parts[0] in {"body", "query", "path", "form", "header", "cookie", "file"}:
        parts = parts[1:]
        # Ninja names the whole body after the parameter (`payload`, `data`): drop it.
        if len(parts) > 1 and parts[0] in {"payload_in", "data", "body"}:
            parts = parts[1:]
    return ".".join(str(p) for p in parts)
