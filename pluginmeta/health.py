"""The health check load balancers poll: GET /healthz on any host, before host routing."""

import logging
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.module_loading import import_string

from pluginmeta.api.errors import database_unavailable
from pluginmeta.cache import shared_cache_state

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
        reports = {
            name: report(path) for name, path in settings.PLUGIN_SERVER["HEALTH_REPORTS"].items()
        }
        return JsonResponse({"status": status, "database": "ok", "cache": cache_state, **reports})


@cache
def report_function(path: str) -> Callable[[], str]:
    return import_string(path)


def report(path: str) -> str:
    """What an app's report says of itself (e.g. how its search runs), or "unknown" if it
    fails: a report informs, and never takes the health check down."""
    try:
        return str(report_function(path)())
    except Exception:
        logger.exception("health check: the report %s failed", path)
        return "unknown"
