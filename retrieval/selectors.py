"""The retrieval reads: documents by id or filter, and chunk search by keywords, vectors or both.

Keyword and vector search run as raw SQL through Django's connection, on the keyword index
the migrations made for the database in use (FTS5 on SQLite, tsvector on Postgres); the
document filter is the ORM's own SQL, bound as a subquery.
"""

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.db import connection
from django.db.models import Count, QuerySet

from pluginmeta.models import Plugin
from retrieval.embedders import Embedder, current_embedder
from retrieval.models import Chunk, Document
from retrieval.pgvector import has_pgvector, nearest

MODES = ("keyword", "vector", "hybrid")
# Reciprocal rank fusion's constant: a document's score is the sum of 1 / (RRF_K + rank).
RRF_K = 60
# How many hits of each list fusion looks at, at least.
FUSION_DEPTH = 50


@dataclass(frozen=True)
class DocumentFilter:
    document_id: str | None = None
    source: str | None = None
    source_id: str | None = None
    author: str | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None


@dataclass(frozen=True)
class ChunkHit:
    chunk: Chunk
    score: float


def filtered_documents(
    plugin: Plugin, owner: str, document_filter: DocumentFilter | None
) -> QuerySet:
    documents = Document.objects.filter(plugin=plugin, owner=owner)
    if document_filter is None:
        return documents
    f = document_filter
    exact = {
        "document_id": f.document_id,
        "source": f.source,
        "source_id": f.source_id,
        "author": f.author,
    }
    documents = documents.filter(
        **{key: value for key, value in exact.items() if value is not None}
    )
    if f.start_date is not None:
        documents = documents.filter(created_at__gte=f.start_date)
    if f.end_date is not None:
        documents = documents.filter(created_at__lte=f.end_date)
    return documents


def get_document(plugin: Plugin, owner: str, document_id: str) -> Document | None:
    return (
        Document.objects.filter(plugin=plugin, owner=owner, document_id=document_id)
        .annotate(chunk_count=Count("chunks"))
        .first()
    )


def _document_subquery(plugin: Plugin, owner: str, document_filter: DocumentFilter | None):
    return filtered_documents(plugin, owner, document_filter).values("pk").query.sql_with_params()


def fts5_match(query: str) -> str:
    """An FTS5 MATCH expression for any user text: each term quoted, any one may match."""
    terms = query.split()
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)


def websearch_text(query: str) -> str:
    """websearch_to_tsquery text matching any of the terms (its default asks for all)."""
    terms = [term.strip('"-') for term in query.split()]
    return " or ".join(term for term in terms if term and term.lower() != "or")


def keyword_hits(
    plugin: Plugin, owner: str, query: str, document_filter: DocumentFilter | None, limit: int
) -> list[tuple[int, float]]:
    """(chunk pk, score) by keyword relevance, best first: BM25 on SQLite, ts_rank_cd on
    Postgres."""
    subquery, params = _document_subquery(plugin, owner, document_filter)
    if connection.vendor == "sqlite":
        match = fts5_match(query)
        if not match:
            return []
        sql = (
            "SELECT c.id, -bm25(retrieval_chunk_fts) FROM retrieval_chunk_fts "  # noqa: S608
            "JOIN retrieval_chunk c ON c.id = retrieval_chunk_fts.rowid "
            f"WHERE retrieval_chunk_fts MATCH %s AND c.document_id IN ({subquery}) "
            "ORDER BY bm25(retrieval_chunk_fts) LIMIT %s"
        )
        arguments = [match, *params, limit]
    elif connection.vendor == "postgresql":
        text = websearch_text(query)
        if not text:
            return []
        sql = (
            "SELECT c.id, ts_rank_cd(c.search_vector, q) FROM retrieval_chunk c, "  # noqa: S608
            "websearch_to_tsquery('english', %s) q "
            f"WHERE c.search_vector @@ q AND c.document_id IN ({subquery}) "
            "ORDER BY 2 DESC, c.id LIMIT %s"
        )
        arguments = [text, *params, limit]
    else:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, arguments)
        return [(pk, float(score)) for pk, score in cursor.fetchall()]


@dataclass(frozen=True)
class _Vectors:
    stamp: tuple
    pks: np.ndarray
    matrix: np.ndarray


# One owner's vectors per (database, plugin, owner, embedder, dimension), kept in the process
# while their stamp holds: reading 100k stored vectors costs far more than the search itself.
_vector_cache: OrderedDict[tuple, _Vectors] = OrderedDict()
_vector_cache_lock = threading.Lock()
_loading_locks: dict[tuple, threading.Lock] = {}
VECTOR_CACHE_ENTRIES = 8

_CORPUS = (
    "FROM retrieval_chunk c JOIN retrieval_document d ON d.id = c.document_id "
    "WHERE d.plugin_id = %s AND d.owner = %s AND c.embedder = %s AND c.dimension = %s"
)


