"""Admin for todos: browse, search and filter by plugin and owner."""

from django.contrib import admin

from todos.models import Todo


@admin.register(Todo)
class TodoAdmin(admin.ModelAdmin):
    """Every todo of every plugin, filterable by plugin and searchable by owner and text."""

    list_display = ["text", "owner", "plugin", "created_at"]
    list_filter = ["plugin", "created_at"]
    search_fields = ["owner", "text"]
    list_select_related = ["plugin"]
    date_hierarchy = "created_at"
    list_per_page = 50
