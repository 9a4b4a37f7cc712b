from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "unstuck.demo"
    label = "demo"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from unstuck.accounts.views import register_entry_point

        register_entry_point("Sample CRM", "/crm/")
