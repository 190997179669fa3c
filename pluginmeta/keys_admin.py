"""Admin for service keys (on the plugin page) and user keys: a key is shown once, then a prefix."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html

# Imported first so its generic "API keys" registration can be taken back: that model is unused.
from rest_framework_api_key import admin as api_key_admin
from rest_framework_api_key.models import APIKey

from pluginmeta import keys
from pluginmeta.admin import PluginAdmin
from pluginmeta.key_models import UserKey
from pluginmeta.models import Plugin

if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


def announce_key(request, what: str, key: str) -> None:
    # Shown once on the admin's next page. Django's message cookie carries it there; the
    # action below caps how many keys one request makes so that cookie never overflows into
    # the session table.
    messages.warning(
        request,
        format_html(
            "{} is <code>{}</code>. Copy it now: it is not stored and will not be shown again.",
            what,
            key,
        ),
    )


class PluginKeyForm(forms.ModelForm):
    """The plugin form plus a checkbox that issues a new service key on save."""

    new_service_key = forms.BooleanField(
        required=False,
        label="Generate a new service key",
        help_text="service_http only. Replaces the current key; the new one is shown once.",
    )

    def clean(self):
        cleaned = super().clean()
        auth_type = cleaned.get("auth_type")
        if cleaned.get("new_service_key") and auth_type != Plugin.AuthType.SERVICE_HTTP:
            self.add_error("new_service_key", "Only service_http plugins have a service key.")
        return cleaned


MAX_KEYS_PER_ACTION = 5


@admin.action(description="Generate a new service key (replaces the old one)")
def rotate_service_keys(modeladmin, request, queryset) -> None:
    if queryset.count() > MAX_KEYS_PER_ACTION:
        messages.error(request, f"Select at most {MAX_KEYS_PER_ACTION} plugins at a time.")
        return
    for plugin in queryset:
        try:
            key = keys.rotate_service_key(plugin)
        except keys.KeySetupError as exc:
            messages.error(request, str(exc))
        else:
            announce_key(request, f"The new service key of {plugin.slug}", key)


admin.site.unregister(Plugin)


@admin.register(Plugin)
class PluginWithKeysAdmin(PluginAdmin):
    """The plugin admin plus its service key: generate or rotate it, and see only its prefix."""

    form = PluginKeyForm
    actions = [rotate_service_keys]
    # Django 6 makes https the default scheme of URL form fields; opt in now (and stop the warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = [*PluginAdmin.readonly_fields, "service_key_prefix"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):
            fields = list(options["fields"])
            if title == "Authentication":
                fields += ["service_key_prefix", "new_service_key"]
            fieldsets.append((title, {**options, "fields": fields}))
        return fieldsets

    @admin.display(description="Service key")
    def service_key_prefix(self, obj: Plugin) -> str:
        prefix = keys.service_key_prefix(obj) if obj and obj.pk else ""
        return f"{prefix}… (only this prefix is kept)" if prefix else "No key yet"

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("new_service_key"):
            key = keys.rotate_service_key(obj)
            announce_key(request, f"The new service key of {obj.slug}", key)


class UserKeyForm(forms.ModelForm):
    """Refuses keys for inactive users before the key is made."""

    def clean_user(self):
        user = self.cleaned_data["user"]
        if not user.is_active:
            raise forms.ValidationError("This user is inactive.")
        return user


@admin.register(UserKey)
class UserKeyAdmin(api_key_admin.APIKeyModelAdmin):
    """Create a user's key (shown once) and revoke keys; the key itself is never stored."""

    form = UserKeyForm

    list_display = ["prefix", "name", "user", "plugin", "created", "expiry_date", "revoked"]
    list_filter = ["plugin", "revoked", "created"]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user", "plugin"]
    raw_id_fields = ["user"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        # A key stays with the user and plugin it was issued for.
        return (*fields, "user", "plugin") if obj is not None else fields

    def save_model(self, request, obj, form, change) -> None:
        if change:
            obj.save()
            return
        row, key = keys.create_user_key(obj.user, obj.plugin, name=obj.name)
        # The admin redirects to the saved row; point it at the one the service created.
        obj.pk = row.pk
        announce_key(request, f"The new key of {obj.user} on {obj.plugin.slug}", key)

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset) -> None:
        count = keys.revoke_user_keys(queryset)
        messages.success(request, f"Revoked {count} key(s).")
