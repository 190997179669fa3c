"""Drop the cached host map whenever a plugin or one of its hostnames changes."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from pluginmeta.hosts import invalidate_host_map
from pluginmeta.models import Plugin, PluginHost


@receiver([post_save, post_delete], sender=Plugin)
@receiver([post_save, post_delete], sender=PluginHost)
def plugin_changed(**kwargs) -> None:
    invalidate_host_map()
