"""Rate limits for plugin APIs, counted in the shared cache so every worker holds them together."""

import threading
import time
from functools import lru_cache

from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from pluginmeta.cache import CacheUnavailable
from pluginmeta.http import client_address

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

# A process takes numbered slots from the shared count LEASE_PARTS at a time (see Leases).
LEASE_PARTS = 64


@lru_cache(maxsize=32)
def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """'120/min' -> (120, 60); None, '' or 'off' -> None (no limit)."""
    if not rate or rate.strip().lower() == "off":
        return None
    count, period = rate.split("/")
    return int(count), PERIODS[period.strip()[0].lower()]


VERDICT_ATTRIBUTE = "plugin_throttle_verdict"


def lease_size(max_requests: int) -> int:
    """Slots a process takes from the shared count at once: 1 (exact) below LEASE_PARTS."""
    return max(1, max_requests // LEASE_PARTS)


class Leases:
    """This process's unused slots of each shared counter, so most requests skip the cache.

    The shared counter only ever grows by whole leases, with one atomic increment, so
    every slot number is handed to one process and no more than max_requests slots are
    ever admitted in a window. The price: slots a process leased but did not use before the
    window ended are lost, at most (lease - 1) per process and caller. Limits under
    LEASE_PARTS lease one slot at a time and are exact; 600/min leases 9.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # One lease at a time per process: two threads leasing at once would each replace
        # the other's unused slots, and those would be lost (WEB_THREADS above 1).
        self._leasing = threading.Lock()
        self._free: dict[str, tuple[int, int, int]] = {}  # key -> (next slot, last slot, window)

    def _unused(self, key: str, window: int, max_requests: int) -> int | None:
        """A slot of this process's lease, or one past a spent window; None: lease more."""
        with self._lock:
            next_slot, last_slot, _window = self._free.get(key, (1, 0, window))
            if next_slot <= last_slot:
                self._free[key] = (next_slot + 1, last_slot, window)
                return next_slot
            if last_slot >= max_requests:  # the window's count is spent: no need to ask
                return last_slot + 1
        return None

    def take(self, key: str, window: int, max_requests: int, period: int) -> int:
        """A slot number for one request; over max_requests means the request is refused."""
        slot = self._unused(key, window, max_requests)
        if slot is not None:
            return slot
        with self._leasing:
            # Another thread may have leased while this one waited.
            slot = self._unused(key, window, max_requests)
            if slot is not None:
                return slot
            size = lease_size(max_requests)
            last_slot = _shared_increment(key, size, period)
            with self._lock:
                if len(self._free) > 1024:
                    self._free = {k: v for k, v in self._free.items() if v[2] == window}
                self._free[key] = (last_slot - size + 2, last_slot, window)
            return last_slot - size + 1

    def clear(self) -> None:
        with self._lock:
            self._free.clear()


# While the shared cache is unreachable each process counts by itself: the limit then holds
# per process instead of for all of them together, which beats no limit and no site.
_counts_of_this_process = LocMemCache("throttle-fallback", {})


def _increment(counts: BaseCache, key: str, size: int, period: int) -> int:
    try:
        return counts.incr(key, size)
    except ValueError:  # first lease of the window (add is atomic: one caller wins)
        return size if counts.add(key, size, timeout=period + 1) else counts.incr(key, size)


def _shared_increment(key: str, size: int, period: int) -> int:
    try:
        return _increment(cache, key, size, period)
    except CacheUnavailable:
        return _increment(_counts_of_this_process, key, size, period)


leases = Leases()


def count_request(request: HttpRequest, caller: str, scope: str = "plugin") -> tuple[bool, float]:
    """Counts one request of caller on request.plugin; (allowed, end of the window in epoch s).

    The verdict is kept on the request, so a request that is counted once is never counted
    twice, whichever path (DRF's or the short one) looks at it.
    """
    limit = parse_rate(api_settings.DEFAULT_THROTTLE_RATES.get(scope))
    plugin = getattr(request, "plugin", None)
    if limit is None or plugin is None:
        verdict = (True, 0.0)
    else:
        max_requests, period = limit
        window = int(time.time() // period)
        key = f"throttle:{scope}:{plugin.pk}:{caller}:{period}:{window}"
        slot = leases.take(key, window, max_requests, period)
        verdict = (slot <= max_requests, float((window + 1) * period))
    setattr(request, VERDICT_ATTRIBUTE, verdict)
    return verdict


class PluginRateThrottle(BaseThrottle):
    """A fixed-window counter per plugin and caller (user if signed in, else client address).

    DRF's SimpleRateThrottle rewrites a list of timestamps with get/set, which loses counts
    when two workers race and grows with the rate; one atomic cache increment does neither.
    """

    scope = "plugin"

    def __init__(self) -> None:
        self.window_end = 0.0

    def allow_request(self, request, view) -> bool:
        # The short path (pluginmeta.api.fastpath) may have counted this request already.
        verdict = getattr(request._request, VERDICT_ATTRIBUTE, None)
        if verdict is None:
            user = request.user
            if user is not None and user.is_authenticated:
                caller = f"u{user.pk}"
            else:
                caller = client_address(request._request)
            verdict = count_request(request._request, caller, self.scope)
        allowed, self.window_end = verdict
        return allowed

    def wait(self) -> float:
        return max(1.0, self.window_end - time.time())
