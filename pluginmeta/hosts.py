"""Resolving a request's validated hostname to its Plugin.

Each process keeps the host map in memory and checks one small generation number in the
shared cache per request; a save anywhere bumps the number, so every worker reloads the
map on its next request.
"""

import time
import uuid

from django.conf import settings
from django.core.cache import cache

from pluginmeta.models import Plugin, PluginHost

GENERATION_KEY = "pluginmeta:host-map-generation"


class _HostMapMemo:
    generation: str | None = None
    loaded_at: float = 0.0
    hosts: dict[str, Plugin] = {}


_memo = _HostMapMemo()


def load_host_map() -> dict[str, Plugin]:
    """Every active hostname mapped to its plugin, in one query."""
    rows = PluginHost.objects.select_related("plugin").filter(plugin__is_active=True)
    return {row.hostname: row.plugin for row in rows}


def current_generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def get_host_map() -> dict[str, Plugin]:
    generation = current_generation()
    now = time.monotonic()
    max_age = settings.PLUGIN_SERVER["HOST_CACHE_SECONDS"]
    if generation != _memo.generation or now - _memo.loaded_at > max_age:
        # Assign the map before the generation so a concurrent thread never pairs a new
        # generation with the old map.
        _memo.hosts = load_host_map()
        _memo.loaded_at = now
        _memo.generation = generation
    return _memo.hosts


def invalidate_host_map() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    _memo.generation = None


def plugin_for_hostname(hostname: str) -> Plugin | None:
    return get_host_map().get(hostname.lower().rstrip("."))


def find_plugin(hostname: str) -> Plugin | None:
    """The plugin a hostname routes to, read from the database (commands, not requests)."""
    host = PluginHost.objects.select_related("plugin").filter(hostname=hostname.lower()).first()
    return host.plugin if host else None


def urlconf_for_kind(kind: str) -> str:
    return settings.PLUGIN_SERVER["KINDS"][kind]
