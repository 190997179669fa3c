"""App config for pluginmeta."""

from django.apps import AppConfig


class PluginmetaConfig(AppConfig):
    """Connects the signals that keep the host cache fresh."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "pluginmeta"
    verbose_name = "Plugins"

    def ready(self) -> None:
        from pluginmeta.hosts import signals  # noqa: F401
