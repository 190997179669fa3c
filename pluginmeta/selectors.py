"""Reads of plugins for commands and services: the plugin a hostname names, from the database."""

from urllib.parse import urlsplit

from pluginmeta.models import Plugin, PluginHost


def find_plugin(hostname: str) -> Plugin | None:
    """The plugin a hostname routes to, read from the database (commands, not requests)."""
    host = PluginHost.objects.select_related("plugin").filter(hostname=hostname.lower()).first()
    return host.plugin if host else None


def no_plugin_message(hostname: str) -> str:
    """Why find_plugin(hostname) found nothing, naming the bare hostname when a URL was given.

    Commands take a hostname as stored (todo.example.com); what people paste is often the URL
    they browse, with a scheme, a port or a path.
    """
    given = hostname.strip()
    try:
        bare = urlsplit(given if "://" in given else f"//{given}").hostname
    except ValueError:
        bare = None
    if bare and bare != given.lower():
        return (
            f"No plugin is served on {hostname!r}: give the hostname alone, without scheme, "
            f"port or path: {bare}"
        )
    return f"No plugin is served on {hostname!r}."
