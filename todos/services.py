"""The three TODO operations as plain functions over the database."""

from django.db import connection, transaction

from pluginmeta.models import Plugin
from todos.models import Todo

# No list gets this long; larger indexes would overflow SQL LIMIT on some databases.
MAX_INDEX = 2**31


# The table name comes from the model, never from input; values are bound parameters.
LIST_SQL = f"SELECT text FROM {Todo._meta.db_table} WHERE plugin_id = %s AND owner = %s ORDER BY id"  # noqa: S608


class TodoNotFound(Exception):
    """There is no todo at the requested index."""


def list_todos(plugin: Plugin, owner: str) -> list[str]:
    # The hottest query of the API: plain SQL skips the ORM's per-call query compilation,
    # which costs several times the query itself (bench/RESULTS.md).
    with connection.cursor() as cursor:
        cursor.execute(LIST_SQL, [plugin.pk, owner])
        return [text for (text,) in cursor.fetchall()]


def add_todo(plugin: Plugin, owner: str, text: str) -> int:
    """Appends text to the owner's list and returns its index."""
    with transaction.atomic():
        todo = Todo.objects.create(plugin=plugin, owner=owner, text=text)
        return Todo.objects.filter(plugin=plugin, owner=owner, id__lt=todo.id).count()


def delete_todo(plugin: Plugin, owner: str, index: int) -> str:
    """Removes the todo at index and returns its text; raises TodoNotFound if there is none."""
    if index >= MAX_INDEX:
        raise TodoNotFound(index)
    with transaction.atomic():
        # Locking the rows up to the index serialises concurrent deletes on Postgres: a
        # waiting delete skips rows removed meanwhile, so it counts positions as they are
        # after the other one committed. SQLite's IMMEDIATE transactions serialise writers.
        ids = list(
            Todo.objects.select_for_update()
            .filter(plugin=plugin, owner=owner)
            .order_by("id")
            .values_list("id", flat=True)[: index + 1]
        )
        if len(ids) <= index:
            raise TodoNotFound(index)
        todo = Todo.objects.get(id=ids[index])
        todo.delete()
        return todo.text
