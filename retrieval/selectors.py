"""The retrieval reads: documents by id or filter, and chunk search by keywords, vectors or both.

Keyword and vector search run as raw SQL through Django's connection, on the keyword index
the migrations made for the database in use (FTS5 on SQLite, tsvector on Postgres); the
document filter is the ORM's own SQL, bound as a subquery.
"""

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from django.db import connection
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from pluginmeta.db import fetch_all, fetch_rows
from pluginmeta.models import Plugin
from retrieval.embedders import Embedder, current_embedder
from retrieval.models import Chunk, Document
from retrieval.pgvector import has_pgvector, nearest

MODES = ("keyword", "vector", "hybrid")
# Reciprocal rank fusion's constant: a document's score is the sum of 1 / (RRF_K + rank).
RRF_K = 60
# How many hits of each list fusion looks at, at least.
FUSION_DEPTH = 50
# The words Postgres' english configuration (Snowball's list) leaves out of a query, left out
# on SQLite too: in an OR query they add little to the ranking and much to the work, since
# nearly every chunk holds one.
_STOPWORDS = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what
    which who whom this that these those am is are was were be been being have has had
    having do does did doing a an the and but if or because as until while of at by for
    with about against between into through during before after above below to from up
    down in out on off over under again further then once here there when where why how
    all any both each few more most other some such no nor not only own same so than too
    very s t can will just don should now
"""
STOPWORDS = frozenset(_STOPWORDS.split())


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
    """A chunk a query found, with the fields of its document an answer shows."""

    document_id: str
    position: int
    text: str
    score: float
    title: str
    source: str
    source_id: str
    url: str
    author: str
    created_at: datetime | None


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
    """An FTS5 MATCH expression for any user text: each term quoted, any one may match;
    stopwords left out unless the text holds nothing else."""
    terms = query.split()
    terms = [term for term in terms if term.lower().strip(".,;:!?'\"()") not in STOPWORDS] or terms
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)


def websearch_text(query: str) -> str:
    """websearch_to_tsquery text matching any of the terms (its default asks for all)."""
    terms = [term.strip('"-') for term in query.split()]
    return " or ".join(term for term in terms if term and term.lower() != "or")


def owner_scope(plugin_id: int, owner: str) -> str:
    """The word SQLite's keyword index files an owner's chunks under (migration 0005)."""
    return f"p{plugin_id}o{owner.encode().hex()}0"


def keyword_hits(
    plugin: Plugin, owner: str, query: str, document_filter: DocumentFilter | None, limit: int
) -> list[tuple[int, float]]:
    """(chunk pk, score) by keyword relevance, best first: BM25 on SQLite, ts_rank on
    Postgres (normalised by the log of the chunk's length)."""
    if connection.vendor == "sqlite":
        match = fts5_match(query)
        if not match:
            return []
        # The owner's scope is part of the MATCH, so FTS5 ranks their chunks only; the
        # scope column weighs nothing in BM25, so scores are those of the text alone.
        expression = f'scope : "{owner_scope(plugin.pk, owner)}" AND text : ({match})'
        sql = (
            "SELECT rowid, bm25(retrieval_chunk_fts, 1.0, 0.0) AS rank "
            "FROM retrieval_chunk_fts WHERE retrieval_chunk_fts MATCH %s"
        )
        arguments: list = [expression]
        if document_filter is not None:
            subquery, params = _document_subquery(plugin, owner, document_filter)
            sql += (
                " AND rowid IN (SELECT c.id FROM retrieval_chunk c "  # noqa: S608
                f"WHERE c.document_id IN ({subquery}))"
            )
            arguments += params
        rows = _fetch(f"{sql} ORDER BY rank LIMIT %s", [*arguments, limit], document_filter)
        return [(pk, -score) for pk, score in rows]
    if connection.vendor == "postgresql":
        text = websearch_text(query)
        if not text:
            return []
        # ts_rank_cd scores the covers of all the terms together, which an OR query seldom
        # has; ts_rank with normalisation 1 ranked the test collection better
        # (docs/records/retrieval-benchmarks.md).
        sql = (
            "SELECT c.id, ts_rank(c.search_vector, q, 1) AS rank "
            "FROM retrieval_chunk c JOIN retrieval_document d ON d.id = c.document_id, "
            "websearch_to_tsquery('english', %s) q "
            "WHERE c.search_vector @@ q AND d.plugin_id = %s AND d.owner = %s"
        )
        arguments = [text, plugin.pk, owner]
        if document_filter is not None:
            subquery, params = _document_subquery(plugin, owner, document_filter)
            sql += f" AND c.document_id IN ({subquery})"
            arguments += params
        rows = _fetch(
            f"{sql} ORDER BY rank DESC, c.id LIMIT %s", [*arguments, limit], document_filter
        )
        return [(pk, float(score)) for pk, score in rows]
    return []


def _fetch(sql: str, params: list, document_filter: DocumentFilter | None) -> list[tuple]:
    """A fixed statement on the driver's cursor; one holding a filter's compiled queryset
    through Django's, which rewrites any SQL the ORM writes."""
    if document_filter is None:
        return fetch_all(sql, params)
    return fetch_rows(sql, params)


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

    The stamp is read from the owner's documents, a tenth of the rows of their chunks: their
    count and sum of ids change when documents come or go, and their latest updated_at when
    an upsert replaces chunks or a reindex embeds them again (both set it).
    """
    params = [plugin.pk, owner, embedder_name, dimension]
    settings = connection.settings_dict
    key = (settings["NAME"], settings["HOST"], *params)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), sum(id), max(updated_at) FROM retrieval_document "
            "WHERE plugin_id = %s AND owner = %s",
            params[:2],
        )
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


_HIT_COLUMNS = (
    "SELECT c.id, d.document_id, c.position, c.text, d.title, d.source, d.source_id, d.url, "
    "d.author, d.created_at FROM retrieval_chunk c "
    "JOIN retrieval_document d ON d.id = c.document_id WHERE c.id IN "
)


def query_chunks(
    plugin: Plugin,
    owner: str,
    query: str,
    document_filter: DocumentFilter | None,
    top_k: int,
    mode: str,
    embedder: Embedder | None = None,
) -> list[ChunkHit]:
    """The owner's top_k chunks for query, best first, with their documents' fields."""
    ranked = ranked_chunk_ids(plugin, owner, query, document_filter, top_k, mode, embedder)
    if not ranked:
        return []
    # One statement per number of hits (1 to 100), prepared once each.
    placeholders = ", ".join(["%s"] * len(ranked))
    rows = {
        row[0]: row
        for row in fetch_all(f"{_HIT_COLUMNS}({placeholders})", [pk for pk, _ in ranked])
    }
    return [
        ChunkHit(
            document_id=row[1],
            position=row[2],
            text=row[3],
            score=score,
            title=row[4],
            source=row[5],
            source_id=row[6],
            url=row[7],
            author=row[8],
            created_at=_as_datetime(row[9]),
        )
        for pk, score in ranked
        if (row := rows.get(pk)) is not None
    ]


def _as_datetime(value) -> datetime | None:
    """A datetime column as the ORM reads it: SQLite's is naive (or text) in UTC, Postgres'
    aware."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


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
