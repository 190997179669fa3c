"""Interactive API docs on every plugin host: Swagger UI and ReDoc for that host's own spec.

The pages load their scripts and styles from this server (drf-spectacular-sidecar's static
files), never from a CDN, so they work offline and leak no visitor to a third party. Their
Content-Security-Policy holds the browser to that, which also stops the image ReDoc's
sidebar would fetch from its vendor's CDN.
"""

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from pluginmeta.api.errors import method_not_allowed, options_answer

# Swagger UI's initialisation script is inline, both draw inline styles and data: images,
# and ReDoc runs a worker from a blob: URL.
DOCS_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
)


class PluginDocsPage:
    """A page for people: open on every host whatever the plugin's auth type (the spec it
    reads is public too), not counted against the API's rate limit, and held to this
    server by its Content-Security-Policy."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    url_name = "openapi-json"
    title_suffix = ""

    # The pages render with an HTML template renderer, which has no template for DRF's
    # OPTIONS metadata or its 405: both are answered as on every other page.
    def options(self, request, *args, **kwargs) -> HttpResponse:
        return options_answer(self.allowed_methods)

    def http_method_not_allowed(self, request, *args, **kwargs) -> HttpResponse:
        return method_not_allowed(self.allowed_methods)

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        self.title = f"{request.plugin.name_for_human}: {self.title_suffix}"
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
        return response


class PluginSwaggerView(PluginDocsPage, SpectacularSwaggerView):
    """Swagger UI for the host's /openapi.json; "Authorize" takes the host's bearer key."""

    title_suffix = "API docs"


class PluginRedocView(PluginDocsPage, SpectacularRedocView):
    """ReDoc for the host's /openapi.json."""

    title_suffix = "API reference"
    # drf-spectacular's own template loads web fonts from Google; ours does not.
    template_name = "pluginmeta/redoc.html"
