"""todos.services against the real database: the JSON the database writes for a list."""

import json

import pytest

from todos import selectors, services

pytestmark = pytest.mark.mutation

TRICKY = [
    'quote " and backslash \\ and slash /',
    "tab\tnewline\nreturn\rbackspace\bformfeed\f",
    "\x01\x1f\x7f control and delete",
    "é ü ß 中文 \U0001f600",
    "line separator \u2028 paragraph separator \u2029",
    "<script>alert(1)</script> & '",
    " leading and trailing ",
]


@pytest.mark.django_db
def test_the_database_writes_the_list_as_json_dumps_would(noauth_plugin):
    for text in TRICKY:
        services.add_todo(noauth_plugin, "alice", text)
    array = selectors.list_todos_json(noauth_plugin, "alice")
    assert array == json.dumps(TRICKY, ensure_ascii=False, separators=(",", ":"))
    assert json.loads(array) == TRICKY
    assert selectors.list_todos(noauth_plugin, "alice") == TRICKY


@pytest.mark.django_db
def test_an_empty_list_is_an_empty_array(noauth_plugin):
    assert selectors.list_todos_json(noauth_plugin, "nobody") == "[]"


@pytest.mark.django_db
def test_the_json_list_keeps_insertion_order_after_deletes(noauth_plugin):
    for n in range(30):
        assert services.add_todo(noauth_plugin, "bob", f"item {n}") == n
    # Each index counts in the list as it is after the deletes before it.
    deleted = [services.delete_todo(noauth_plugin, "bob", index) for index in (0, 10, 20)]
    assert deleted == ["item 0", "item 11", "item 22"]
    expected = [f"item {n}" for n in range(30) if n not in {0, 11, 22}]
    assert selectors.list_todos(noauth_plugin, "bob") == expected
    assert json.loads(selectors.list_todos_json(noauth_plugin, "bob")) == expected


@pytest.mark.django_db
def test_a_database_without_its_own_json_query_gets_the_same_json(noauth_plugin, monkeypatch):
    # Only SQLite and Postgres have a query that builds the array; any other vendor falls back.
    monkeypatch.setattr(selectors, "LIST_JSON_SQL", {})
    for text in TRICKY:
        services.add_todo(noauth_plugin, "alice", text)
    services.add_todo(noauth_plugin, "bob", "not alice's")
    array = selectors.list_todos_json(noauth_plugin, "alice")
    assert array == json.dumps(TRICKY, ensure_ascii=False, separators=(",", ":"))
