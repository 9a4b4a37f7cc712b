from django.conf import settings
from django.http import JsonResponse
from django.urls import path

from . import media, views

app_name = "content"

urlpatterns: list = [
    path("studio/<slug:slug>/", views.unit_list, name="list"),
    path("studio/<slug:slug>/units/new", views.unit_new, name="new"),
    path("studio/<slug:slug>/units/new/", views.unit_new),
    path("studio/<slug:slug>/units/<uuid:unit_id>/", views.unit_detail, name="unit"),
    path("studio/<slug:slug>/units/<uuid:unit_id>/edit/", views.unit_edit, name="edit"),
    path(
        "studio/<slug:slug>/units/<uuid:unit_id>/versions/<int:number>/",
        views.version_detail,
        name="version",
    ),
    path(
        "studio/<slug:slug>/units/<uuid:unit_id>/<slug:action>/", views.unit_action, name="action"
    ),
]


def bare_json(request):
    """The ceiling for benchmarks: a Django JSON view that does no work."""
    return JsonResponse({"ok": True})


if settings.BENCH_VIEWS:
    urlpatterns.append(path("bench/bare", bare_json, name="bench-bare"))

if settings.SERVE_MEDIA:
    # Files for the players, with byte ranges (content/media.py). Off when a proxy serves /media/.
    urlpatterns.append(path("media/<path:path>", media.serve_media, name="media"))
