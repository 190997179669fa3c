"""Resolving a request's validated hostname to its Plugin, through a shared cache."""

from django.conf import settings
from django.core.cache import cache

from pluginmeta.models import Plugin, PluginHost

HOST_MAP_CACHE_KEY = "pluginmeta:host-map:v1"


def load_host_map() -> dict[str, Plugin]:
    """Every active hostname mapped to its plugin, in one query."""
    rows = PluginHost.objects.select_related("plugin").filter(plugin__is_active=True)
    return {row.hostname: row.plugin for row in rows}


def get_host_map() -> dict[str, Plugin]:
    host_map = cache.get(HOST_MAP_CACHE_KEY)
    if host_map is None:
        host_map = load_host_map()
        cache.set(HOST_MAP_CACHE_KEY, host_map, settings.PLUGIN_SERVER["HOST_CACHE_SECONDS"])
    return host_map


def invalidate_host_map() -> None:
    cache.delete(HOST_MAP_CACHE_KEY)


def plugin_for_hostname(hostname: str) -> Plugin | None:
    return get_host_map().get(hostname.lower().rstrip("."))


def urlconf_for_kind(kind: str) -> str:
    return settings.PLUGIN_SERVER["KINDS"][kind]
