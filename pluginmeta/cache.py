"""The shared cache (Redis) as a helper the site can lose: when it is down, callers degrade."""

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class CacheUnavailable(Exception):
    """The shared cache did not answer; the caller falls back to what this process knows."""


class _Outage:
    """Whether this process last found a Redis server unreachable, and until when to skip it."""

    def __init__(self) -> None:
        self.down = False
        self.skip_until = 0.0


# Per process and server, not per backend instance: Django makes one instance per thread.
_outages: dict[str, _Outage] = {}


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, failing fast with CacheUnavailable while Redis is unreachable.

    Every call has the short socket timeouts of OPTIONS. After a failure, calls raise at
    once for RETRY_SECONDS; then the next call tries Redis again. So a dead or hung Redis
    costs one timeout per process every RETRY_SECONDS, not one per request, and the outage
    is logged once when it starts and once when it ends, not per request.
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.retry_seconds = float(params.get("RETRY_SECONDS", 5))
        self._outage = _outages.setdefault(server, _Outage())

    def guarded(self, operation: Callable[..., Any], *args, **kwargs) -> Any:
        outage = self._outage
        if outage.down and time.monotonic() < outage.skip_until:
            raise CacheUnavailable
        try:
            result = operation(*args, **kwargs)
        except (RedisError, OSError) as exc:
            if not outage.down:
                logger.error(
                    "Redis is unreachable (%s); throttling counts per process and the host "
                    "map follows this machine's changes until it answers again",
                    exc,
                )
            outage.down = True
            outage.skip_until = time.monotonic() + self.retry_seconds
            raise CacheUnavailable from exc
        if outage.down:
            outage.down = False
            logger.warning("Redis answers again")
        return result

    def reachable(self) -> bool:
        try:
            self.guarded(lambda: self._cache.get_client().ping())
        except CacheUnavailable:
            return False
        return True


def _fails_fast(name: str) -> Callable[..., Any]:
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def call(self: ResilientRedisCache, *args, **kwargs) -> Any:
        return self.guarded(method, self, *args, **kwargs)

    return call


# Every operation of Django's cache API that talks to Redis.
for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(ResilientRedisCache, _name, _fails_fast(_name))


def shared_cache_state() -> str:
    """'ok' or 'unreachable' for Redis; 'local' when the cache is this process's memory."""
    backend = caches["default"]
    if not isinstance(backend, ResilientRedisCache):
        return "local"
    return "ok" if backend.reachable() else "unreachable"
