"""App config for retrieval."""

from django.apps import AppConfig


class RetrievalConfig(AppConfig):
    """Documents, chunks and search of the retrieval plugins."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "retrieval"
    verbose_name = "Retrieval"
