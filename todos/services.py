"""The three TODO operations as plain functions over the database."""

from django.db import transaction

from pluginmeta.models import Plugin
from todos.models import Todo


class TodoNotFound(Exception):
    """There is no todo at the requested index."""


def list_todos(plugin: Plugin, owner: str) -> list[str]:
    return list(
        Todo.objects.filter(plugin=plugin, owner=owner)
        .order_by("id")
        .values_list("text", flat=True)
    )


def add_todo(plugin: Plugin, owner: str, text: str) -> int:
    """Appends text to the owner's list and returns its index."""
    with transaction.atomic():
        todo = Todo.objects.create(plugin=plugin, owner=owner, text=text)
        return Todo.objects.filter(plugin=plugin, owner=owner, id__lt=todo.id).count()


def delete_todo(plugin: Plugin, owner: str, index: int) -> str:
    """Removes the todo at index and returns its text; raises TodoNotFound if there is none."""
    with transaction.atomic():
        # Locking the whole list serialises concurrent deletes on Postgres, so each one
        # counts positions after the previous has committed (SQLite's IMMEDIATE
        # transactions serialise writers already).
        ids = list(
            Todo.objects.select_for_update()
            .filter(plugin=plugin, owner=owner)
            .order_by("id")
            .values_list("id", flat=True)
        )
        if not 0 <= index < len(ids):
            raise TodoNotFound(index)
        todo = Todo.objects.get(id=ids[index])
        todo.delete()
        return todo.text
