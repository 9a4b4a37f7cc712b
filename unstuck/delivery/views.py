"""HTML and asset views of delivery: widget.js, players.js, the help center."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_GET

from .assets import asset


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
