from django.contrib import admin
from django.urls import include, path

from unstuck.accounts import views as account_views
from unstuck.api import api

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("unstuck.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("healthz", account_views.healthz, name="healthz"),
    # Each app owns its pages; the includes below are mounted at fixed prefixes.
    path("", include("unstuck.content.urls")),
    path("", include("unstuck.lrs.urls")),
    path("", include("unstuck.delivery.urls")),
    path("", include("unstuck.insights.urls")),
    path("", include("unstuck.guidance.urls")),
    path("", include("unstuck.adaptive.urls")),
    path("", include("unstuck.demo.urls")),
]
