"""Raw SQL for the apps, in one place: hot-path reads, bulk writes and the SQLite writer lock.

Everything here runs on Django's connection (its transaction, health check and exception
classes) and is the same on SQLite and Postgres. Every statement is visible to Django's query
capture (connection.queries, CaptureQueriesContext, execute wrappers) whenever something
captures; only then does fetch_all pay for Django's cursor wrapper.
"""

import fcntl
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from django.db import DEFAULT_DB_ALIAS, NotSupportedError, OperationalError, connections

# Re-entrant, so a write path that nests serialized_writes() cannot wait on itself.
_thread_locks: dict[str, threading.RLock] = {}
_lock_files: dict[tuple[int, str], int] = {}
_registry_lock = threading.Lock()


def _sqlite_file(using: str) -> str | None:
    connection = connections[using]
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if connection.is_in_memory_db() or name.startswith("file:"):
        return None
    return os.path.abspath(name)


def _lock_file(path: str) -> int:
    # One descriptor per process: a descriptor inherited across fork shares its lock.
    key = (os.getpid(), path)
    with _registry_lock:
        if key not in _lock_files:
            try:
                _lock_files[key] = os.open(f"{path}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as exc:
                # Its folder is the database's: a database that cannot be reached, not a bug.
                raise OperationalError(
                    f"The database's write lock cannot be opened: {exc}"
                ) from exc
        _thread_locks.setdefault(path, threading.RLock())
        return _lock_files[key]


@contextmanager
def serialized_writes(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Queues this process's SQLite writers behind an OS file lock; a no-op on Postgres.

    SQLite lets one writer in at a time, and a writer that finds the database locked sleeps
    in SQLite's busy handler for 1 ms, then 2, 5, 10... although a TODO write holds the lock
    for some 30 µs. Waiting on flock() instead wakes the next writer the moment the lock
    is released. The lock only orders writers that use it: correctness still rests on
    SQLite's own locking, which every other writer (admin, commands) goes through as before.
    """
    path = _sqlite_file(using)
    if path is None:
        yield
        return
    descriptor = _lock_file(path)
    with _thread_locks[path]:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)


_native_sql: dict[tuple[str, str], str] = {}


def is_captured(connection) -> bool:
    """Whether something records or wraps this connection's queries (DEBUG, the test
    runner's assertNumQueries, debug toolbars, execute_wrapper hooks)."""
    return connection.queries_logged or bool(connection.execute_wrappers)


def fetch_all(sql: str, params: Sequence[Any], using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
    """Runs one fixed statement and returns its rows; sql uses %s placeholders, no %%.

    For the hot paths: unless something captures queries, the statement runs on the driver's
    own cursor, as Django's cursor wrapper (thread check, wrappers, placeholder rewriting per
    call) costs about half of a small indexed read on SQLite (docs/performance.md, "driver
    cursor"). What of it matters is kept: the connection, its health check and transaction,
    and Django's database exceptions.
    """
    connection = connections[using]
    if is_captured(connection):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
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


def fetch_rows(sql: str, params: Sequence[Any], using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
    """fetch_all for statements built per call (an IN list, a compiled queryset inside): run
    through Django's cursor, whose placeholder rewriting handles any SQL Django writes."""
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql: str, params: Sequence[Any] = (), using: str = DEFAULT_DB_ALIAS) -> None:
    """Runs one statement that returns no rows (DDL, a bulk INSERT ... SELECT)."""
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)


def execute_many(sql: str, rows: Iterable[Sequence[Any]], using: str = DEFAULT_DB_ALIAS) -> None:
    """Runs one statement once per row of parameters, in one driver call."""
    with connections[using].cursor() as cursor:
        cursor.executemany(sql, rows)


def copy_rows(
    table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], using: str = DEFAULT_DB_ALIAS
) -> None:
    """Postgres COPY of rows into table (quoted names): the fastest bulk load there is.

    Django's cursor has no COPY, so the statement goes through its execute wrappers and query
    log by hand, to stay visible like any other.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise NotSupportedError("COPY is a Postgres statement.")
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"

    def run(sql: str, params: Any, many: bool, context: dict) -> None:
        with context["cursor"].cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    with connection.cursor() as cursor:
        # Only the debug cursor (DEBUG, query capture) logs; the plain one has no debug_sql.
        logged = cursor.debug_sql(sql) if hasattr(cursor, "debug_sql") else nullcontext()
        with logged, connection.wrap_database_errors:
            cursor._execute_with_wrappers(sql, None, many=False, executor=run)
