"""Host routing (the plugin for the request's validated Host) and the health check."""

import logging
from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import split_domain_port
from django.utils.cache import patch_vary_headers

from pluginmeta.cache import shared_cache_state
from pluginmeta.errors import database_unavailable, is_database_outage, json_error
from pluginmeta.hosts import plugin_for_hostname, urlconf_for_kind

logger = logging.getLogger(__name__)


class HealthCheckMiddleware:
    """Answers GET /healthz before host routing, so load balancers need no plugin hostname."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != "/healthz":
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            logger.exception("health check: database unreachable")
            return database_unavailable()
        # A lost Redis degrades the site (pluginmeta/cache.py) but does not stop it, so this
        # stays 200: a load balancer must not take every server out for it.
        cache_state = shared_cache_state()
        status = "degraded" if cache_state == "unreachable" else "ok"
        return JsonResponse({"status": status, "database": "ok", "cache": cache_state})


class PluginHostMiddleware:
    """Sets request.plugin and request.urlconf, or answers 404 JSON for hosts with no plugin."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # get_host() checks ALLOWED_HOSTS and raises DisallowedHost (a 400) for anything else,
        # so only validated names reach the lookup and the manifest.
        domain, _port = split_domain_port(request.get_host())
        try:
            plugin = plugin_for_hostname(domain)
        except DatabaseError:
            logger.exception("host lookup: database unreachable")
            return database_unavailable()
        if plugin is None:
            response = json_error(404, "unknown_host", "No plugin is served on this host.")
        else:
            request.plugin = plugin
            request.urlconf = urlconf_for_kind(plugin.kind)
            response = self.get_response(request)
        patch_vary_headers(response, ("Host",))
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # Views outside DRF (admin, pages) would otherwise turn a lost database into a 500.
        if is_database_outage(exception):
            logger.exception("database unreachable", exc_info=exception)
            return database_unavailable()
        return None
