"""The OAuth request validator: django-oauth-toolkit's, narrowed per plugin and per RFC 9700."""

from oauth2_provider.models import AbstractApplication
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import oauth2_settings
from oauthlib.oauth2.rfc6749.errors import InvalidGrantError, InvalidRequestError

from pluginmeta.auth.oauth.backend import PLUGIN_ID_KEY
from pluginmeta.auth.oauth.clients import client_plugin, plugin_scopes
from pluginmeta.auth.oauth.replay import remember_spent_code, revoke_if_replayed

ALLOWED_GRANT_TYPES = frozenset({"authorization_code", "refresh_token"})


def plugin_id_of(request) -> str | None:
    """The id of the plugin whose host received this oauthlib request (set by our backend)."""
    headers = getattr(request, "headers", None) or {}
    return headers.get(PLUGIN_ID_KEY)


class PluginOAuth2Validator(OAuth2Validator):
    """Clients exist only on their own plugin's host; code and refresh grants only; exact URIs."""

    def _load_application(self, client_id, request):
        # No client id holds a NUL, and Postgres refuses one in a query parameter; it reaches
        # here from the authorize query and from HTTP Basic credentials.
        if not client_id or "\x00" in client_id:
            request.client = None
            return None
        client = super()._load_application(client_id, request)
        if client is None:
            return None
        plugin = client_plugin(client)
        # A client registered for another plugin (or for none) does not exist on this host.
        if plugin is None or str(plugin.pk) != plugin_id_of(request):
            request.client = None
            return None
        return client

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
        return set(scopes) <= (set(plugin_scopes(client)) & known)

    def get_default_scopes(self, client_id, request, *args, **kwargs) -> list[str]:
        return plugin_scopes(request.client)

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
