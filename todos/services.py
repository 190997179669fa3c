"""The three TODO operations as plain functions over the database."""

from django.db import connection, transaction
from django.utils import timezone

from pluginmeta.models import Plugin
from todos.models import Todo

# No list gets this long; larger indexes would overflow SQL LIMIT on some databases.
MAX_INDEX = 2**31


# The hottest queries of the API, in plain SQL: the ORM's per-call query compilation costs
# several times the query itself (bench/RESULTS.md). The table name comes from the model,
# never from input, and values are bound parameters.
_TABLE = Todo._meta.db_table
LIST_SQL = f"SELECT text FROM {_TABLE} WHERE plugin_id = %s AND owner = %s ORDER BY id"  # noqa: S608
INSERT_SQL = (
    f"INSERT INTO {_TABLE} (plugin_id, owner, text, created_at) "  # noqa: S608
    "VALUES (%s, %s, %s, %s) RETURNING id"
)
POSITION_SQL = f"SELECT COUNT(*) FROM {_TABLE} WHERE plugin_id = %s AND owner = %s AND id < %s"  # noqa: S608


class TodoNotFound(Exception):
    """There is no todo at the requested index."""


def list_todos(plugin: Plugin, owner: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(LIST_SQL, [plugin.pk, owner])
        return [text for (text,) in cursor.fetchall()]


def add_todo(plugin: Plugin, owner: str, text: str) -> int:
    """Appends text to the owner's list and returns its index."""
    # No transaction: the INSERT commits by itself, and the position is a read that is as
    # true as any position once the response leaves; this saves the BEGIN/COMMIT round trips.
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL, [plugin.pk, owner, text, timezone.now()])
        (new_id,) = cursor.fetchone()
        cursor.execute(POSITION_SQL, [plugin.pk, owner, new_id])
        return cursor.fetchone()[0]


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
