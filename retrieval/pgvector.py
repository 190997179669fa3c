"""pgvector on Postgres, where the migrations could create it: vectors stored in a vector
column as well as in bytes, and nearest chunks found through the HNSW index.

Everywhere else (SQLite, Postgres without the extension) vector search is exact, in numpy
(retrieval.selectors.vector_hits); has_pgvector() tells which.
"""

import logging
from collections.abc import Sequence

import numpy as np
from django.db import connection, transaction

logger = logging.getLogger(__name__)

# The dimension the HNSW index covers: the default embedder's (migration 0004).
INDEXED_DIMENSION = 256
# Vectors written per statement.
STORE_BATCH = 200
_state: dict[tuple, bool] = {}


def has_pgvector() -> bool:
    """Whether this database has the chunk vector column; looked up once per process."""
    if connection.vendor != "postgresql":
        return False
    settings = connection.settings_dict
    key = (settings["HOST"], settings["PORT"], settings["NAME"])
    if key not in _state:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_name = 'retrieval_chunk' "
                "AND column_name = 'embedding_vector'"
            )
            _state[key] = cursor.fetchone() is not None
        if _state[key]:
            logger.info("retrieval: vectors are searched with pgvector (HNSW, cosine)")
        else:
            logger.warning("retrieval: pgvector is not installed; vectors are searched exactly")
    return _state[key]


def vector_search_state() -> str:
    """How vector search runs here: "pgvector" or "exact"."""
    return "pgvector" if has_pgvector() else "exact"


def literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{float(x):.7g}" for x in vector) + "]"


def store_vectors(chunk_ids: Sequence[int], vectors: np.ndarray) -> None:
    """Copies the chunks' vectors into the vector column (a no-op without pgvector)."""
    if not chunk_ids or not has_pgvector():
        return
    with connection.cursor() as cursor:
        # In slices, so that no statement (each updates the HNSW index) nears the server's
        # statement time limit.
        for start in range(0, len(chunk_ids), STORE_BATCH):
            cursor.execute(
                "UPDATE retrieval_chunk c SET embedding_vector = v.vector::vector "
                "FROM unnest(%s::bigint[], %s::text[]) AS v(id, vector) WHERE c.id = v.id",
                [
                    list(chunk_ids[start : start + STORE_BATCH]),
                    [literal(vector) for vector in vectors[start : start + STORE_BATCH]],
                ],
            )


def nearest(
    vector: np.ndarray, embedder_name: str, subquery: str, params: Sequence, limit: int
) -> list[tuple[int, float]]:
    """(chunk pk, cosine similarity) of the nearest chunks, through the HNSW index when the
    dimension is the indexed one, by a pgvector scan otherwise."""
    dimension = int(vector.shape[0])
    cast = f"::vector({dimension})"  # an int: no input reaches the SQL text
    sql = (
        f"SELECT c.id, 1 - (c.embedding_vector{cast} <=> %s{cast}) FROM retrieval_chunk c "  # noqa: S608
        f"WHERE c.dimension = %s AND c.embedder = %s AND c.document_id IN ({subquery}) "
        f"ORDER BY c.embedding_vector{cast} <=> %s{cast} LIMIT %s"
    )
    query = literal(vector)
    with transaction.atomic(), connection.cursor() as cursor:
        # Keeps walking the index until limit rows pass the owner and filter conditions.
        cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        cursor.execute(sql, [query, dimension, embedder_name, *params, query, limit])
        return [(pk, float(score)) for pk, score in cursor.fetchall()]
