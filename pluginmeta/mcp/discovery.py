"""RFC 9728 protected-resource metadata of an oauth plugin's MCP server.

An MCP client refused with 401 follows WWW-Authenticate's resource_metadata here, and from
here to the plugin's own authorization server (RFC 8414 metadata, registration, PKCE). By
path, the document is /.well-known/oauth-protected-resource/p/<slug>/mcp, and the issuer it
names is <origin>/p/<slug> (pluginmeta/hosts/mount.py).
"""

from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.views import OAuthProtectedResourceMetadataView

from pluginmeta.api.errors import json_error
from pluginmeta.auth.oauth.views import oauth_host_only
from pluginmeta.hosts.mount import plugin_base_url
from pluginmeta.mcp.auth import mcp_resource


class MCPResourceMetadataView(OAuthProtectedResourceMetadataView):
    """django-oauth-toolkit's metadata document, describing this plugin's /mcp."""

    http_method_names = ["get", "options"]

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = json_error(405, "method_not_allowed", "This document is read with GET.")
        response["Allow"] = "GET, OPTIONS"
        return response

    def get(self, request, *args, **kwargs):
        self.plugin = request.plugin
        self.base_url = plugin_base_url(request)
        return super().get(request, *args, **kwargs)

    def get_resource(self, request) -> str:
        # The root document names /mcp too: it is the only resource these tokens are for.
        return mcp_resource(request)

    def get_authorization_servers(self, request) -> list[str]:
        return [self.base_url]

    def get_scopes_supported(self) -> list[str]:
        return self.plugin.oauth_scope.split()

    def get_resource_name(self) -> str:
        return self.plugin.name_for_human

    def get_resource_documentation(self) -> str:
        return f"{self.base_url}/"


# Read-only and cookie-free: exempt from CSRF so another method gets its 405, not a CSRF 403.
resource_metadata = oauth_host_only(csrf_exempt(MCPResourceMetadataView.as_view()))
