"""App config for todos."""

from django.apps import AppConfig


class TodosConfig(AppConfig):
    """TODO list storage and API."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "todos"
    verbose_name = "TODO lists"
