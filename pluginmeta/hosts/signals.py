"""Drop the cached host map whenever a plugin or one of its hostnames changes."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from pluginmeta.hosts.resolver import forget_host_map, invalidate_host_map
from pluginmeta.models import Plugin, PluginHost


@receiver([post_save, post_delete], sender=Plugin)
@receiver([post_save, post_delete], sender=PluginHost)
def plugin_changed(using: str, **kwargs) -> None:
    # Other processes must not be told before the commit: they would reload the old rows
    # and keep them under the new generation. This process may read inside the transaction.
    forget_host_map()
    transaction.on_commit(invalidate_host_map, using=using)
