"""The Plugin model (one row per hosted plugin) and the hostnames that route to it."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    FileExtensionValidator,
    MaxLengthValidator,
    RegexValidator,
)
from django.db import models

NAME_FOR_MODEL_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9_]{1,50}\Z", "Use 1 to 50 letters, digits or underscores."
)
# A bare hostname: lower-case labels, no port, no scheme; "[::1]" style IPv6 literals allowed.
HOSTNAME_VALIDATOR = RegexValidator(
    r"^(?:\[[0-9a-f:.]+\]|(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*)\Z",
    "Enter a lower-case hostname without scheme or port, e.g. todo.example.com.",
)

# RFC 6749 section 3.3: a scope is printable ASCII other than space, '"' and '\\'.
SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, kind) for kind in settings.PLUGIN_SERVER["KINDS"]]


class Plugin(models.Model):
    """A hosted plugin: its manifest fields, the API it serves and how callers authenticate."""

    class AuthType(models.TextChoices):
        NONE = "none", "No auth"
        SERVICE_HTTP = "service_http", "Service-level key (service_http)"
        USER_HTTP = "user_http", "Per-user keys (user_http)"
        OAUTH = "oauth", "OAuth (authorization code)"

    class AuthorizationType(models.TextChoices):
        BEARER = "bearer", "Bearer"

    slug = models.SlugField(unique=True, help_text="Stable identifier used by commands.")
    kind = models.CharField(
        max_length=50, choices=kind_choices, help_text="Which API this plugin serves."
    )
    is_active = models.BooleanField(default=True, help_text="Inactive plugins answer 404.")

    name_for_human = models.CharField(max_length=20)
    name_for_model = models.CharField(max_length=50, validators=[NAME_FOR_MODEL_VALIDATOR])
    description_for_human = models.CharField(max_length=100)
    description_for_model = models.TextField(validators=[MaxLengthValidator(8000)])
    contact_email = models.EmailField()
    legal_info_url = models.URLField(max_length=500)
    logo = models.ImageField(
        upload_to="plugin-logos/",
        blank=True,
        validators=[FileExtensionValidator(["png"])],
        help_text="PNG shown at /logo.png; empty uses the shipped default.",
    )

    auth_type = models.CharField(max_length=20, choices=AuthType.choices, default=AuthType.NONE)
    authorization_type = models.CharField(
        max_length=20,
        choices=AuthorizationType.choices,
        blank=True,
        help_text="Required for service_http and user_http.",
    )
    verification_token = models.CharField(
        max_length=200,
        blank=True,
        help_text="The token ChatGPT gives you after you enter a key or OAuth client "
        "(manifest auth.verification_tokens.openai).",
    )
    oauth_scope = models.CharField(
        max_length=200,
        blank=True,
        help_text="OAuth only, and required there: the scopes (separated by spaces) that every "
        "token for this plugin carries.",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return f"{self.name_for_human} ({self.slug})"

    def save(self, *args, **kwargs) -> None:
        # Commands and services save rows too: validate there as the admin does.
        self.full_clean()
        super().save(*args, **kwargs)

    def set_verification_token(self, token: str) -> None:
        """Stores the token ChatGPT gave for this plugin; its manifest shows it at once."""
        self.verification_token = token.strip()
        # save() validates (only service_http and oauth take one) and drops the host map.
        self.save()

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind and self.kind not in settings.PLUGIN_SERVER["KINDS"]:
            errors["kind"] = f"Unknown kind {self.kind!r}."
        http_types = {self.AuthType.SERVICE_HTTP, self.AuthType.USER_HTTP}
        if self.auth_type in http_types and not self.authorization_type:
            errors["authorization_type"] = f"Required when auth type is {self.auth_type}."
        if self.auth_type not in http_types and self.authorization_type:
            errors["authorization_type"] = "Only service_http and user_http take this."
        if self.auth_type != self.AuthType.OAUTH and self.oauth_scope:
            errors["oauth_scope"] = "Only oauth plugins take a scope."
        if self.auth_type == self.AuthType.OAUTH:
            # Without a scope the consent page has nothing to grant and never completes.
            scopes = self.oauth_scope.split()
            if not scopes:
                errors["oauth_scope"] = "Required when auth type is oauth."
            elif not all(SCOPE_TOKEN.fullmatch(scope) for scope in scopes):
                errors["oauth_scope"] = (
                    "Scopes are separated by spaces and use printable ASCII without quotes "
                    "or backslashes."
                )
        takes_token = {self.AuthType.SERVICE_HTTP, self.AuthType.OAUTH}
        if self.auth_type not in takes_token and self.verification_token:
            errors["verification_token"] = "Only service_http and oauth plugins take one."  # noqa: S105
        if errors:
            raise ValidationError(errors)


class PluginHost(models.Model):
    """A hostname that routes to a plugin (a plugin may answer on several)."""

    plugin = models.ForeignKey(Plugin, on_delete=models.CASCADE, related_name="hosts")
    hostname = models.CharField(max_length=253, unique=True, validators=[HOSTNAME_VALIDATOR])

    class Meta:
        ordering = ["hostname"]

    def __str__(self) -> str:
        return self.hostname

    def save(self, *args, **kwargs) -> None:
        self.full_clean()
        super().save(*args, **kwargs)
