"""Admin for OAuth clients: django-oauth-toolkit's applications, with the plugin each belongs to."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from oauth2_provider import admin as oauth_admin
from oauth2_provider.models import get_application_model

from pluginmeta.auth.oauth.services import check_redirect_uri
from pluginmeta.models import Plugin, PluginOAuthClient


def redirect_uri_list(application) -> str:
    return format_html_join(
        "", "<div>{}</div>", ((uri,) for uri in application.redirect_uris.split())
    )


class OAuthClientLinkColumns:
    """Columns of a plugin's OAuth clients that tell apart clients registered under one name."""

    @admin.display(description="Name", ordering="application__name")
    def client(self, link: PluginOAuthClient) -> str:
        url = reverse("admin:oauth2_provider_application_change", args=[link.application_id])
        return format_html('<a href="{}">{}</a>', url, link.application.name)

    @admin.display(description="Client id", ordering="application__client_id")
    def client_id(self, link: PluginOAuthClient) -> str:
        return link.application.client_id

    @admin.display(description="Redirect URIs")
    def redirect_uris(self, link: PluginOAuthClient) -> str:
        return redirect_uri_list(link.application)

    @admin.display(description="Created", ordering="application__created")
    def created(self, link: PluginOAuthClient):
        return link.application.created


class OAuthPluginChoices:
    """Offers only oauth plugins where an OAuth client is tied to a plugin."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "plugin":
            kwargs["queryset"] = Plugin.objects.filter(auth_type=Plugin.AuthType.OAUTH)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PluginOAuthClientInline(OAuthClientLinkColumns, admin.TabularInline):
    """The plugin's OAuth clients; registered with register_chatgpt_client or under Applications."""

    model = PluginOAuthClient
    verbose_name = "OAuth client"
    verbose_name_plural = "OAuth clients"
    fields = ["client", "client_id", "redirect_uris", "created"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        # A client's secret is shown once when it is made, which a plugin form cannot do.
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application")


class PluginLinkInline(OAuthPluginChoices, admin.StackedInline):
    """The plugin an OAuth client may get codes and tokens for."""

    model = PluginOAuthClient
    fields = ["plugin"]
    verbose_name = "plugin"
    verbose_name_plural = "plugin"
    max_num = 1
    min_num = 1
    can_delete = False


Application = get_application_model()
if admin.site.is_registered(Application):
    admin.site.unregister(Application)


class OAuthClientForm(forms.ModelForm):
    """An OAuth client's form: every redirect URI passes the same check as the commands'."""

    class Meta:
        model = Application
        # The admin adds the other fields of its fieldsets.
        fields = ["redirect_uris"]

    def clean_redirect_uris(self) -> str:
        uris = self.cleaned_data["redirect_uris"]
        try:
            for uri in uris.split():
                check_redirect_uri(uri)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None
        return uris


@admin.register(Application)
class OAuthClientAdmin(oauth_admin.ApplicationAdmin):
    """OAuth clients with their client id, redirect URIs, plugin and creation date."""

    form = OAuthClientForm

    list_display = [
        "name",
        "client_id",
        "redirect_uri_column",
        "plugin",
        "created",
    ]
    list_filter = ["plugin_link__plugin", "client_type", "authorization_grant_type"]
    search_fields = ["name", "client_id", "redirect_uris", "plugin_link__plugin__slug"]
    list_select_related = ["plugin_link__plugin"]
    ordering = ["-created"]
    inlines = [PluginLinkInline]

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        # ChatGPT holds the client id: changing it would break the installed plugin.
        return (*fields, "client_id") if obj is not None else fields

    @admin.display(description="Redirect URIs")
    def redirect_uri_column(self, application) -> str:
        return redirect_uri_list(application)

    @admin.display(description="Plugin", ordering="plugin_link__plugin__slug")
    def plugin(self, application) -> str:
        link = getattr(application, "plugin_link", None)
        if link is None:
            return "-"
        url = reverse("admin:pluginmeta_plugin_change", args=[link.plugin_id])
        return format_html('<a href="{}">{}</a>', url, link.plugin.slug)


@admin.register(PluginOAuthClient)
class PluginOAuthClientAdmin(OAuthPluginChoices, OAuthClientLinkColumns, admin.ModelAdmin):
    """Which plugin each OAuth client belongs to; the clients themselves are under Applications."""

    list_display = ["client", "client_id", "redirect_uris", "plugin", "created"]
    # The name links to the client itself; the client id opens this link.
    list_display_links = ["client_id"]
    list_filter = ["plugin"]
    list_select_related = ["application", "plugin"]
    search_fields = ["application__name", "application__client_id", "plugin__slug"]
    ordering = ["-application__created"]
