"""The Django admin of plugins, hostnames, keys and OAuth clients."""

# Django's admin autodiscovery imports this package; each module registers its own admins.
from pluginmeta.admin import keys, oauth, plugins

__all__ = ["keys", "oauth", "plugins"]
