"""Rate limits for plugin APIs, counted in the shared cache so every worker holds them together."""

import time

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """'120/min' -> (120, 60); None, '' or 'off' -> None (no limit)."""
    if not rate or rate.strip().lower() == "off":
        return None
    count, period = rate.split("/")
    return int(count), PERIODS[period.strip()[0].lower()]


class PluginRateThrottle(BaseThrottle):
    """A fixed-window counter per plugin and caller (user if signed in, else client address).

    DRF's SimpleRateThrottle rewrites a list of timestamps with get/set, which loses counts
    when two workers race; an atomic cache increment does not, and costs the same whatever
    the rate.
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
        now = time.time()
        window = int(now // period)
        self.window_end = (window + 1) * period
        user = getattr(request, "user", None)
        caller = (
            f"u{user.pk}" if user is not None and user.is_authenticated else self.get_ident(request)
        )
        key = f"throttle:{self.scope}:{plugin.pk}:{caller}:{period}:{window}"
        try:
            count = cache.incr(key)
        except ValueError:  # first request of the window (add is atomic: one caller wins)
            count = 1 if cache.add(key, 1, timeout=period + 1) else cache.incr(key)
        return count <= max_requests

    def wait(self) -> float:
        return max(1.0, self.window_end - time.time())
