"""django-oauth-toolkit's request adapter, told the plugin and the already-parsed token body."""

from oauth2_provider.oauth2_backends import OAuthLibCore

from pluginmeta.http import client_address, request_origin

# The key under which the request's plugin id reaches the validator. Client headers arrive in
# META as HTTP_* names, so no client can set a key of this shape.
PLUGIN_ID_KEY = "pluginmeta.plugin_id"
# The key under which the client's address (as the API throttle reads it) reaches the validator.
CLIENT_ADDRESS_KEY = "pluginmeta.client_address"
# ... and this host's origin (scheme://host[:port]), which tokens may name as their resource.
ORIGIN_KEY = "pluginmeta.origin"
# The request attribute where the token view leaves the parameters it parsed.
TOKEN_PARAMS_ATTR = "oauth_token_params"  # noqa: S105 - an attribute name


class PluginOAuthLibCore(OAuthLibCore):
    """Passes the plugin to the validator and the token view's parsed parameters to oauthlib."""

    def extract_headers(self, request) -> dict:
        headers = super().extract_headers(request)
        headers.pop(PLUGIN_ID_KEY, None)
        headers[CLIENT_ADDRESS_KEY] = client_address(request)
        headers[ORIGIN_KEY] = request_origin(request)
        plugin = getattr(request, "plugin", None)
        if plugin is not None:
            headers[PLUGIN_ID_KEY] = str(plugin.pk)
        return headers

    def extract_body(self, request) -> list[tuple[str, str]]:
        params = getattr(request, TOKEN_PARAMS_ATTR, None)
        if params is not None:
            return params
        return super().extract_body(request)
