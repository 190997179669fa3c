"""Services and selectors for the hostnames plugins answer on (the commands' side of the admin)."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http.request import validate_host

from pluginmeta.models import Plugin, PluginHost
from pluginmeta.selectors import no_plugin_message

# Paths every plugin host serves, in the order list_plugins shows them.
HOST_PAGES = {
    "manifest": "/.well-known/ai-plugin.json",
    "spec": "/openapi.json",
    "Swagger UI": "/docs",
    "ReDoc": "/redoc",
    "admin": "/admin/",
}


class HostnameError(Exception):
    """A hostname cannot be added or removed; the message says why and what to do."""


@dataclass(frozen=True)
class PluginListing:
    """A plugin with its hostnames, as list_plugins prints it."""

    plugin: Plugin
    hostnames: list[str]


def plugin_listings() -> list[PluginListing]:
    """Every plugin, active or not, with its hostnames, in slug order."""
    plugins = Plugin.objects.prefetch_related("hosts").order_by("slug")
    return [
        PluginListing(plugin, sorted(host.hostname for host in plugin.hosts.all()))
        for plugin in plugins
    ]


def is_allowed_host(hostname: str) -> bool:
    """Whether DJANGO_ALLOWED_HOSTS lets requests for hostname through."""
    return validate_host(hostname, settings.ALLOWED_HOSTS)


def origin(hostname: str, scheme: str, port: int | None) -> str:
    host = f"[{hostname.strip('[]')}]" if ":" in hostname else hostname
    default_port = {"http": 80, "https": 443}[scheme]
    return f"{scheme}://{host}" + (f":{port}" if port and port != default_port else "")


def normalize_hostname(hostname: str) -> str:
    """Hostnames are stored lower-case without the root's trailing dot, as requests look them up."""
    return hostname.strip().lower().rstrip(".")


def plugin_by_slug(slug: str) -> Plugin:
    plugin = Plugin.objects.filter(slug=slug).first()
    if plugin is None:
        known = ", ".join(Plugin.objects.order_by("slug").values_list("slug", flat=True))
        raise HostnameError(f"No plugin has the slug {slug!r}; the plugins are: {known}.")
    return plugin


@transaction.atomic
def add_hostname(slug: str, hostname: str) -> tuple[PluginHost, bool]:
    """Routes hostname to the plugin slug; returns the row and whether it was created."""
    plugin = plugin_by_slug(slug)
    hostname = normalize_hostname(hostname)
    if not hostname:
        raise HostnameError("Give a hostname, e.g. todo.example.com.")
    existing = PluginHost.objects.select_related("plugin").filter(hostname=hostname).first()
    if existing is not None:
        if existing.plugin_id == plugin.pk:
            return existing, False
        raise HostnameError(
            f"{hostname} already serves {existing.plugin.slug}; remove it from there first "
            f"(plugin_hostname remove {hostname})."
        )
    host = PluginHost(plugin=plugin, hostname=hostname)
    try:
        host.save()  # validates the name and its uniqueness
    except ValidationError as exc:
        raise HostnameError(" ".join(exc.messages)) from None
    return host, True


@transaction.atomic
def remove_hostname(hostname: str) -> PluginHost:
    """Stops routing hostname to its plugin; returns the removed row."""
    host = (
        PluginHost.objects.select_related("plugin")
        .filter(hostname=normalize_hostname(hostname))
        .first()
    )
    if host is None:
        raise HostnameError(f"{no_plugin_message(hostname).rstrip('.')} (see list_plugins).")
    host.delete()
    return host
