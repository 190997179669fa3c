"""The retrieval writes: upsert (replace) documents, delete them, ingest files, re-embed."""

import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from pluginmeta.db import execute
from pluginmeta.models import Plugin
from retrieval.chunking import split_into_chunks
from retrieval.embedders import (
    Embedder,
    EmbedderUnavailable,
    current_embedder,
    to_bytes,
)
from retrieval.files import UnreadableFile, UnsupportedFile, extract_text
from retrieval.models import DOCUMENT_ID_MAX_LENGTH, Chunk, Document
from retrieval.pgvector import STORE_BATCH, has_pgvector, literal, store_vectors
from retrieval.selectors import DocumentFilter, filtered_documents

# Rows per INSERT of chunks, and texts per call of the embedder.
CHUNK_BATCH = 500
EMBED_BATCH = 16


@dataclass(frozen=True)
class Metadata:
    """A document's metadata, as OpenAI's retrieval plugin names it, plus a title."""

    source: str = ""
    source_id: str = ""
    url: str = ""
    author: str = ""
    title: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class NewDocument:
    """A document to upsert; an empty document_id gets a new one."""

    text: str
    document_id: str = ""
    metadata: Metadata = field(default_factory=Metadata)
    content_hash: str = ""


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chunk_texts(text: str) -> list[str]:
    config = settings.RETRIEVAL
    return split_into_chunks(text, config["CHUNK_WORDS"], config["CHUNK_OVERLAP_WORDS"])


DOCUMENT_FIELDS = [
    "text",
    "title",
    "source",
    "source_id",
    "url",
    "author",
    "created_at",
    "content_hash",
    "updated_at",
]


def upsert_documents(
    plugin: Plugin, owner: str, documents: list[NewDocument], embedder: Embedder | None = None
) -> list[str]:
    """Stores each document, replacing the whole of any with the same id; their ids, in order.

    Chunking and embedding happen before the transaction. Inside it, the documents' rows are
    inserted where missing and then locked, in id order, before their chunks are replaced: a
    second upsert of the same id waits for the first to commit and then replaces its chunks
    in turn, so a document never holds chunks of two versions (SQLite has one writer at a
    time anyway). Each step is one statement for all the documents of the call.
    """
    embedder = embedder or current_embedder()
    documents = [
        document if document.document_id else replace(document, document_id=uuid.uuid4().hex)
        for document in documents
    ]
    pieces = [chunk_texts(document.text) or [document.text.strip()] for document in documents]
    flat = [text for texts in pieces for text in texts]
    # In slices: WordLlama embedded 16 or 32 texts a call faster than 64 or more, and an HTTP
    # endpoint gets a few requests rather than one per chunk.
    vectors = [
        vector
        for start in range(0, len(flat), EMBED_BATCH)
        for vector in embedder.embed(flat[start : start + EMBED_BATCH])
    ]
    by_id = {document.document_id: document for document in documents}
    ids = sorted(by_id)
    # Each id's chunk texts and where its vectors start (a later document of the same id wins).
    chunk_slices: dict[str, tuple[list[str], int]] = {}
    offset = 0
    for document, texts in zip(documents, pieces, strict=True):
        chunk_slices[document.document_id] = (texts, offset)
        offset += len(texts)
    now = timezone.now()
    with transaction.atomic():
        Document.objects.bulk_create(
            [Document(plugin=plugin, owner=owner, document_id=i, text="") for i in ids],
            ignore_conflicts=True,
        )
        rows = list(
            Document.objects.select_for_update()
            .filter(plugin=plugin, owner=owner, document_id__in=ids)
            .order_by("document_id")
        )
        _update_rows(rows, by_id, now)
        Chunk.objects.filter(document__in=rows).delete()
        new_chunks = [
            (row.pk, position, text, vectors[start + position])
            for row in rows
            for texts, start in [chunk_slices[row.document_id]]
            for position, text in enumerate(texts)
        ]
        _insert_chunks(new_chunks, embedder.name)
    return [document.document_id for document in documents]


def _insert_chunks(chunks: list[tuple[int, int, str, np.ndarray]], embedder_name: str) -> None:
    """Inserts (document pk, position, text, vector) rows, many a statement, with the vector
    in the pgvector column too where there is one: the ORM's bulk_create prepares each
    value through its fields, and a later UPDATE of the vector would index each row twice."""
    with_vector = has_pgvector()
    columns = "document_id, position, text, embedding, embedder, dimension"
    row = "(%s, %s, %s, %s, %s, %s)"
    batch = CHUNK_BATCH
    if with_vector:
        columns += ", embedding_vector"
        row = "(%s, %s, %s, %s, %s, %s, %s::vector)"
        batch = STORE_BATCH
    for start in range(0, len(chunks), batch):
        part = chunks[start : start + batch]
        params: list = []
        for document_pk, position, text, vector in part:
            params += [document_pk, position, text, to_bytes(vector), embedder_name]
            params.append(int(vector.shape[0]))
            if with_vector:
                params.append(literal(vector))
        execute(
            f"INSERT INTO {Chunk._meta.db_table} ({columns}) "  # noqa: S608
            f"VALUES {', '.join([row] * len(part))}",
            params,
        )


