"""Authentication on /mcp: the REST API's, plus the MCP authorization spec's rules for OAuth hosts.

On an oauth host a token must have been issued for this very MCP server (RFC 8707: its
resource is <origin>/mcp, or <origin>/p/<slug>/mcp by path), and a refusal points the client
at the protected-resource metadata (RFC 9728), from which an MCP client finds the
authorization server by itself.
"""

from oauth2_provider.www_authenticate import build_bearer_challenge
from rest_framework import exceptions

from pluginmeta.auth.drf import PluginAuthentication
from pluginmeta.hosts.mount import mount_path, plugin_base_url
from pluginmeta.http import request_origin
from pluginmeta.models import Plugin

MCP_PATH = "/mcp"
RESOURCE_METADATA_PATH = "/.well-known/oauth-protected-resource"


def mcp_resource(request) -> str:
    """This plugin's MCP server, on its host or under its path, as an RFC 8707 resource."""
    return f"{plugin_base_url(request)}{MCP_PATH}"


def resource_metadata_url(request) -> str:
    # RFC 9728 section 3.1: the resource's path (/p/<slug>/mcp by path) follows the name.
    return f"{request_origin(request)}{RESOURCE_METADATA_PATH}{mount_path(request)}{MCP_PATH}"


def is_bound_to(token, resource: str) -> bool:
    return any(bound.rstrip("/") == resource for bound in token.resource or [])


class MCPAuthentication(PluginAuthentication):
    """The plugin's own authentication; on oauth hosts, only tokens bound to this MCP server."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None or request.plugin.auth_type != Plugin.AuthType.OAUTH:
            return result
        _user, token = result
        if not is_bound_to(token, mcp_resource(request)):
            description = "This access token was not issued for this MCP server (RFC 8707)."
            request.oauth2_error = {"error": "invalid_token", "error_description": description}
            raise exceptions.AuthenticationFailed(description)
        return result

    def authenticate_header(self, request) -> str | None:
        if request.plugin.auth_type != Plugin.AuthType.OAUTH:
            return super().authenticate_header(request)
        return build_bearer_challenge(
            request,
            oauth2_error=getattr(request, "oauth2_error", None),
            resource_metadata_url=resource_metadata_url(request),
        )
