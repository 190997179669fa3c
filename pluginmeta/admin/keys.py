"""Admin for service keys (on the plugin page) and user keys: a key is shown once, then a prefix."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

# Imported first so its generic "API keys" registration can be taken back: that model is unused.
from rest_framework_api_key import admin as api_key_admin
from rest_framework_api_key.models import APIKey

from pluginmeta.auth import services as keys
from pluginmeta.models import Plugin
from pluginmeta.models.keys import UserKey

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


class ServiceKeyFormMixin(forms.ModelForm):
    """A checkbox on the plugin form that issues a new service key when the plugin is saved."""

    new_service_key = forms.BooleanField(
        required=False,
        label="Generate a new service key",
        help_text="Replaces the current key; the new one is shown once.",
    )

    def clean(self):
        cleaned = super().clean()
        # The auth type can be changed on the same form that ticks the box.
        if cleaned.get("new_service_key") and cleaned.get("auth_type") != (
            Plugin.AuthType.SERVICE_HTTP
        ):
            self.add_error("new_service_key", "Only service_http plugins have a service key.")
        return cleaned


class ServiceKeyAdminMixin:
    """The plugin admin's part for service keys: the stored prefix and issuing a new key."""

    @admin.display(description="Service key")
    def service_key_prefix(self, obj: Plugin) -> str:
        prefix = keys.service_key_prefix(obj) if obj and obj.pk else ""
        return f"{prefix}… (only this prefix is kept)" if prefix else "No key yet"

    def issue_requested_service_key(self, request, obj: Plugin, form) -> None:
        if form.cleaned_data.get("new_service_key"):
            key = keys.rotate_service_key(obj)
            announce_key(request, f"The new service key of {obj.slug}", key)


class UserKeysAdminMixin:
    """The plugin admin's part for user keys: how many there are, with links to list and add."""

    @admin.display(description="User keys")
    def user_keys_summary(self, obj: Plugin) -> str:
        if not obj or not obj.pk:
            return "-"
        active = obj.user_keys.filter(revoked=False).count()
        listing = reverse("admin:pluginmeta_userkey_changelist") + f"?plugin__id__exact={obj.pk}"
        add = reverse("admin:pluginmeta_userkey_add") + f"?plugin={obj.pk}"
        return format_html(
            '{} active <a href="{}">keys</a> · <a href="{}">Add a user key</a>',
            active,
            listing,
            add,
        )


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
    # Pick the user by name (searching the user admin), not by a numeric id.
    autocomplete_fields = ["user"]
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
