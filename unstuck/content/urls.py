from django.conf import settings
from django.http import JsonResponse
from django.urls import path

urlpatterns: list = []


def bare_json(request):
    """The ceiling for benchmarks: a Django JSON view that does no work."""
    return JsonResponse({"ok": True})


if settings.BENCH_VIEWS:
    urlpatterns.append(path("bench/bare", bare_json, name="bench-bare"))
