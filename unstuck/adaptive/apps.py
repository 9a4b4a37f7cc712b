from django.apps import AppConfig


class AdaptiveConfig(AppConfig):
    name = "unstuck.adaptive"
    label = "adaptive"
    default_auto_field = "django.db.models.BigAutoField"
