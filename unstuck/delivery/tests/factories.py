"""Small builders for delivery tests: a host app, published units, placements, tokens."""

from __future__ import annotations

from typing import Any

from unstuck.accounts.services import create_host_app
from unstuck.content.models import Unit
from unstuck.delivery import services
from unstuck.delivery.identity import sign_token

ORIGIN = "https://crm.example.com"


def host_app(workspace, slug: str = "crm", **kwargs: Any):
    kwargs.setdefault("allowed_origins", [ORIGIN])
    return create_host_app(workspace=workspace, name=slug.upper(), slug=slug, **kwargs)


def unit(
    workspace,
    slug: str = "stage-guide",
    kind: str = "guide",
    status: str = "published",
    **fields: Any,
) -> Unit:
    payload = fields.pop("payload", None)
    if payload is None:
        payload = {
            "guide": {
                "steps": [{"title": "Pick a stage", "body": "Choose", "body_html": "<p>Choose</p>"}]
            },
            "checklist": {"items": [{"text": "One"}, {"text": "Two"}, {"text": "Three"}]},
            "quiz": {
                "questions": [
                    {
                        "prompt": "2+2?",
                        "choices": [
                            {"text": "4", "correct": True},
                            {"text": "5", "feedback": "No"},
                        ],
                    }
                ]
            },
        }.get(kind, {})
    # Rows are written directly: these tests are about delivery, not the content lifecycle.
    return Unit.objects.create(
        workspace=workspace,
        slug=slug,
        kind=kind,
        status=status,
        title=fields.pop("title", slug.replace("-", " ").title()),
        summary=fields.pop("summary", "A short summary"),
        payload=payload,
        duration_s=fields.pop("duration_s", 120),
        **fields,
    )


def placement(workspace, app, the_unit, **fields: Any):
    fields.setdefault("url_pattern", "/opportunities/:id/edit")
    return services.create_placement(workspace=workspace, host_app=app, unit=the_unit, **fields)


def token(app, sub: str = "u-1", **claims: Any) -> str:
    claims.setdefault("name", "Dana Rep")
    claims.setdefault("team", "Sales")
    claims.setdefault("role", "rep")
    claims.setdefault("locale", "en")
    return sign_token(app, sub=sub, **claims)


def widget_headers(app, tok: str | None = None, origin: str = ORIGIN) -> dict[str, str]:
    headers = {"HTTP_X_UNSTUCK_APP": app.embed_key, "HTTP_ORIGIN": origin}
    if tok:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {tok}"
    return headers


def tampered(tok: str) -> str:
    """The token with one character of its signature changed."""
    head, payload, sig = tok.split(".")
    i = len(sig) // 2
    return f"{head}.{payload}.{sig[:i]}{'A' if sig[i] != 'A' else 'B'}{sig[i + 1 :]}"
