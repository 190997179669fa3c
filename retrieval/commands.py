"""What the retrieval commands share: finding the retrieval plugin a hostname serves."""

from django.core.management.base import CommandError

from pluginmeta.hosts.resolver import find_plugin, no_plugin_message
from pluginmeta.models import Plugin


def retrieval_plugin_for_host(host: str) -> Plugin:
    plugin = find_plugin(host)
    if plugin is None:
        raise CommandError(no_plugin_message(host))
    if plugin.kind != "retrieval":
        raise CommandError(f"{host} serves {plugin.slug}, a {plugin.kind} plugin, not retrieval.")
    return plugin
