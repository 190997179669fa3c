"""DRF authentication for oauth plugins: a bearer access token issued for this very plugin."""

from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions

from pluginmeta.auth.oauth.cimd import is_metadata_client
from pluginmeta.models import PluginOAuthClient

# Revoking deletes the token, so an unknown token and a revoked one look the same here.
INVALID_TOKEN = "The access token has expired or been revoked."  # noqa: S105 - a message


class InvalidToken(exceptions.AuthenticationFailed):
    default_code = "invalid_token"


class OAuthAuthentication(OAuth2Authentication):
    """django-oauth-toolkit's token check, refusing tokens of other plugins' clients."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            # django-oauth-toolkit sets oauth2_error only when a token came and was refused.
            if getattr(request, "oauth2_error", None):
                request.oauth2_error = {
                    "error": "invalid_token",
                    "error_description": INVALID_TOKEN,
                }
                raise InvalidToken(INVALID_TOKEN)
            return None
        user, token = result
        plugin = request.plugin
        issued_here = PluginOAuthClient.objects.filter(
            application_id=token.application_id, plugin=plugin
        ).exists() or (
            # A metadata document's client serves every plugin: its token is bound by its
            # resource, which django-oauth-toolkit has already matched against this request.
            is_metadata_client(token.application) and bool(token.resource)
        )
        if not issued_here:
            raise exceptions.AuthenticationFailed(
                "This access token was not issued for this plugin."
            )
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("The user of this access token is inactive.")
        if not token.allow_scopes(plugin.oauth_scope.split()):
            raise exceptions.PermissionDenied("This access token lacks the plugin's scope.")
        return user, token
