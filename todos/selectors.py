"""The TODO reads: a user's list on a plugin, as texts or as the JSON array the API sends."""

import json

from django.db import connection

from pluginmeta.db import fetch_all
from pluginmeta.models import Plugin
from todos.models import Todo

# The hottest queries of the API, in plain SQL: the ORM's per-call query compilation costs
# several times the query itself (docs/performance.md, "The driver cursor"). The table name
# comes from the model, never from input, and values are bound parameters.
_TABLE = Todo._meta.db_table
LIST_SQL = f"SELECT text FROM {_TABLE} WHERE plugin_id = %s AND owner = %s ORDER BY id"  # noqa: S608

# The list as one JSON array text, built by the database: no row objects, no encoding in
# Python. Both databases escape as Python's json module does (tests hold them to it).
LIST_JSON_SQL = {
    "sqlite": (
        f"SELECT json_group_array(text) FROM (SELECT text FROM {_TABLE} "  # noqa: S608
        "WHERE plugin_id = %s AND owner = %s ORDER BY id)"
    ),
    "postgresql": (
        "SELECT COALESCE('[' || string_agg(to_json(t.text)::text, ',' ORDER BY t.id) || ']', "  # noqa: S608
        f"'[]') FROM {_TABLE} t WHERE t.plugin_id = %s AND t.owner = %s"
    ),
}


def list_todos(plugin: Plugin, owner: str) -> list[str]:
    return [text for (text,) in fetch_all(LIST_SQL, (plugin.pk, owner))]


def list_todos_json(plugin: Plugin, owner: str) -> str:
    """The owner's list as a compact JSON array, as json.dumps(list_todos(...)) would write it."""
    sql = LIST_JSON_SQL.get(connection.vendor)
    if sql is None:
        return json.dumps(list_todos(plugin, owner), ensure_ascii=False, separators=(",", ":"))
    ((array,),) = fetch_all(sql, (plugin.pk, owner))
    return array
