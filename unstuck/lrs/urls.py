"""The xAPI endpoint. Clients append resource names to the endpoint they were given, with
or without a trailing slash, so both spellings are accepted."""

from django.urls import re_path

from . import views

urlpatterns = [
    re_path(r"^xapi/?$", views.endpoint, name="xapi-endpoint"),
    re_path(r"^xapi/about/?$", views.about, name="xapi-about"),
    re_path(r"^xapi/statements/?$", views.statements, name="xapi-statements"),
    re_path(r"^xapi/activities/state/?$", views.activity_state, name="xapi-state"),
    re_path(r"^xapi/activities/profile/?$", views.activity_profile, name="xapi-activity-profile"),
    re_path(r"^xapi/activities/?$", views.activities, name="xapi-activities"),
    re_path(r"^xapi/agents/profile/?$", views.agent_profile, name="xapi-agent-profile"),
    re_path(r"^xapi/agents/?$", views.agents, name="xapi-agents"),
    re_path(r"^xapi/(?P<rest>.*)$", views.not_found, name="xapi-not-found"),
]
