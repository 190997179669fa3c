"""What the retrieval commands share: finding the retrieval plugin a hostname serves."""

from django.core.management.base import CommandError

from pluginmeta.models import Plugin


def retrieval_plugin_for_host(host: str) -> Plugin:
    hostname = host.strip().lower()
    plugin = Plugin.objects.filter(hosts__hostname=hostname).first()
    if plugin is None:
        raise CommandError(
            f"No plugin is served on {hostname!r}; give a hostname as stored, such as "
            "retrieval.localhost (list them with: manage.py list_plugins)."
        )
    if plugin.kind != "retrieval":
        raise CommandError(f"{host} serves {plugin.slug}, a {plugin.kind} plugin, not retrieval.")
    return plugin
