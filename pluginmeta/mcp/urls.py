"""The MCP endpoint of every plugin host."""

from django.urls import path

from pluginmeta.mcp.views import MCPView

urlpatterns = [
    path("mcp", MCPView.as_view(), name="mcp"),
]
