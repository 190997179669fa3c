"""pluginmeta.db: the SQLite writer lock, the hot-path read and the bulk writes, all visible
to Django's query capture."""

import fcntl
import os
import threading

import pytest
from django.db import DatabaseError, NotSupportedError, connection
from django.test.utils import CaptureQueriesContext

from pluginmeta.db import copy_rows, execute, execute_many, fetch_all, fetch_rows, serialized_writes


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


SELECT_SLUG = "SELECT slug FROM pluginmeta_plugin WHERE slug = %s"


@pytest.mark.django_db
def test_every_statement_is_seen_by_query_capture():
    with CaptureQueriesContext(connection) as captured:
        fetch_all(SELECT_SLUG, ("todo",))
        fetch_rows(SELECT_SLUG, ("sports",))
        execute("CREATE TEMPORARY TABLE scratch_rows (n integer)")
        execute_many("INSERT INTO scratch_rows (n) VALUES (%s)", [(1,), (2,)])
    sql = [query["sql"] for query in captured.captured_queries]
    assert len(sql) == 4, sql
    assert "'todo'" in sql[0] and "'sports'" in sql[1]
    assert "scratch_rows" in sql[2] and sql[3].startswith("2 times: INSERT INTO scratch_rows")


@pytest.mark.django_db
def test_every_statement_goes_through_execute_wrappers():
    seen: list[str] = []

    def wrapper(execute_statement, sql, params, many, context):
        seen.append(sql)
        return execute_statement(sql, params, many, context)

    insert = "INSERT INTO scratch_wrapped (n) VALUES (%s)"
    execute("CREATE TEMPORARY TABLE scratch_wrapped (n integer)")
    with connection.execute_wrapper(wrapper):
        assert fetch_all(SELECT_SLUG, ("todo",)) == [("todo",)]
        assert fetch_rows(SELECT_SLUG, ("todo",)) == [("todo",)]
        execute_many(insert, [(1,)])
    assert seen == [SELECT_SLUG, SELECT_SLUG, insert]


@pytest.mark.django_db
def test_fetch_all_gives_the_same_rows_whether_captured_or_not():
    plain = fetch_all(SELECT_SLUG, ("todo",))
    with CaptureQueriesContext(connection):
        captured = fetch_all(SELECT_SLUG, ("todo",))
    assert plain == captured == [("todo",)]


@pytest.mark.django_db
def test_copy_rows_loads_rows_and_is_captured_on_postgres():
    if connection.vendor != "postgresql":
        with pytest.raises(NotSupportedError):
            copy_rows('"pluginmeta_plugin"', ['"slug"'], [])
        return
    execute("CREATE TEMPORARY TABLE scratch_copy (n integer, label text)")
    seen: list[str] = []

    def wrapper(execute_statement, sql, params, many, context):
        seen.append(sql)
        return execute_statement(sql, params, many, context)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(wrapper):
        copy_rows("scratch_copy", ["n", "label"], [(1, "one"), (2, "it's")])
    assert fetch_rows("SELECT n, label FROM scratch_copy ORDER BY n", ()) == [
        (1, "one"),
        (2, "it's"),
    ]
    assert seen == ["COPY scratch_copy (n, label) FROM STDIN"]
    assert [q["sql"] for q in captured.captured_queries] == seen
