from django.contrib import admin

from .models import ChecklistProgress, Placement


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "workspace",
        "host_app",
        "unit",
        "url_pattern",
        "field_key",
        "trigger",
        "presentation",
        "priority",
        "is_active",
    )
    list_filter = ("workspace", "trigger", "presentation", "is_active", "is_release_note")
    search_fields = ("name", "url_pattern", "field_key")
    raw_id_fields = ("unit",)

    def save_model(self, request, obj, form, change):
        # Through the service so validation and cache invalidation are the API's.
        from . import services

        fields = {name: getattr(obj, name) for name in services.PLACEMENT_FIELDS}
        if change:
            services.update_placement(placement=Placement.objects.get(pk=obj.pk), changes=fields)
        else:
            fields.pop("host_app"), fields.pop("unit")
            created = services.create_placement(
                workspace=obj.workspace,
                host_app=obj.host_app,
                unit=obj.unit,
                **{k: v for k, v in fields.items() if k != "url_pattern"},
                url_pattern=obj.url_pattern,
            )
            obj.pk = created.pk

    def delete_model(self, request, obj):
        from . import services

        services.delete_placement(placement=obj)


@admin.register(ChecklistProgress)
class ChecklistProgressAdmin(admin.ModelAdmin):
    list_display = ("person", "unit", "updated_at")
    raw_id_fields = ("person", "unit")
