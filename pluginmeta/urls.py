"""URL patterns every plugin host serves, whatever its API."""

from importlib import import_module

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from pluginmeta import views
from pluginmeta.docs_views import PluginRedocView, PluginSwaggerView

plugin_urlpatterns = [
    path("", views.landing, name="landing"),
    path(".well-known/ai-plugin.json", views.manifest, name="manifest"),
    path("openapi.yaml", views.openapi_yaml, name="openapi-yaml"),
    path("openapi.json", views.openapi_json, name="openapi-json"),
    path("logo.png", views.logo, name="logo"),
    path("docs", PluginSwaggerView.as_view(), name="docs"),
    path("redoc", PluginRedocView.as_view(), name="redoc"),
    path("admin/", admin.site.urls),
    # OAuth authorization server; its views answer 404 on hosts of non-oauth plugins.
    path("", include("pluginmeta.auth.oauth.urls")),
    # MCP server of the plugin, and the OAuth discovery MCP clients need on oauth hosts.
    path("", include("pluginmeta.mcp.urls")),
]

# First, so a benchmark's baseline pays the least URL matching of any route.
for module in reversed(settings.PLUGIN_SERVER["EXTRA_URL_MODULES"]):
    plugin_urlpatterns[:0] = import_module(module).urlpatterns
