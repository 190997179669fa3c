"""DRF authentication for service_http plugins: the plugin's one service key as a bearer token."""

from django.contrib.auth.models import AnonymousUser

from pluginmeta.keys import check_service_key
from pluginmeta.keys_auth import BearerKeyAuthentication


class ServiceKeyAuthentication(BearerKeyAuthentication):
    """Accepts only "Authorization: Bearer <service key>" with the key of this request's plugin."""

    def check(self, plugin, token: str):
        key = check_service_key(plugin, token)
        # The caller is ChatGPT acting for the plugin, not a user of ours.
        return AnonymousUser(), key
