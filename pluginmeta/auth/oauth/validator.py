"""The OAuth request validator: django-oauth-toolkit's, narrowed per plugin and per RFC 9700."""

import base64
import binascii
from urllib.parse import unquote_plus

from django.utils import timezone
from oauth2_provider.models import AbstractApplication
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import oauth2_settings
from oauthlib.oauth2.rfc6749.errors import (
    CustomOAuth2Error,
    InvalidGrantError,
    InvalidRequestError,
    OAuth2Error,
)

from pluginmeta.auth.oauth import cimd
from pluginmeta.auth.oauth.backend import CLIENT_ADDRESS_KEY, ORIGIN_KEY, PLUGIN_ID_KEY
from pluginmeta.auth.oauth.limits import secret_matches, take_client_authentication
from pluginmeta.auth.oauth.replay import remember_spent_code, revoke_if_replayed
from pluginmeta.auth.oauth.services import client_plugin, plugin_scopes
from pluginmeta.hosts.mount import covers_mounts, serves_resource
from pluginmeta.models import Plugin, PluginOAuthClient

ALLOWED_GRANT_TYPES = frozenset({"authorization_code", "refresh_token"})


def plugin_id_of(request) -> str | None:
    """The id of the plugin whose host received this oauthlib request (set by our backend)."""
    headers = getattr(request, "headers", None) or {}
    return headers.get(PLUGIN_ID_KEY)


def address_of(request) -> str:
    headers = getattr(request, "headers", None) or {}
    return headers.get(CLIENT_ADDRESS_KEY) or ""


def host_origin_of(request) -> str:
    headers = getattr(request, "headers", None) or {}
    return headers.get(ORIGIN_KEY) or ""


def client_scopes(client, request) -> list[str]:
    """The scopes client may ask for here: its plugin's, or (a client of a metadata document,
    which serves every plugin) those of the plugin whose host received the request."""
    if not cimd.is_metadata_client(client):
        return plugin_scopes(client)
    plugin = Plugin.objects.filter(pk=plugin_id_of(request)).first()
    return plugin.oauth_scope.split() if plugin else []


def require_resource_of_metadata_client(request) -> None:
    # A metadata document's client is not tied to one plugin, so its tokens are, by their
    # RFC 8707 resource (django-oauth-toolkit checks every call against it): without one, a
    # token would be good on every plugin.
    if cimd.is_metadata_client(request.client) and not request.resource:
        raise CustomOAuth2Error(
            error="invalid_target",
            description=(
                "A client identified by a metadata document must name the resource it wants "
                "a token for (RFC 8707 resource parameter)."
            ),
            request=request,
        )


class ClientAuthenticationLimited(OAuth2Error):
    """Too many failed client authentications: 429 with Retry-After, before any hashing."""

    error = "temporarily_unavailable"
    status_code = 429

    def __init__(self, retry_after: int, request) -> None:
        super().__init__(
            description=(
                "Too many failed client authentications for this client or from this address; "
                f"try again in {retry_after} seconds."
            ),
            request=request,
        )
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def basic_credentials(auth_string: str, encoding: str) -> tuple[str, str] | None:
    """client_id and client_secret from HTTP Basic's base64 (RFC 6749 section 2.3.1)."""
    try:
        decoded = base64.b64decode(auth_string).decode(encoding)
    except (binascii.Error, ValueError):
        return None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        return None
    return unquote_plus(client_id), unquote_plus(secret)


