from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("insights/<slug:slug>/", views.overview, name="overview"),
    path("insights/<slug:slug>/stuck-points/", views.stuck_points, name="stuck_points"),
    path("insights/<slug:slug>/units/", views.units, name="units"),
    path("insights/<slug:slug>/units/<str:unit_id>/", views.unit_measure, name="unit"),
    path("insights/<slug:slug>/learning-time/", views.learning_time, name="learning_time"),
    path("insights/<slug:slug>/pilots/", views.pilots, name="pilots"),
    path("insights/<slug:slug>/pilots/<str:pilot_id>/", views.pilot, name="pilot"),
    path(
        "insights/<slug:slug>/pilots/<str:pilot_id>/print/", views.pilot_print, name="pilot_print"
    ),
    path("insights/<slug:slug>/tasks/", views.tasks, name="tasks"),
]
