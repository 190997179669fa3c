"""Admin for plugins and their hostnames."""

from django.contrib import admin
from django.db import models

from pluginmeta.models import Plugin, PluginHost, PluginOAuthClient


class PluginHostInline(admin.TabularInline):
    """Hostnames that route to the plugin."""

    model = PluginHost
    extra = 1


@admin.register(Plugin)
class PluginAdmin(admin.ModelAdmin):
    """Browse and edit plugins; manifest limits are enforced by the model's validation."""

    list_display = ["name_for_human", "slug", "kind", "auth_type", "hostnames", "is_active"]
    list_filter = ["kind", "auth_type", "is_active"]
    search_fields = ["slug", "name_for_human", "name_for_model", "hosts__hostname"]
    inlines = [PluginHostInline]
    readonly_fields = ["created_at", "updated_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["slug", "kind", "is_active"]}),
        (
            "Manifest",
            {
                "fields": [
                    "name_for_human",
                    "name_for_model",
                    "description_for_human",
                    "description_for_model",
                    "contact_email",
                    "legal_info_url",
                    "logo",
                ]
            },
        ),
        (
            "Authentication",
            {"fields": ["auth_type", "authorization_type", "verification_token", "oauth_scope"]},
        ),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("hosts")

    @admin.display(description="Hosts")
    def hostnames(self, obj: Plugin) -> str:
        return ", ".join(host.hostname for host in obj.hosts.all())


@admin.register(PluginHost)
class PluginHostAdmin(admin.ModelAdmin):
    """Every hostname and the plugin it routes to."""

    list_display = ["hostname", "plugin"]
    list_select_related = ["plugin"]
    search_fields = ["hostname"]


# --- OAuth: which plugin each OAuth client belongs to ---------------------------------------


@admin.register(PluginOAuthClient)
class PluginOAuthClientAdmin(admin.ModelAdmin):
    """OAuth clients and their plugins; the clients themselves are under Django OAuth Toolkit."""

    list_display = ["application", "plugin"]
    list_select_related = ["application", "plugin"]
    autocomplete_fields = ["plugin"]


# --- Service and user keys (issue 3) ----------------------------------------------------------
# Extends the plugin admin with the service key and registers the user key admin.
from pluginmeta import keys_admin  # noqa: E402, F401
