from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "unstuck.delivery"
    label = "delivery"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from unstuck.accounts.views import register_entry_point

        register_entry_point("Help center", "/help/{slug}/")
