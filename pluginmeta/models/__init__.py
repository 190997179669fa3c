"""The database models of plugins, their hostnames, keys and OAuth clients."""

from pluginmeta.models.keys import ServiceKey, UserKey
from pluginmeta.models.oauth import PluginOAuthClient, SpentAuthorizationCode
from pluginmeta.models.plugin import Plugin, PluginHost, kind_choices

__all__ = [
    "Plugin",
    "PluginHost",
    "PluginOAuthClient",
    "ServiceKey",
    "SpentAuthorizationCode",
    "UserKey",
    # Named by migration 0001 as the choices of Plugin.kind.
    "kind_choices",
]