class PluginOAuth2Validator(OAuth2Validator):
    """Clients exist only on their own plugin's host; code and refresh grants only; exact URIs."""

    def _load_application(self, client_id, request):
        # No client id holds a NUL, and Postgres refuses one in a query parameter; it reaches
        # here from the authorize query and from HTTP Basic credentials.
        if not client_id or "\x00" in client_id:
            request.client = None
            return None
        if cimd.is_metadata_url(client_id):
            # A client ID metadata document: fetched (or taken from the cache) and checked; a
            # refusal names its reason (MetadataDocumentRefused). None: a client registered
            # otherwise holds this id, and is loaded as any other.
            client = request.client
            if not (cimd.is_metadata_client(client) and client.client_id == client_id):
                client = cimd.metadata_client(client_id, plugin_id_of(request), request)
            if client is not None:
                request.client = client
                return client
        client = super()._load_application(client_id, request)
        if client is None:
            return None
        plugin = client_plugin(client)
        # A client registered for another plugin (or for none) does not exist on this host.
        if plugin is None or str(plugin.pk) != plugin_id_of(request):
            request.client = None
            return None
        return client

    def presented_credentials(self, request) -> tuple[str, str] | None:
        """The client id and secret the request authenticates with: HTTP Basic if it sends the
        header (RFC 6749 section 2.3 allows one method per request), else the body's."""
        auth_string = self._extract_basic_auth(request)
        if auth_string:
            return basic_credentials(auth_string, getattr(request, "encoding", None) or "utf-8")
        client_id = getattr(request, "client_id", None)
        if not client_id:
            return None
        return client_id, getattr(request, "client_secret", None) or ""

    def authenticate_client(self, request, *args, **kwargs) -> bool:
        # django-oauth-toolkit's version hashes only for known client ids (so timing tells
        # them apart) and as often as it likes; this one is budgeted and hashes exactly once.
        presented = self.presented_credentials(request)
        client_id, secret = presented or ("", "")
        budget = take_client_authentication(client_id, address_of(request))
        if budget.retry_after is not None:
            raise ClientAuthenticationLimited(budget.retry_after, request)
        client = self._load_application(client_id, request) if presented else None
        stored = client.client_secret if client is not None else ""
        authenticated = secret_matches(secret, stored) and client is not None
        budget.settle(authenticated)
        if not authenticated:
            request.client = None
        return authenticated

    def get_default_redirect_uri(self, client_id, request, *args, **kwargs) -> None:
        # redirect_uri is required in every authorization request, so (RFC 6749 section 4.1.3)
        # in every token request too: without it oauthlib answers invalid_request.
        return None

    def _check_and_set_request_resource(self, request) -> None:
        super()._check_and_set_request_resource(request)
        require_resource_of_metadata_client(request)
        # RFC 8707: a token is only issued for resources of this plugin, on this host and, when
        # reached by path, under its mount path (SCRIPT_NAME, pluginmeta/hosts/mount.py).
        headers = getattr(request, "headers", None) or {}
        here = host_origin_of(request) + (headers.get("SCRIPT_NAME") or "").rstrip("/")
        for resource in request.resource:
            if not serves_resource(here, resource):
                raise CustomOAuth2Error(
                    error="invalid_target",
                    description=f"The resource {resource!r} is not served by this plugin.",
                    request=request,
                )
            if cimd.is_metadata_client(request.client) and covers_mounts(here, resource):
                raise CustomOAuth2Error(
                    error="invalid_target",
                    description=f"Name this plugin's resource, such as {here}/mcp.",
                    request=request,
                )

    def save_bearer_token(self, token, request, *args, **kwargs):
        result = super().save_bearer_token(token, request, *args, **kwargs)
        PluginOAuthClient.objects.filter(
            application=request.client, first_authorized_at__isnull=True
        ).update(first_authorized_at=timezone.now())
        return result

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs) -> bool:
        # Exact string match (RFC 9700 section 4.1.3): no extra query, fragment, port or scheme.
        return redirect_uri in request.client.redirect_uris.split()

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs) -> bool:
        if grant_type not in ALLOWED_GRANT_TYPES:
            return False
        return super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs)

    def validate_response_type(
        self, client_id, response_type, client, request, *args, **kwargs
    ) -> bool:
        if response_type != "code":
            return False
        require_resource_of_metadata_client(request)
        # oauthlib would accept "plain" (and assumes it when the method is missing).
        if request.code_challenge is not None and request.code_challenge_method != "S256":
            raise InvalidRequestError(
                description="PKCE requires code_challenge_method=S256.", request=request
            )
        return client.allows_grant_type(AbstractApplication.GRANT_AUTHORIZATION_CODE)

    def is_pkce_required(self, client_id, request) -> bool:
        # Public clients cannot keep a secret, so S256 PKCE is what binds their code. ChatGPT is a
        # confidential client and sends no PKCE: there the client secret binds the code.
        client = request.client or self._load_application(client_id, request)
        return client is None or client.client_type != AbstractApplication.CLIENT_CONFIDENTIAL

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs) -> bool:
        known = set(oauth2_settings.SCOPES)
        return set(scopes) <= (set(client_scopes(client, request)) & known)

    def get_default_scopes(self, client_id, request, *args, **kwargs) -> list[str]:
        return client_scopes(request.client, request)

    def get_code_challenge(self, code, request) -> str | None:
        challenge = super().get_code_challenge(code, request)
        # RFC 9700 section 4.8.2: a code_verifier for a code issued without a code_challenge
        # means someone stripped the challenge from the authorization request (a downgrade).
        if challenge is None and request.code_verifier is not None:
            raise InvalidGrantError(
                description="This code was issued without PKCE; do not send a code_verifier.",
                request=request,
            )
        return challenge

    def validate_code(self, client_id, code, client, request, *args, **kwargs) -> bool:
        if super().validate_code(client_id, code, client, request, *args, **kwargs):
            return True
        # A spent code coming back means it leaked: kill what it issued (RFC 6749 4.1.2).
        revoke_if_replayed(code, client)
        return False

    def _create_refresh_token(self, request, refresh_token_code, access_token, previous):
        refresh_token = super()._create_refresh_token(
            request, refresh_token_code, access_token, previous
        )
        if request.grant_type == "authorization_code" and request.code:
            remember_spent_code(request.code, request.client, refresh_token.token_family)
        return refresh_token