def _update_rows(rows: list[Document], by_id: dict[str, NewDocument], now: datetime) -> None:
    """Writes each document's fields into its row: one prepared UPDATE run for every row, as
    the ORM's bulk_update builds a CASE per field that costs more than the writes."""
    ops = connection.ops
    values = []
    for row in rows:
        document = by_id[row.document_id]
        meta = document.metadata
        values.append(
            [
                document.text,
                meta.title,
                meta.source,
                meta.source_id,
                meta.url,
                meta.author,
                ops.adapt_datetimefield_value(meta.created_at),
                document.content_hash,
                ops.adapt_datetimefield_value(now),
                row.pk,
            ]
        )
    assignments = ", ".join(f"{field} = %s" for field in DOCUMENT_FIELDS)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {Document._meta.db_table} SET {assignments} WHERE id = %s",  # noqa: S608
            values,
        )


def delete_documents(
    plugin: Plugin,
    owner: str,
    document_ids: Iterable[str] = (),
    document_filter: DocumentFilter | None = None,
    delete_all: bool = False,
) -> int:
    """Deletes the owner's documents named by id, matching the filter, or all; how many."""
    ids = list(document_ids)
    with transaction.atomic():
        deleted = 0
        if delete_all:
            documents = Document.objects.filter(plugin=plugin, owner=owner)
            return _delete(documents)
        if ids:
            documents = Document.objects.filter(plugin=plugin, owner=owner, document_id__in=ids)
            deleted += _delete(documents)
        if document_filter is not None:
            deleted += _delete(filtered_documents(plugin, owner, document_filter))
    return deleted


def _delete(documents) -> int:
    count = documents.count()
    Chunk.objects.filter(document__in=documents.values("pk")).delete()
    documents.delete()
    return count


def ingest_file(
    plugin: Plugin,
    owner: str,
    name: str,
    data: bytes,
    content_type: str = "",
    metadata: Metadata | None = None,
    document_id: str = "",
) -> str:
    """Extracts a file's text and upserts it as one document; its id.

    Raises retrieval.files.UnsupportedFile or UnreadableFile, having written nothing.
    """
    extracted = extract_text(name, data, content_type)
    metadata = metadata or Metadata()
    metadata = replace(
        metadata, title=metadata.title or extracted.title, source=metadata.source or "file"
    )
    document = NewDocument(
        text=extracted.text,
        document_id=document_id,
        metadata=metadata,
        content_hash=content_hash(data),
    )
    return upsert_documents(plugin, owner, [document])[0]


def reindex(
    plugin: Plugin,
    embedder: Embedder | None = None,
    all_chunks: bool = False,
    progress: Callable[[int], None] | None = None,
    batch: int = 256,
) -> int:
    """Re-embeds the plugin's chunks made by another embedder (all with all_chunks); how many."""
    embedder = embedder or current_embedder()
    chunks = Chunk.objects.filter(document__plugin=plugin)
    if not all_chunks:
        chunks = chunks.exclude(embedder=embedder.name)
    ids = list(chunks.order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), batch):
        part = list(Chunk.objects.filter(pk__in=ids[start : start + batch]).order_by("pk"))
        vectors = embedder.embed([chunk.text for chunk in part])
        for chunk, vector in zip(part, vectors, strict=True):
            chunk.embedding = to_bytes(vector)
            chunk.embedder = embedder.name
            chunk.dimension = int(vector.shape[0])
        with transaction.atomic():
            Chunk.objects.bulk_update(part, ["embedding", "embedder", "dimension"])
            store_vectors([chunk.pk for chunk in part], vectors)
            # Processes holding these owners' vectors read them again (selectors' stamp).
            Document.objects.filter(pk__in={chunk.document_id for chunk in part}).update(
                updated_at=timezone.now()
            )
        done += len(part)
        if progress is not None:
            progress(len(part))
    return done


@dataclass
class IngestReport:
    """What ingesting a set of paths did, file by file."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def files_under(paths: Iterable[Path]) -> list[Path]:
    """The files named and those inside the folders named, hidden ones left out, in order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    item
                    for item in path.rglob("*")
                    if item.is_file()
                    and not any(part.startswith(".") for part in item.relative_to(path).parts)
                )
            )
        else:
            found.append(path)
    return found


def file_document_id(path: Path, base: Path | None = None) -> str:
    """A file's document id: its path relative to base, or its absolute path."""
    resolved = path.resolve()
    if base is not None and resolved.is_relative_to(base.resolve()):
        return resolved.relative_to(base.resolve()).as_posix()
    document_id = resolved.as_posix()
    if len(document_id) > DOCUMENT_ID_MAX_LENGTH:
        return "sha256:" + hashlib.sha256(document_id.encode()).hexdigest()
    return document_id


def ingest_paths(
    plugin: Plugin,
    owner: str,
    files: Iterable[Path],
    base: Path | None = None,
    progress: Callable[[Path], None] | None = None,
) -> IngestReport:
    """Ingests each file as one document whose id is its path; a file whose content hash is
    that of its document already is left alone, and a file that cannot be read is reported
    and skipped."""
    report = IngestReport()
    limit = settings.RETRIEVAL["MAX_FILE_BYTES"]
    for path in files:
        name = str(path)
        try:
            if path.stat().st_size > limit:
                raise ValueError(f"larger than {limit} bytes")
            data = path.read_bytes()
            document_id = file_document_id(path, base)
            current = Document.objects.filter(
                plugin=plugin, owner=owner, document_id=document_id
            ).first()
            if current is not None and current.content_hash == content_hash(data):
                report.unchanged.append(name)
            else:
                metadata = Metadata(source_id=document_id)
                ingest_file(plugin, owner, path.name, data, "", metadata, document_id)
                (report.added if current is None else report.replaced).append(name)
        except (UnsupportedFile, UnreadableFile, EmbedderUnavailable, OSError, ValueError) as exc:
            report.refused.append((name, str(exc)))
        if progress is not None:
            progress(path)
    return report
