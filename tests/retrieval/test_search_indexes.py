"""The keyword index keeps each owner's chunks apart, follows every write, and leaves out
stopwords; on SQLite the owner's scope is part of the FTS5 query itself. Exact vector search
sees every write too, though it keeps vectors in memory."""

import numpy as np
import pytest
from django.db import connection

from retrieval.embedders import WordLlamaEmbedder
from retrieval.models import Chunk, Document
from retrieval.selectors import fts5_match, keyword_hits, owner_scope, ranked_chunk_ids
from retrieval.services import NewDocument, delete_documents, reindex, upsert_documents
from tests.conftest import make_plugin


@pytest.fixture
def plugin(db):
    return make_plugin("kw", "kw.localhost", "user_http", kind="retrieval", name_for_model="kw")


def found(plugin, owner: str, query: str) -> list[str]:
    hits = keyword_hits(plugin, owner, query, None, 10)
    chunks = Chunk.objects.select_related("document").in_bulk([pk for pk, _ in hits])
    return [chunks[pk].document.document_id for pk, _ in hits]


# Owners whose words a tokenizer would run together, and one a stemmer would shorten.
OWNERS = ["", "a.b", "a b", "ab", "a-b", "Ab", "élodie", "runs", "run", "x" * 150]


@pytest.mark.django_db
def test_each_owner_finds_their_own_chunks_only(plugin):
    for n, owner in enumerate(OWNERS):
        upsert_documents(
            plugin, owner, [NewDocument(text=f"lighthouse keeper {n}", document_id=f"d{n}")]
        )
    for n, owner in enumerate(OWNERS):
        assert found(plugin, owner, "lighthouse") == [f"d{n}"], owner
    other = make_plugin("kw2", "kw2.localhost", "user_http", kind="retrieval", name_for_model="kw2")
    assert found(other, "a.b", "lighthouse") == []


def test_scopes_of_different_owners_differ_and_are_one_word():
    scopes = {owner_scope(1, owner) for owner in OWNERS} | {owner_scope(11, "")}
    assert len(scopes) == len(OWNERS) + 1
    assert all(scope.isalnum() and scope[-1].isdigit() for scope in scopes)


@pytest.mark.django_db
def test_replaced_and_deleted_chunks_leave_the_index(plugin):
    upsert_documents(plugin, "alice", [NewDocument(text="walrus on the ice", document_id="w")])
    upsert_documents(plugin, "alice", [NewDocument(text="penguin on the ice", document_id="w")])
    assert found(plugin, "alice", "walrus") == []
    assert found(plugin, "alice", "penguin") == ["w"]
    delete_documents(plugin, "alice", ["w"])
    assert found(plugin, "alice", "penguin ice") == []


@pytest.mark.django_db
def test_a_document_given_to_another_owner_is_found_by_them_only(plugin):
    # The admin can change a document's owner: its chunks move to the new owner's scope.
    upsert_documents(plugin, "alice", [NewDocument(text="glacier survey", document_id="g")])
    document = Document.objects.get(document_id="g")
    document.owner = "bob"
    document.save()
    assert found(plugin, "alice", "glacier") == []
    assert found(plugin, "bob", "glacier") == ["g"]


@pytest.mark.django_db
def test_deleting_a_document_before_its_chunks_keeps_the_index_whole(plugin):
    upsert_documents(plugin, "alice", [NewDocument(text="volcano ash", document_id="v")])
    upsert_documents(plugin, "alice", [NewDocument(text="volcano lava", document_id="l")])
    document = Document.objects.get(document_id="v")
    # Django deletes chunks first; raw SQL in the other order must not leave stale entries.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA defer_foreign_keys = ON")
        cursor.execute("DELETE FROM retrieval_document WHERE id = %s", [document.pk])
        cursor.execute("DELETE FROM retrieval_chunk WHERE document_id = %s", [document.pk])
    assert found(plugin, "alice", "volcano") == ["l"]


def test_stopwords_are_left_out_of_a_query_unless_nothing_else_is_left():
    assert fts5_match("what is the lift of a wing?") == '"lift" OR "wing?"'
    assert fts5_match("The Who") == '"The" OR "Who"'


class TruncatedEmbedder:
    """WordLlama's vectors cut to 64 dimensions: another embedder, as a reindex would meet."""

    name = "wordllama-first-64"

    def embed(self, texts: list[str]) -> np.ndarray:
        return WordLlamaEmbedder().embed(texts)[:, :64]


def vector_found(plugin, owner: str, query: str) -> list[str]:
    hits = ranked_chunk_ids(plugin, owner, query, None, 10, "vector")
    chunks = Chunk.objects.select_related("document").in_bulk([pk for pk, _ in hits])
    return sorted({chunks[pk].document.document_id for pk, _ in hits})


@pytest.mark.django_db
def test_exact_vector_search_sees_every_write_after_its_vectors_are_cached(plugin):
    upsert_documents(plugin, "alice", [NewDocument(text="otters in the river", document_id="o")])
    assert vector_found(plugin, "alice", "otters") == ["o"]
    upsert_documents(plugin, "alice", [NewDocument(text="herons by the lake", document_id="h")])
    assert vector_found(plugin, "alice", "otters") == ["h", "o"]
    delete_documents(plugin, "alice", ["o"])
    assert vector_found(plugin, "alice", "otters") == ["h"]
    # A reindex by another embedder leaves no chunk of the cached one.
    reindex(plugin, TruncatedEmbedder())
    assert vector_found(plugin, "alice", "otters") == []
