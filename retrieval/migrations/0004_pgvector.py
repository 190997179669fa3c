"""On Postgres with the pgvector extension available: a vector column beside each chunk's
embedding bytes, and an HNSW cosine index for the default embedder's 256 dimensions.

Where CREATE EXTENSION vector fails (not installed, or not allowed), nothing is made and
vector search stays exact, in numpy; the server says which in /healthz and its log.
"""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

CREATE = [
    "ALTER TABLE retrieval_chunk ADD COLUMN embedding_vector vector",
    "CREATE INDEX retrieval_chunk_hnsw_256 ON retrieval_chunk USING hnsw "
    "((embedding_vector::vector(256)) vector_cosine_ops) WHERE dimension = 256",
]


def add_vector_column(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except DatabaseError as exc:
        logger.warning("pgvector is not available (%s); vector search will be exact.", exc)
        return
    for statement in CREATE:
        schema_editor.execute(statement)


def drop_vector_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS retrieval_chunk_hnsw_256")
        schema_editor.execute("ALTER TABLE retrieval_chunk DROP COLUMN IF EXISTS embedding_vector")


class Migration(migrations.Migration):
    dependencies = [("retrieval", "0003_demo_plugin")]

    operations = [migrations.RunPython(add_vector_column, drop_vector_column)]
