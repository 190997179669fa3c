"""The benchmarks' baselines: plain Django views served ahead of every plugin host's URLs.

Mounted only when PLUGIN_BENCH_BASELINE is on (config/settings.py), so production code never
carries them.
"""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path


def raw(request: HttpRequest) -> JsonResponse:
    """What plain Django costs through the same middleware."""
    return JsonResponse({"todos": ["baseline"]})


def raw_query(request: HttpRequest) -> JsonResponse:
    """The baseline plus the cheapest database round trip: SELECT 1 through Django's cursor."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return JsonResponse({"todos": ["baseline"] * one})


urlpatterns = [
    path("bench/raw", raw),
    path("bench/raw-query", raw_query),
]
