"""Acme CRM, the sample host app, at /crm/."""

from django.urls import path

from . import views

app_name = "demo"

urlpatterns = [
    path("crm/", views.home, name="crm"),
    path("crm/who/", views.who, name="who"),
    path("crm/sign-out/", views.sign_out, name="sign-out"),
    path("crm/contacts/", views.contacts, name="contacts"),
    path("crm/opportunities/", views.opportunities, name="opportunities"),
    path("crm/opportunities/new/", views.opportunity_form, name="opportunity-new"),
    path("crm/opportunities/<uuid:opportunity_id>/", views.opportunity_form, name="opportunity"),
    path("crm/calls/", views.calls, name="calls"),
    path("crm/calls/new/", views.log_call, name="log-call"),
    path("crm/forecast/", views.forecast, name="forecast"),
]
