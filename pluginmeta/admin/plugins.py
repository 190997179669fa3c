"""Admin for plugins and their hostnames: one plugin page, showing its auth type's settings."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db import models
from django.http import Http404, HttpRequest
from django.http.request import split_domain_port
from django.urls import path, reverse
from django.utils.html import format_html

from pluginmeta import views
from pluginmeta.admin.keys import (
    ServiceKeyAdminMixin,
    ServiceKeyFormMixin,
    UserKeysAdminMixin,
    rotate_service_keys,
)
from pluginmeta.admin.oauth import PluginOAuthClientInline
from pluginmeta.models import Plugin, PluginHost

AuthType = Plugin.AuthType

# The settings each auth type takes, beside auth_type itself; the plugin page shows only these.
AUTH_SETTINGS: dict[str, list[str]] = {
    AuthType.NONE: [],
    AuthType.SERVICE_HTTP: [
        "authorization_type",
        "verification_token",
        "service_key_prefix",
        "new_service_key",
    ],
    AuthType.USER_HTTP: ["authorization_type", "user_keys_summary"],
    AuthType.OAUTH: ["oauth_scope", "verification_token"],
}
# A new plugin has no auth type yet: its form offers every stored setting.
NEW_PLUGIN_AUTH_SETTINGS = ["authorization_type", "verification_token", "oauth_scope"]
STORED_AUTH_SETTINGS = ("authorization_type", "verification_token", "oauth_scope")
HTTP_AUTH_TYPES = {AuthType.SERVICE_HTTP, AuthType.USER_HTTP}


class PluginForm(forms.ModelForm):
    """The plugin form: descriptions in text areas, and settings that follow the auth type."""

    class Meta:
        model = Plugin
        # The admin adds the fields of its fieldsets (with its own URL field defaults).
        fields: list[str] = []
        widgets = {
            "description_for_human": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "description_for_model": forms.Textarea(attrs={"rows": 8, "cols": 80}),
        }

    def clean(self):
        cleaned = super().clean()
        auth_type = cleaned.get("auth_type")
        if auth_type in AUTH_SETTINGS:
            self._fit_hidden_settings_to(auth_type)
        return cleaned

    def _fit_hidden_settings_to(self, auth_type: str) -> None:
        # The page shows only the current type's settings. When the type changes, the ones it
        # hid would still hold the old type's values (refused by the model) or miss the new
        # type's required value: clear what the new type does not take, default the rest.
        taken = AUTH_SETTINGS[auth_type]
        for name in STORED_AUTH_SETTINGS:
            if name not in self.fields and name not in taken:
                setattr(self.instance, name, "")
        if "authorization_type" not in self.fields and auth_type in HTTP_AUTH_TYPES:
            self.instance.authorization_type = (
                self.instance.authorization_type or Plugin.AuthorizationType.BEARER
            )
        if "oauth_scope" not in self.fields and auth_type == AuthType.OAUTH:
            # The plugin's model name is already a valid scope, and one of its own.
            name = self.cleaned_data.get("name_for_model") or self.instance.name_for_model
            self.instance.oauth_scope = self.instance.oauth_scope or name


class PluginServiceKeyForm(ServiceKeyFormMixin, PluginForm):
    """The form of a service_http plugin: also issues a new service key on save."""


class PluginHostInline(admin.TabularInline):
    """Hostnames that route to the plugin."""

    model = PluginHost
    verbose_name = "hostname"
    verbose_name_plural = "Hostnames"
    extra = 1


def plugin_origin(request: HttpRequest, plugin: Plugin) -> str | None:
    """scheme://host[:port] where plugin answers, seen from the admin's own request."""
    hostnames = [host.hostname for host in plugin.hosts.all()]
    if not hostnames:
        return None
    current, port = split_domain_port(request.get_host())
    hostname = current if current in hostnames else hostnames[0]
    # The plugin hosts share the admin's server, so they answer on its port.
    return f"{request.scheme}://{hostname}{':' + port if port else ''}"


