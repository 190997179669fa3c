"""SQLite: the FTS5 index files each chunk under its owner's scope, a word of its own column.

A keyword query then asks for the scope and the terms in one MATCH, so FTS5 keeps to the
owner's chunks inside its index instead of joining every matching chunk of every owner to
its document (the join cost as much as the ranking). The scope word is `p<plugin id>o<owner
as UTF-8 hex>0`: one token to the tokenizer, left alone by the Porter stemmer (it ends in a
digit), and different for any two owners. The table is contentless (it keeps no copy of the
text); the triggers give it the values it indexed when a chunk goes, as FTS5 needs, and move
a document's chunks to the new scope if its plugin or owner ever changes. Postgres is
unchanged.
"""

from importlib import import_module

from django.db import migrations

SCOPE = "'p' || d.plugin_id || 'o' || lower(hex(d.owner)) || '0'"
OLD_SCOPE = "'p' || old.plugin_id || 'o' || lower(hex(old.owner)) || '0'"
NEW_SCOPE = "'p' || new.plugin_id || 'o' || lower(hex(new.owner)) || '0'"
FTS = "retrieval_chunk_fts"

DROP_OLD = [
    "DROP TRIGGER IF EXISTS retrieval_chunk_fts_insert",
    "DROP TRIGGER IF EXISTS retrieval_chunk_fts_delete",
    "DROP TRIGGER IF EXISTS retrieval_chunk_fts_update",
    f"DROP TABLE IF EXISTS {FTS}",
]
CREATE = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(text, scope, content='', tokenize='porter unicode61')",
    f"INSERT INTO {FTS}(rowid, text, scope) SELECT c.id, c.text, {SCOPE} "
    "FROM retrieval_chunk c JOIN retrieval_document d ON d.id = c.document_id",
    "CREATE TRIGGER retrieval_chunk_fts_insert AFTER INSERT ON retrieval_chunk BEGIN "
    f"INSERT INTO {FTS}(rowid, text, scope) SELECT new.id, new.text, {SCOPE} "
    "FROM retrieval_document d WHERE d.id = new.document_id; END",
    "CREATE TRIGGER retrieval_chunk_fts_delete AFTER DELETE ON retrieval_chunk BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, text, scope) SELECT 'delete', old.id, old.text, {SCOPE} "
    "FROM retrieval_document d WHERE d.id = old.document_id; END",
    "CREATE TRIGGER retrieval_chunk_fts_update AFTER UPDATE OF text, document_id "
    "ON retrieval_chunk BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, text, scope) SELECT 'delete', old.id, old.text, {SCOPE} "
    "FROM retrieval_document d WHERE d.id = old.document_id; "
    f"INSERT INTO {FTS}(rowid, text, scope) SELECT new.id, new.text, {SCOPE} "
    "FROM retrieval_document d WHERE d.id = new.document_id; END",
    # A document deleted before its chunks (foreign keys are checked at commit) takes their
    # index entries with it, while its scope can still be read.
    "CREATE TRIGGER retrieval_document_fts_delete BEFORE DELETE ON retrieval_document BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, text, scope) SELECT 'delete', c.id, c.text, {OLD_SCOPE} "
    "FROM retrieval_chunk c WHERE c.document_id = old.id; END",
    "CREATE TRIGGER retrieval_document_fts_scope AFTER UPDATE OF plugin_id, owner "
    "ON retrieval_document WHEN old.plugin_id IS NOT new.plugin_id OR old.owner IS NOT new.owner "
    "BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, text, scope) SELECT 'delete', c.id, c.text, {OLD_SCOPE} "
    "FROM retrieval_chunk c WHERE c.document_id = old.id; "
    f"INSERT INTO {FTS}(rowid, text, scope) SELECT c.id, c.text, {NEW_SCOPE} "
    "FROM retrieval_chunk c WHERE c.document_id = new.id; END",
]
DROP_NEW = [
    "DROP TRIGGER IF EXISTS retrieval_document_fts_delete",
    "DROP TRIGGER IF EXISTS retrieval_document_fts_scope",
    *DROP_OLD,
]
# 0002's index and its runner, for migrating back.
keyword_index = import_module("retrieval.migrations.0002_keyword_index")


class Migration(migrations.Migration):
    dependencies = [("retrieval", "0004_pgvector")]

    operations = [
        migrations.RunPython(
            keyword_index._run({"sqlite": [*DROP_OLD, *CREATE]}),
            keyword_index._run({"sqlite": [*DROP_NEW, *keyword_index.SQLITE_CREATE]}),
        )
    ]
