"""Fallback URL module: only requests that match no plugin host land here, and all get 404 JSON."""

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, JsonResponse

from pluginmeta.api.errors import error_400
from pluginmeta.api.errors import error_403 as handler403
from pluginmeta.api.errors import error_404 as handler404
from pluginmeta.api.errors import error_500 as handler500
from pluginmeta.hosts.middleware import disallowed_host

urlpatterns: list = []


def handler400(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    # Middleware ahead of host routing (the HTTPS redirect) can refuse the Host too.
    if isinstance(exception, DisallowedHost):
        return disallowed_host(request)
    return error_400(request, exception)


__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
