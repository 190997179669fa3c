"""App config for sportstats."""

from django.apps import AppConfig


class SportstatsConfig(AppConfig):
    """Sport Stats data and API."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "sportstats"
    verbose_name = "Sport Stats"