def plugin_links(origin: str) -> list[tuple[str, str]]:
    return [
        ("Landing page", f"{origin}/"),
        ("Manifest", f"{origin}/.well-known/ai-plugin.json"),
        ("OpenAPI spec", f"{origin}/openapi.yaml"),
        ("API docs", f"{origin}/docs"),
    ]


@admin.register(Plugin)
class PluginAdmin(ServiceKeyAdminMixin, UserKeysAdminMixin, admin.ModelAdmin):
    """Browse and edit plugins: each page shows the settings of the plugin's own auth type."""

    list_display = ["name_for_human", "slug", "kind", "auth_type", "hostnames", "is_active"]
    list_filter = ["kind", "auth_type", "is_active"]
    search_fields = ["slug", "name_for_human", "name_for_model", "hosts__hostname"]
    readonly_fields = [
        "created_at",
        "updated_at",
        "logo_preview",
        "service_key_prefix",
        "user_keys_summary",
    ]
    actions = [rotate_service_keys]
    # Django 6 makes https the default scheme of URL form fields; opt in now (and stop the warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            auth_fields = ["auth_type", *NEW_PLUGIN_AUTH_SETTINGS]
            auth_help = "The plugin's page then shows only the settings of its auth type."
        else:
            auth_fields = ["auth_type", *AUTH_SETTINGS.get(obj.auth_type, [])]
            auth_help = (
                "Changing the auth type clears the settings the new type does not take; "
                "after saving, this page shows the new type's settings."
            )
        return [
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
                        "logo_preview",
                    ]
                },
            ),
            ("Authentication", {"fields": auth_fields, "description": auth_help}),
            ("History", {"fields": ["created_at", "updated_at"]}),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        takes_service_key = obj is not None and obj.auth_type == AuthType.SERVICE_HTTP
        kwargs["form"] = PluginServiceKeyForm if takes_service_key else PluginForm
        return super().get_form(request, obj, change, **kwargs)

    def get_inlines(self, request, obj=None):
        if obj is not None and obj.auth_type == AuthType.OAUTH:
            return [PluginHostInline, PluginOAuthClientInline]
        return [PluginHostInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("hosts")

    def get_urls(self):
        logo = path(
            "<path:object_id>/logo/",
            self.admin_site.admin_view(self.logo_view),
            name="pluginmeta_plugin_logo",
        )
        return [logo, *super().get_urls()]

    def logo_view(self, request, object_id):
        plugin = self.get_object(request, unquote(object_id))
        if plugin is None or not self.has_view_permission(request, plugin):
            raise Http404
        # The public logo view serves the plugin of its request.
        request.plugin = plugin
        return views.logo(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        plugin = self.get_object(request, unquote(object_id))
        origin = plugin_origin(request, plugin) if plugin is not None else None
        extra_context = {
            **(extra_context or {}),
            "plugin_links": plugin_links(origin) if origin else [],
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        self.issue_requested_service_key(request, obj, form)

    @admin.display(description="Hosts")
    def hostnames(self, obj: Plugin) -> str:
        return ", ".join(host.hostname for host in obj.hosts.all())

    @admin.display(description="Logo preview")
    def logo_preview(self, obj: Plugin) -> str:
        if obj is None or obj.pk is None:
            return "-"
        url = reverse("admin:pluginmeta_plugin_logo", args=[obj.pk])
        # The save time in the URL makes the browser fetch a newly uploaded logo.
        version = int(obj.updated_at.timestamp()) if obj.updated_at else 0
        return format_html(
            '<img src="{}?v={}" alt="Logo of {}" width="64" height="64" class="plugin-logo">',
            url,
            version,
            obj.name_for_human,
        )


@admin.register(PluginHost)
class PluginHostAdmin(admin.ModelAdmin):
    """Every hostname and the plugin it routes to."""

    list_display = ["hostname", "plugin"]
    list_select_related = ["plugin"]
    search_fields = ["hostname"]
