from django.contrib import admin

from .models import Collection, CollectionItem, Skill, Unit, UnitVersion


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "workspace", "parent")
    list_filter = ("workspace",)
    search_fields = ("name", "slug")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "slug",
        "kind",
        "status",
        "version",
        "duration_s",
        "workspace",
        "review_due_at",
    )
    list_filter = ("workspace", "kind", "status", "locale")
    search_fields = ("title", "slug", "summary")
    readonly_fields = (
        "body_html",
        "duration_s",
        "version",
        "published_at",
        "review_due_at",
        "draft",
    )
    filter_horizontal = ("skills",)


@admin.register(UnitVersion)
class UnitVersionAdmin(admin.ModelAdmin):
    list_display = ("unit", "number", "published_at", "published_by")
    list_filter = ("workspace",)
    readonly_fields = ("workspace", "unit", "number", "snapshot", "published_by", "published_at")

    def has_change_permission(self, request, obj=None):
        # Published versions are immutable.
        return False


class CollectionItemInline(admin.TabularInline):
    model = CollectionItem
    extra = 0
    raw_id_fields = ("unit",)


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "workspace")
    list_filter = ("workspace",)
    inlines = [CollectionItemInline]
