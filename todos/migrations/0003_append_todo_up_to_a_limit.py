"""Postgres: todos_append appends only while the list holds fewer than a given number of todos."""

from importlib import import_module

from django.db import migrations

# Called by todos.services.add_todo. A VOLATILE function takes a new snapshot for each of its
# statements, so the count, made once the list's advisory lock is granted, sees every earlier
# writer's committed rows, all of them ahead of the new one (its id comes from the sequence
# later); the lock is held until the calling transaction commits. A full list gets -1 and no
# row.
CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION todos_append(
    list_key bigint, list_plugin bigint, list_owner varchar, item_text varchar,
    item_created timestamptz, max_items bigint
) RETURNS bigint VOLATILE LANGUAGE plpgsql AS $$
DECLARE
    ahead bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(list_key);
    SELECT count(*) INTO ahead FROM todos_todo
        WHERE plugin_id = list_plugin AND owner = list_owner;
    IF ahead >= max_items THEN
        RETURN -1;
    END IF;
    INSERT INTO todos_todo (plugin_id, owner, text, created_at)
        VALUES (list_plugin, list_owner, item_text, item_created);
    RETURN ahead;
END
$$
"""
DROP_FUNCTION = (
    "DROP FUNCTION IF EXISTS todos_append(bigint, bigint, varchar, varchar, timestamptz, bigint)"
)
# The unlimited function of 0002, which the new one replaces.
DROP_UNLIMITED_FUNCTION = (
    "DROP FUNCTION IF EXISTS todos_append(bigint, bigint, varchar, varchar, timestamptz)"
)


def create_function(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_UNLIMITED_FUNCTION)
        schema_editor.execute(CREATE_FUNCTION)


def restore_unlimited_function(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_FUNCTION)
        unlimited = import_module("todos.migrations.0002_append_todo_function")
        schema_editor.execute(unlimited.CREATE_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("todos", "0002_append_todo_function")]

    operations = [migrations.RunPython(create_function, restore_unlimited_function)]
