from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "unstuck.insights"
    label = "insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from unstuck.accounts.views import register_entry_point

        register_entry_point("Insights", "/insights/{slug}/")
