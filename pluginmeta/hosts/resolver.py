"""Resolving a request's validated hostname, or the slug of its path, to its Plugin.

Each process keeps the host map in memory and checks a generation per request; a change
to a plugin or hostname bumps it after commit, so every process reloads the map on its
next request. The generation has two parts, so that a change is seen everywhere with or
without Redis: a number in the shared cache (Redis: every machine) and the size of a small
file that grows by one byte per change (every process of this machine, also a management
command's when the cache is only per process, and while Redis is down).
"""

import contextlib
import logging
import os
import time
import uuid

from django.conf import settings
from django.core.cache import cache

from pluginmeta.cache import CacheUnavailable
from pluginmeta.models import Plugin, PluginHost

logger = logging.getLogger(__name__)

GENERATION_KEY = "pluginmeta:host-map-generation"

Generation = tuple[str | None, tuple[int, int] | None]


class _HostMapMemo:
    generation: Generation | None = None
    loaded_at: float = 0.0
    hosts: dict[str, Plugin] = {}
    slugs: dict[str, Plugin] = {}
    file_warned: bool = False


_memo = _HostMapMemo()


def load_host_map() -> dict[str, Plugin]:
    """Every active hostname mapped to its plugin, in one query."""
    rows = PluginHost.objects.select_related("plugin").filter(plugin__is_active=True)
    return {row.hostname: row.plugin for row in rows}


def load_slug_map() -> dict[str, Plugin]:
    """Every active plugin by its slug, hostnames or not (pluginmeta/hosts/mount.py)."""
    return {plugin.slug: plugin for plugin in Plugin.objects.filter(is_active=True)}


def _cache_generation() -> str | None:
    try:
        generation = cache.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
            generation = cache.get(GENERATION_KEY)
    except CacheUnavailable:
        return None
    return generation


def _file_generation() -> tuple[int, int] | None:
    """(inode, size) of the generation file: one stat, far cheaper than any query."""
    path = settings.PLUGIN_SERVER["HOST_GENERATION_FILE"]
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        _grow_generation_file(b"")
        try:
            stat = os.stat(path)
        except OSError:
            return None
    except OSError as exc:
        _warn_once(exc)
        return None
    return stat.st_ino, stat.st_size


def _grow_generation_file(data: bytes) -> None:
    try:
        with open(settings.PLUGIN_SERVER["HOST_GENERATION_FILE"], "ab") as file:
            file.write(data)
    except OSError as exc:
        _warn_once(exc)


def _warn_once(exc: OSError) -> None:
    if not _memo.file_warned:
        _memo.file_warned = True
        logger.error(
            "cannot use the host map generation file (%s); other processes' plugin changes "
            "are seen through the shared cache or after PLUGIN_HOST_CACHE_SECONDS",
            exc,
        )


def current_generation() -> Generation:
    return _cache_generation(), _file_generation()


def get_host_map() -> dict[str, Plugin]:
    return _fresh_memo().hosts


def get_slug_map() -> dict[str, Plugin]:
    return _fresh_memo().slugs


def _fresh_memo() -> _HostMapMemo:
    generation = current_generation()
    now = time.monotonic()
    max_age = settings.PLUGIN_SERVER["HOST_CACHE_SECONDS"]
    if generation != _memo.generation or now - _memo.loaded_at > max_age:
        # Assign the map before the generation so a concurrent thread never pairs a new
        # generation with the old map.
        _memo.hosts = load_host_map()
        _memo.slugs = load_slug_map()
        _memo.loaded_at = now
        _memo.generation = generation
    return _memo


def forget_host_map() -> None:
    """This process reloads the map on its next lookup (which may be in the same transaction)."""
    _memo.generation = None


def invalidate_host_map() -> None:
    """Every process reloads the map on its next lookup; call it after the change commits."""
    # Without Redis the file still tells this machine; other machines wait for the timeout.
    with contextlib.suppress(CacheUnavailable):
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    _grow_generation_file(b".")
    forget_host_map()


def plugin_for_hostname(hostname: str) -> Plugin | None:
    return get_host_map().get(hostname.lower().rstrip("."))


def plugin_for_slug(slug: str) -> Plugin | None:
    return get_slug_map().get(slug)


def urlconf_for_kind(kind: str) -> str:
    return settings.PLUGIN_SERVER["KINDS"][kind]
