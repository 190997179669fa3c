"""Interactive API docs on every plugin host: Swagger UI and ReDoc for that host's own spec.

The pages load their scripts and styles from this server (drf-spectacular-sidecar's static
files), never from a CDN, so they work offline and leak no visitor to a third party.
"""

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny


class PluginSwaggerView(SpectacularSwaggerView):
    """Swagger UI for the host's /openapi.json; "Authorize" takes the host's bearer key."""

    # A page for people: open on every host whatever the plugin's auth type (the spec it reads
    # is public too), and not counted against the API's rate limit.
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    url_name = "openapi-json"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        self.title = f"{request.plugin.name_for_human}: API docs"
        return super().get(request, *args, **kwargs)


class PluginRedocView(SpectacularRedocView):
    """ReDoc for the host's /openapi.json."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    url_name = "openapi-json"
    # drf-spectacular's own template loads web fonts from Google; ours does not.
    template_name = "pluginmeta/redoc.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        self.title = f"{request.plugin.name_for_human}: API reference"
        return super().get(request, *args, **kwargs)
