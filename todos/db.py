"""Database helpers for the apps' hot paths, the same on SQLite and Postgres."""

import fcntl
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

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
