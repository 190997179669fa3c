"""The keyword index of chunks, on each database in its own way.

SQLite: an FTS5 table over retrieval_chunk.text, kept in step by triggers, so every write of
a chunk updates it inside the same transaction. Postgres: a generated tsvector column with a
GIN index. Other databases get neither, and keyword search there finds nothing.
"""

from django.db import migrations

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE retrieval_chunk_fts USING fts5("
    "text, content='retrieval_chunk', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER retrieval_chunk_fts_insert AFTER INSERT ON retrieval_chunk BEGIN "
    "INSERT INTO retrieval_chunk_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER retrieval_chunk_fts_delete AFTER DELETE ON retrieval_chunk BEGIN "
    "INSERT INTO retrieval_chunk_fts(retrieval_chunk_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER retrieval_chunk_fts_update AFTER UPDATE OF text ON retrieval_chunk BEGIN "
    "INSERT INTO retrieval_chunk_fts(retrieval_chunk_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); "
    "INSERT INTO retrieval_chunk_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO retrieval_chunk_fts(retrieval_chunk_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS retrieval_chunk_fts_insert",
    "DROP TRIGGER IF EXISTS retrieval_chunk_fts_delete",
    "DROP TRIGGER IF EXISTS retrieval_chunk_fts_update",
    "DROP TABLE IF EXISTS retrieval_chunk_fts",
]
POSTGRES_CREATE = [
    "ALTER TABLE retrieval_chunk ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', text)) STORED",
    "CREATE INDEX retrieval_chunk_search ON retrieval_chunk USING GIN (search_vector)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS retrieval_chunk_search",
    "ALTER TABLE retrieval_chunk DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("retrieval", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
