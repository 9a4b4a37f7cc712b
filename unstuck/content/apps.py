from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "unstuck.content"
    label = "content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from unstuck.accounts.views import register_entry_point

        register_entry_point("Studio", "/studio/{slug}/")
