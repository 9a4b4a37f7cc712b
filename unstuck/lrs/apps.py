from django.apps import AppConfig


class LrsConfig(AppConfig):
    name = "unstuck.lrs"
    label = "lrs"
    default_auto_field = "django.db.models.BigAutoField"
