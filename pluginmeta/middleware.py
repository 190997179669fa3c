"""Host routing: picks the plugin for the request's validated Host and that plugin's URLs."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.utils.cache import patch_vary_headers

from pluginmeta.errors import json_error
from pluginmeta.hosts import plugin_for_hostname, urlconf_for_kind


class PluginHostMiddleware:
    """Sets request.plugin and request.urlconf, or answers 404 JSON for hosts with no plugin."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # get_host() checks ALLOWED_HOSTS and raises DisallowedHost (a 400) for anything else,
        # so only validated names reach the lookup and the manifest.
        domain, _port = split_domain_port(request.get_host())
        plugin = plugin_for_hostname(domain)
        if plugin is None:
            response = json_error(404, "unknown_host", "No plugin is served on this host.")
        else:
            request.plugin = plugin
            request.urlconf = urlconf_for_kind(plugin.kind)
            response = self.get_response(request)
        patch_vary_headers(response, ("Host",))
        return response
