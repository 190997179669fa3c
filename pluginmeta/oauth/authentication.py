"""DRF authentication for oauth plugins: a bearer access token issued for this very plugin."""

from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions

from pluginmeta.models import PluginOAuthClient


class OAuthAuthentication(OAuth2Authentication):
    """django-oauth-toolkit's token check, refusing tokens of other plugins' clients."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        plugin = request.plugin
        issued_here = PluginOAuthClient.objects.filter(
            application_id=token.application_id, plugin=plugin
        ).exists()
        if not issued_here:
            raise exceptions.AuthenticationFailed(
                "This access token was not issued for this plugin."
            )
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("The user of this access token is inactive.")
        if not token.allow_scopes(plugin.oauth_scope.split()):
            raise exceptions.PermissionDenied("This access token lacks the plugin's scope.")
        return user, token
