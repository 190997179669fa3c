"""The MCP endpoint of every plugin host, and its protected-resource metadata on oauth hosts."""

from django.urls import path

from pluginmeta.mcp.discovery import resource_metadata
from pluginmeta.mcp.views import MCPView

urlpatterns = [
    path("mcp", MCPView.as_view(), name="mcp"),
    path(".well-known/oauth-protected-resource/mcp", resource_metadata, name="mcp-resource"),
    path(".well-known/oauth-protected-resource", resource_metadata, name="resource-metadata"),
]
