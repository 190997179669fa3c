"""Database helpers of the hot paths: the SQLite writer lock and the driver-level read."""

import fcntl
import os
import threading

import pytest
from django.db import DatabaseError, connection

from todos.db import fetch_all, serialized_writes


@pytest.mark.django_db
def test_serialized_writes_holds_an_os_lock_on_sqlite_only():
    lock_path = f"{connection.settings_dict['NAME']}.writelock"
    with serialized_writes():
        if connection.vendor == "sqlite":
            other = os.open(lock_path, os.O_RDWR)
            try:
                # Another open file description (as another process has) cannot take it.
                with pytest.raises(BlockingIOError):
                    fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            finally:
                os.close(other)
        else:
            assert not os.path.exists(lock_path)
    if connection.vendor == "sqlite":
        other = os.open(lock_path, os.O_RDWR)
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released on leaving
        finally:
            os.close(other)


@pytest.mark.django_db
def test_fetch_all_reads_with_bound_parameters(noauth_plugin):
    rows = fetch_all(
        "SELECT slug FROM pluginmeta_plugin WHERE id = %s AND slug = %s",
        (noauth_plugin.pk, "todo"),
    )
    assert rows == [("todo",)]
    assert fetch_all("SELECT slug FROM pluginmeta_plugin WHERE slug = %s", ("x' OR '1'='1",)) == []


@pytest.mark.django_db
def test_fetch_all_raises_django_database_errors():
    with pytest.raises(DatabaseError):
        fetch_all("SELECT nothing FROM no_such_table WHERE id = %s", (1,))


def test_serialized_writes_can_nest():
    done = threading.Event()

    def nested() -> None:
        with serialized_writes(), serialized_writes():
            done.set()

    worker = threading.Thread(target=nested, daemon=True)
    worker.start()
    worker.join(timeout=10)  # a non-reentrant lock would hang here, not pass
    assert done.is_set()
