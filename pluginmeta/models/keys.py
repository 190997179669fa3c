"""Stored credentials of the key auth types: one service key per plugin, user keys per user."""

from django.conf import settings
from django.db import models
from rest_framework_api_key.models import AbstractAPIKey

from pluginmeta.models.plugin import Plugin


class ServiceKey(AbstractAPIKey):
    """The bearer key ChatGPT sends to a service_http plugin; only its prefix and hash are kept."""

    # One row per plugin: a new key replaces the row, so the old key stops working at once.
    plugin = models.OneToOneField(
        Plugin,
        on_delete=models.CASCADE,
        related_name="service_key",
        limit_choices_to={"auth_type": Plugin.AuthType.SERVICE_HTTP},
    )

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "service key"
        verbose_name_plural = "service keys"


class UserKey(AbstractAPIKey):
    """A user's bearer key for one user_http plugin; only its prefix and hash are kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plugin_keys"
    )
    # Keys are scoped to a plugin so that a key never works on another host.
    plugin = models.ForeignKey(
        Plugin,
        on_delete=models.CASCADE,
        related_name="user_keys",
        limit_choices_to={"auth_type": Plugin.AuthType.USER_HTTP},
    )

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "user key"
        verbose_name_plural = "user keys"
