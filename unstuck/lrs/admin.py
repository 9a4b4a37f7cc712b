"""Read-only admin views of the record: statements are changed only through the xAPI
rules (voiding) or erased through `erase_person`, never edited by hand."""

from django.contrib import admin

from .models import Activity, Document, Statement


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = (
        "statement_id",
        "workspace",
        "stored",
        "verb_id",
        "object_id",
        "actor_key",
        "voided",
    )
    list_filter = ("voided", "object_type")
    search_fields = ("=statement_id", "=actor_key", "=object_id")
    show_full_result_count = False


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ("activity_id", "workspace", "updated")
    search_fields = ("=activity_id",)


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("kind", "doc_id", "activity_id", "agent_key", "workspace", "updated")
    list_filter = ("kind",)
    exclude = ("content",)
