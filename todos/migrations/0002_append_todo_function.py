"""Postgres: todos_append, addTodo's insert and position in one call under the list's lock."""

from django.db import migrations

# Called by todos.services.add_todo. A VOLATILE function takes a new snapshot for each of its
# statements, so the count, made once the list's advisory lock is granted, sees every earlier
# writer's committed rows; the lock is held until the calling transaction commits.
CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION todos_append(
    list_key bigint, list_plugin bigint, list_owner varchar, item_text varchar,
    item_created timestamptz
) RETURNS bigint VOLATILE LANGUAGE plpgsql AS $$
DECLARE
    new_id bigint;
    ahead bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(list_key);
    INSERT INTO todos_todo (plugin_id, owner, text, created_at)
        VALUES (list_plugin, list_owner, item_text, item_created) RETURNING id INTO new_id;
    SELECT count(*) INTO ahead FROM todos_todo
        WHERE plugin_id = list_plugin AND owner = list_owner AND id < new_id;
    RETURN ahead;
END
$$
"""
DROP_FUNCTION = (
    "DROP FUNCTION IF EXISTS todos_append(bigint, bigint, varchar, varchar, timestamptz)"
)


def create_function(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_FUNCTION)


def drop_function(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("todos", "0001_initial")]

    operations = [migrations.RunPython(create_function, drop_function)]