def _owner_vectors(plugin: Plugin, owner: str, embedder_name: str, dimension: int) -> _Vectors:
    """The owner's chunk vectors of this embedder, from the cache while nothing changed.

    The stamp (count, largest and sum of chunk ids) changes with every write: an upsert
    makes new chunk rows, a delete removes some.
    """
    params = [plugin.pk, owner, embedder_name, dimension]
    settings = connection.settings_dict
    key = (settings["NAME"], settings["HOST"], *params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), max(c.id), sum(c.id) {_CORPUS}", params)
        stamp = tuple(cursor.fetchone())
        with _vector_cache_lock:
            cached = _vector_cache.get(key)
            if cached is not None and cached.stamp == stamp:
                _vector_cache.move_to_end(key)
                return cached
            loading = _loading_locks.setdefault(key, threading.Lock())
        # One thread of the process reads the vectors; the others wait for its copy.
        with loading:
            with _vector_cache_lock:
                cached = _vector_cache.get(key)
                if cached is not None and cached.stamp == stamp:
                    return cached
            cursor.execute(f"SELECT c.id, c.embedding {_CORPUS} ORDER BY c.id", params)
            rows = cursor.fetchall()
            vectors = _as_vectors(stamp, rows, dimension)
            with _vector_cache_lock:
                _vector_cache[key] = vectors
                while len(_vector_cache) > VECTOR_CACHE_ENTRIES:
                    evicted, _ = _vector_cache.popitem(last=False)
                    _loading_locks.pop(evicted, None)
    return vectors


def _as_vectors(stamp: tuple, rows: list, dimension: int) -> _Vectors:
    pks = np.fromiter((pk for pk, _ in rows), dtype=np.int64, count=len(rows))
    blob = b"".join(bytes(embedding) for _, embedding in rows)
    matrix = np.frombuffer(blob, dtype="<f4").reshape(len(rows), dimension)
    return _Vectors(stamp, pks, matrix)


def vector_hits(
    plugin: Plugin,
    owner: str,
    vector: np.ndarray,
    embedder_name: str,
    document_filter: DocumentFilter | None,
    limit: int,
) -> list[tuple[int, float]]:
    """(chunk pk, cosine similarity), best first, over the chunks this embedder made: by
    pgvector where the database has it, exactly in numpy otherwise."""
    subquery, params = _document_subquery(plugin, owner, document_filter)
    if has_pgvector():
        return nearest(vector, embedder_name, subquery, params, limit)
    dimension = int(vector.shape[0])
    corpus = _owner_vectors(plugin, owner, embedder_name, dimension)
    if not len(corpus.pks):
        return []
    scores = corpus.matrix @ vector.astype(np.float32)
    if document_filter is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT c.id FROM retrieval_chunk c WHERE c.document_id IN ({subquery})",  # noqa: S608
                params,
            )
            allowed = np.fromiter((pk for (pk,) in cursor.fetchall()), dtype=np.int64)
        scores = np.where(np.isin(corpus.pks, allowed), scores, -np.inf)
    take = min(limit, int(np.isfinite(scores).sum()))
    if take == 0:
        return []
    best = np.argpartition(-scores, take - 1)[:take]
    best = best[np.argsort(-scores[best], kind="stable")]
    return [(int(corpus.pks[i]), float(scores[i])) for i in best]


def fuse(lists: Sequence[list[tuple[int, float]]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: each chunk scores the sum of 1 / (k + rank) over the lists."""
    scores: dict[int, float] = {}
    for hits in lists:
        for rank, (pk, _) in enumerate(hits, start=1):
            scores[pk] = scores.get(pk, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def ranked_chunk_ids(
    plugin: Plugin,
    owner: str,
    query: str,
    document_filter: DocumentFilter | None,
    limit: int,
    mode: str,
    embedder: Embedder | None = None,
) -> list[tuple[int, float]]:
    depth = max(limit, FUSION_DEPTH) if mode == "hybrid" else limit
    keyword = vector = []
    if mode in ("keyword", "hybrid"):
        keyword = keyword_hits(plugin, owner, query, document_filter, depth)
    if mode in ("vector", "hybrid"):
        embedder = embedder or current_embedder()
        query_vector = embedder.embed([query])[0]
        vector = vector_hits(plugin, owner, query_vector, embedder.name, document_filter, depth)
    if mode == "keyword":
        return keyword
    if mode == "vector":
        return vector
    return fuse([keyword, vector])[:limit]


def query_chunks(
    plugin: Plugin,
    owner: str,
    query: str,
    document_filter: DocumentFilter | None,
    top_k: int,
    mode: str,
    embedder: Embedder | None = None,
) -> list[ChunkHit]:
    """The owner's top_k chunks for query, best first, with their documents."""
    ranked = ranked_chunk_ids(plugin, owner, query, document_filter, top_k, mode, embedder)
    chunks = Chunk.objects.select_related("document").in_bulk([pk for pk, _ in ranked])
    return [ChunkHit(chunks[pk], score) for pk, score in ranked if pk in chunks]


def search_documents(
    plugin: Plugin, owner: str, query: str, mode: str, limit: int = 10
) -> list[Document]:
    """Documents whose chunks best match query, best first, each once."""
    ranked = ranked_chunk_ids(plugin, owner, query, None, limit * 5, mode)
    chunk_documents = dict(
        Chunk.objects.filter(pk__in=[pk for pk, _ in ranked]).values_list("pk", "document_id")
    )
    order: list[int] = []
    for pk, _ in ranked:
        document_pk = chunk_documents.get(pk)
        if document_pk is not None and document_pk not in order:
            order.append(document_pk)
    documents = Document.objects.in_bulk(order[:limit])
    return [documents[pk] for pk in order[:limit] if pk in documents]
