"""The TODO writes: append to a list and delete from it, each in step with the others."""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from pluginmeta.db import fetch_all, serialized_writes
from pluginmeta.models import Plugin
from todos.models import Todo

# No list gets this long; larger indexes would overflow SQL LIMIT on some databases.
MAX_INDEX = 2**31


# The hottest queries of the API, in plain SQL: the ORM's per-call query compilation costs
# several times the query itself (docs/performance.md, "The driver cursor"). The table name
# comes from the model, never from input, and values are bound parameters.
_TABLE = Todo._meta.db_table
# An add appends unless the list is full and returns the count of the rows ahead, as one step
# no other writer of the list can come between, in one round trip. The list is counted once:
# every row of it is ahead of the new one, whose id is larger than any id before it.
ADD_SQL = {
    # SQLite: one statement holds the database's one write lock from its start to its commit.
    # The count is made once, before the insert (MATERIALIZED), and returned; a full list
    # inserts nothing, so no row comes back. Django's SQLite ids are AUTOINCREMENT: never
    # reused, so the new id is the largest.
    "sqlite": (
        "WITH held(n) AS MATERIALIZED (SELECT COUNT(*) FROM "  # noqa: S608
        f"{_TABLE} WHERE plugin_id = %s AND owner = %s) "
        f"INSERT INTO {_TABLE} (plugin_id, owner, text, created_at) "
        "SELECT %s, %s, %s, %s FROM held WHERE n < %s RETURNING (SELECT n FROM held)"
    ),
    # Postgres: a function (todos/migrations/0003_append_todo_up_to_a_limit.py) that takes the
    # list's advisory lock, the one deletes take, then counts and inserts; -1 for a full list.
    # A plain statement cannot: its count would read a snapshot taken before the lock was
    # granted.
    "postgresql": "SELECT todos_append(%s, %s, %s, %s, %s, %s)",
}
LOCK_LIST_SQL_POSTGRES = "SELECT pg_advisory_xact_lock(%s)"


class TodoNotFound(Exception):
    """There is no todo at the requested index."""


class ListFull(Exception):
    """The list already holds settings.TODO_MAX_ITEMS_PER_LIST todos."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def list_lock_key(plugin: Plugin, owner: str) -> int:
    """A signed 64-bit number naming one list, for Postgres' advisory locks."""
    digest = hashlib.blake2b(f"{plugin.pk}:{owner}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def locked_list(plugin: Plugin, owner: str) -> Iterator[None]:
    """A transaction in which no add or delete of another request writes the owner's list.

    Postgres: the list's advisory lock (other lists are not held up). SQLite: the
    IMMEDIATE transaction holds the database's one write lock.
    """
    with serialized_writes(), transaction.atomic():
        if connection.vendor == "postgresql":
            fetch_all(LOCK_LIST_SQL_POSTGRES, (list_lock_key(plugin, owner),))
        yield


def add_todo(plugin: Plugin, owner: str, text: str) -> int:
    """Appends text to the owner's list; its index, as getTodos shows it right after.

    Raises ListFull, having written nothing, when the list already holds the most todos a
    list may (settings.TODO_MAX_ITEMS_PER_LIST).
    """
    now = timezone.now()
    limit = settings.TODO_MAX_ITEMS_PER_LIST
    if connection.vendor == "postgresql":
        params = (list_lock_key(plugin, owner), plugin.pk, owner, text, now, limit)
        ((index,),) = fetch_all(ADD_SQL["postgresql"], params)
        if index < 0:
            raise ListFull(limit)
        return index
    params = (plugin.pk, owner, plugin.pk, owner, text, now, limit)
    with serialized_writes():
        rows = fetch_all(ADD_SQL["sqlite"], params)
    if not rows:
        raise ListFull(limit)
    ((index,),) = rows
    return index


def delete_todo(plugin: Plugin, owner: str, index: int) -> str:
    """Removes the todo at index and returns its text; raises TodoNotFound if there is none."""
    if index >= MAX_INDEX:
        raise TodoNotFound(index)
    with locked_list(plugin, owner):
        # The row locks also hold off writers that do not take the list's lock (the admin):
        # a waiting delete skips rows removed meanwhile.
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
