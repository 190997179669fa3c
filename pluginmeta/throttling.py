"""Rate limits for plugin APIs, counted in the shared cache so every worker holds them together."""

import time
from functools import lru_cache

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@lru_cache(maxsize=32)
def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """'120/min' -> (120, 60); None, '' or 'off' -> None (no limit)."""
    if not rate or rate.strip().lower() == "off":
        return None
    count, period = rate.split("/")
    return int(count), PERIODS[period.strip()[0].lower()]


def client_address(meta: dict, num_proxies: int | None) -> str:
    """REMOTE_ADDR, or with trusted proxies the X-Forwarded-For entry the nearest proxy saw."""
    remote = meta.get("REMOTE_ADDR", "")
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if not num_proxies or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",")]
    return hops[-min(num_proxies, len(hops))] or remote


class PluginRateThrottle(BaseThrottle):
    """A fixed-window counter per plugin and caller (user if signed in, else client address).

    DRF's SimpleRateThrottle rewrites a list of timestamps with get/set, which loses counts
    when two workers race and grows with the rate; one atomic cache increment does neither.
    """

    scope = "plugin"

    def __init__(self) -> None:
        self.window_end = 0.0

    def allow_request(self, request, view) -> bool:
        limit = parse_rate(api_settings.DEFAULT_THROTTLE_RATES.get(self.scope))
        plugin = getattr(request, "plugin", None)
        if limit is None or plugin is None:
            return True
        max_requests, period = limit
        window = int(time.time() // period)
        self.window_end = (window + 1) * period
        user = request.user
        if user is not None and user.is_authenticated:
            caller = f"u{user.pk}"
        else:
            caller = client_address(request._request.META, api_settings.NUM_PROXIES)
        key = f"throttle:{self.scope}:{plugin.pk}:{caller}:{period}:{window}"
        try:
            count = cache.incr(key)
        except ValueError:  # first request of the window (add is atomic: one caller wins)
            count = 1 if cache.add(key, 1, timeout=period + 1) else cache.incr(key)
        return count <= max_requests

    def wait(self) -> float:
        return max(1.0, self.window_end - time.time())
