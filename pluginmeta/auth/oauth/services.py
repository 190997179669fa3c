"""OAuth clients of plugins: registering one, and finding the plugin and scopes of one."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AbstractApplication, get_application_model

from pluginmeta.models import Plugin, PluginOAuthClient
from pluginmeta.selectors import find_plugin, no_plugin_message

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class RegisteredClient:
    """What the operator pastes into ChatGPT: the secret is shown once and stored hashed.

    client_secret is None when an existing client was kept (its secret cannot be shown again).
    """

    client_id: str
    client_secret: str | None


def client_plugin(application) -> Plugin | None:
    link = (
        PluginOAuthClient.objects.select_related("plugin")
        .filter(application_id=application.pk)
        .first()
    )
    return link.plugin if link else None


def plugin_scopes(application) -> list[str]:
    plugin = client_plugin(application) if application is not None else None
    return plugin.oauth_scope.split() if plugin else []


def oauth_plugin_for_host(hostname: str) -> Plugin:
    """The oauth plugin served on hostname; ValidationError if there is none."""
    plugin = find_plugin(hostname)
    if plugin is None:
        raise ValidationError(no_plugin_message(hostname))
    if plugin.auth_type != Plugin.AuthType.OAUTH:
        raise ValidationError(
            f"{hostname} serves {plugin.slug!r}, whose auth type is {plugin.auth_type}, not oauth."
        )
    return plugin


def check_redirect_uri(uri: str) -> str:
    """An absolute https URI without fragment (http only for a local host); else ValidationError."""
    # ChatGPT's callbacks are plain ASCII; anything else (a control character, an undecodable
    # byte from the shell) could never match what it sends.
    if not uri.isascii() or any(ch.isspace() or not ch.isprintable() for ch in uri):
        raise ValidationError(
            f"{uri!r} must be printable ASCII without whitespace (percent-encode the rest)."
        )
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError as exc:
        raise ValidationError(f"{uri!r} is not a valid URL: {exc}.") from None
    if port == 0:
        raise ValidationError(f"{uri!r} is not a valid URL: port 0.")
    hostname = (parts.hostname or "").lower()
    local = hostname in LOCAL_HOSTS or hostname.endswith(".localhost")
    if parts.scheme not in {"https", "http"} or not hostname:
        raise ValidationError(f"{uri!r} is not an absolute http(s) URL.")
    if "@" in parts.netloc:
        raise ValidationError(f"{uri!r} must not contain a user name or password.")
    if parts.scheme == "http" and not local:
        raise ValidationError(f"{uri!r} must use https (http is only for local hosts).")
    if parts.fragment or "#" in uri:
        raise ValidationError(f"{uri!r} must not contain a fragment.")
    return uri


@transaction.atomic
def register_client(
    plugin: Plugin, redirect_uris: list[str], name: str = "ChatGPT"
) -> RegisteredClient:
    """Creates a confidential authorization-code client of plugin and returns its credentials."""
    if plugin.auth_type != Plugin.AuthType.OAUTH:
        raise ValidationError(f"{plugin.slug} is not an oauth plugin.")
    if not redirect_uris:
        raise ValidationError("Give at least one redirect URI.")
    uris = [check_redirect_uri(uri) for uri in redirect_uris]
    secret = generate_client_secret()
    application = get_application_model()(
        name=f"{name} ({plugin.slug})"[:255],
        client_type=AbstractApplication.CLIENT_CONFIDENTIAL,
        authorization_grant_type=AbstractApplication.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(uris),
        client_secret=secret,
        hash_client_secret=True,
        skip_authorization=False,
    )
    application.full_clean(exclude=["user", "client_secret"])
    application.save()
    PluginOAuthClient.objects.create(plugin=plugin, application=application)
    return RegisteredClient(client_id=application.client_id, client_secret=secret)


def client_with_redirect_uris(plugin: Plugin, redirect_uris: list[str]):
    """The plugin's OAuth client registered with exactly these redirect URIs, if any."""
    wanted = set(redirect_uris)
    for link in plugin.oauth_clients.select_related("application").order_by("pk"):
        if set(link.application.redirect_uris.split()) == wanted:
            return link.application
    return None


@transaction.atomic
def register_operator_client(
    hostname: str, redirect_uris: list[str], name: str, verification_token: str | None
) -> RegisteredClient:
    """A confidential client for the oauth plugin on hostname, with ChatGPT's token if given.

    Repeating a registration only to add ChatGPT's verification token must not make a second
    client: when a client with exactly these redirect URIs exists and a token is given, the
    token is stored and that client kept (client_secret None). ValidationError if refused.
    """
    plugin = oauth_plugin_for_host(hostname)
    registered = client_with_redirect_uris(plugin, redirect_uris)
    if verification_token is not None and registered is not None:
        plugin.set_verification_token(verification_token)
        return RegisteredClient(client_id=registered.client_id, client_secret=None)
    client = register_client(plugin, redirect_uris, name=name)
    if verification_token is not None:
        plugin.set_verification_token(verification_token)
    return client
