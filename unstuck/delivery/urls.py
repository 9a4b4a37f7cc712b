from django.urls import path

from . import views, widget_api

app_name = "delivery"

urlpatterns = [
    path("widget.js", views.widget_script, name="widget-js"),
    path("widget/players.js", views.widget_script, {"name": "players.js"}, name="players-js"),
    path("widget/v1/context", widget_api.context, name="widget-context"),
    path("widget/v1/units/<str:unit_id>", widget_api.unit, name="widget-unit"),
    path(
        "widget/v1/units/<str:unit_id>/answers", widget_api.quiz_answer, name="widget-quiz-answer"
    ),
    path("widget/v1/search", widget_api.search, name="widget-search"),
    path("widget/v1/events", widget_api.events, name="widget-events"),
    path("widget/v1/checklists/<str:unit_id>", widget_api.checklist, name="widget-checklist"),
    path("widget/v1/today", widget_api.today, name="widget-today"),
    path("widget/v1/today/<str:card_id>", widget_api.today_answer, name="widget-today-answer"),
    path("widget/v1/ask", widget_api.ask, name="widget-ask"),
]

urlpatterns += [
    path("help/<slug:slug>/", views.help_center, name="help-center"),
    path("help/<slug:slug>/units/<str:unit_id>/", views.help_unit, name="help-unit"),
    # The assistant's citations link here without the trailing slash.
    path("help/<slug:slug>/units/<str:unit_id>", views.help_unit),
    path("help/<slug:slug>/today/<str:card_id>", views.help_today_answer, name="help-today-answer"),
    path("help/<slug:slug>/api/events", views.help_api, {"what": "events"}, name="help-events"),
    path(
        "help/<slug:slug>/api/answers/<str:unit_id>",
        views.help_api,
        {"what": "answers"},
        name="help-quiz-answer",
    ),
    path(
        "help/<slug:slug>/api/checklists/<str:unit_id>",
        views.help_api,
        {"what": "checklists"},
        name="help-checklist",
    ),
]
