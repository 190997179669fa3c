"""DRF authentication for user_http plugins: a user's own key for this plugin as a bearer token."""

from pluginmeta.keys import check_user_key
from pluginmeta.keys_auth import BearerKeyAuthentication


class UserKeyAuthentication(BearerKeyAuthentication):
    """Accepts "Authorization: Bearer <user key>" for a key issued on this request's plugin."""

    def check(self, plugin, token: str):
        key = check_user_key(plugin, token)
        return key.user, key
