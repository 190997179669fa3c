"""Which plugin an OAuth client (a django-oauth-toolkit Application) belongs to, and spent codes."""

from django.db import models
from oauth2_provider.settings import oauth2_settings

from pluginmeta.models.plugin import Plugin


class PluginOAuthClient(models.Model):
    """Links an OAuth client to the one plugin it may get codes and tokens for."""

    plugin = models.ForeignKey(Plugin, on_delete=models.CASCADE, related_name="oauth_clients")
    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="plugin_link",
    )
    # Set when the client is first issued a token: self-registered clients that never get
    # that far are removed by remove_unused_oauth_clients.
    first_authorized_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "plugin OAuth client"

    def __str__(self) -> str:
        return f"{self.application} -> {self.plugin.slug}"


class SpentAuthorizationCode(models.Model):
    """A redeemed authorization code, kept a while so a replay can revoke what it issued."""

    code_checksum = models.CharField(max_length=64, unique=True)
    application = models.ForeignKey(
        oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    token_family = models.UUIDField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"spent code {self.code_checksum[:12]}…"
