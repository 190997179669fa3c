"""Database helpers for the apps' hot paths, the same on SQLite and Postgres."""

from collections.abc import Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

_native_sql: dict[tuple[str, str], str] = {}


def fetch_all(sql: str, params: Sequence[Any], using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
    """Runs one statement with Django's connection but the driver's own cursor; its rows.

    For the hot paths: Django's cursor wrapper (thread check, wrappers, placeholder
    rewriting per call) costs about half of a small indexed read on SQLite. What of it
    matters here is kept: the connection, its health check and transaction, and Django's
    database exceptions. Statements run this way are not in connection.queries nor seen by
    execute_wrapper hooks.
    sql uses %s placeholders, as with a Django cursor.
    """
    connection = connections[using]
    if connection.connection is None or connection.health_check_enabled:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    key = (sql, connection.vendor)
    native = _native_sql.get(key)
    if native is None:
        native = sql.replace("%s", "?") if connection.vendor == "sqlite" else sql
        _native_sql[key] = native
    with connection.wrap_database_errors:
        return connection.connection.execute(native, params).fetchall()
