"""The retrieval contract (OpenAI's retrieval plugin's, plus search and fetch) through the Django
stack, on the database the tests run on: upsert, query, delete, filters, validation, isolation."""

import itertools

import pytest
from django.conf import settings
from django.db import connection

from retrieval.models import Chunk, Document
from tests.conftest import HostClient
from tests.retrieval.conftest import (
    RETRIEVAL_HOST,
    document_ids,
    keyed,
    query,
    snapshot,
    upsert,
    user_key,
)

PETS = {
    "id": "pets",
    "text": "The cat sat on the mat. The dog barked at the mailman all morning.",
    "metadata": {
        "source": "email",
        "source_id": "mail-1",
        "author": "Ann",
        "title": "Pets at home",
        "url": "https://example.com/pets",
        "created_at": "2024-03-10T09:30:00Z",
    },
}
REVENUE = {
    "id": "revenue",
    "text": "Quarterly revenue grew by ten percent, driven by subscriptions.",
    "metadata": {"source": "file", "author": "Bo", "created_at": "2024-06-01"},
}
GARDEN = {
    "id": "garden",
    "text": "Tomatoes need sun. Water the garden every evening in summer.",
    "metadata": {
        "source": "chat",
        "source_id": "chat-7",
        "created_at": "2024-08-20T12:00:00+02:00",
    },
}


@pytest.fixture
def corpus(alice) -> HostClient:
    upsert(alice, PETS, REVENUE, GARDEN)
    return alice


@pytest.mark.django_db
def test_upsert_answers_ids_and_makes_one_for_a_document_without(alice):
    ids = upsert(alice, PETS, {"text": "No id given."})
    assert ids[0] == "pets"
    assert len(ids[1]) == 32
    assert set(Document.objects.values_list("document_id", flat=True)) == set(ids)


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["keyword", "vector", "hybrid"])
def test_query_finds_the_matching_chunk_in_every_mode(corpus, mode):
    hits = query(corpus, "quarterly revenue subscriptions", mode=mode, top_k=1)
    assert len(hits) == 1
    (hit,) = hits
    assert hit["id"] == "revenue_0"
    assert hit["text"] == REVENUE["text"]
    assert isinstance(hit["score"], float)
    assert hit["metadata"] == {
        "source": "file",
        "source_id": None,
        "url": None,
        "created_at": "2024-06-01T00:00:00+00:00",
        "author": "Bo",
        "title": None,
        "document_id": "revenue",
    }


@pytest.mark.django_db
def test_query_answers_each_query_in_order_with_top_k_results(corpus):
    # Hybrid: its vector half ranks every chunk, so top_k is filled.
    body = {
        "queries": [
            {"query": "garden tomatoes", "top_k": 2, "mode": "hybrid"},
            {"query": "cat mat"},
        ]
    }
    response = corpus.json_call("post", "/query", body)
    assert response.status_code == 200
    first, second = response.json()["results"]
    assert first["query"] == "garden tomatoes"
    assert document_ids(first["results"])[0] == "garden"
    assert len(first["results"]) == 2
    assert second["query"] == "cat mat"
    assert document_ids(second["results"])[0] == "pets"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    ['"', "cat AND", "NEAR(", "a:b", "*", "-", "(( ))", "OR", "title:cat", "^cat", "'; DROP"],
)
@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_search_syntax_in_a_query_is_plain_text(corpus, text, mode):
    # FTS5 and tsquery operators in user text must never be a syntax error.
    query(corpus, text, mode=mode)


@pytest.mark.django_db
def test_upsert_of_an_existing_id_replaces_the_whole_document(corpus):
    upsert(corpus, {"id": "pets", "text": "Only parrots now.", "metadata": {"author": "Cy"}})
    document = Document.objects.get(document_id="pets")
    assert document.text == "Only parrots now."
    assert document.author == "Cy"
    assert document.source == ""
    assert list(document.chunks.values_list("text", flat=True)) == ["Only parrots now."]
    assert query(corpus, "mailman", mode="keyword") == []
    assert document_ids(query(corpus, "parrots", mode="keyword")) == ["pets"]


@pytest.mark.django_db
def test_long_documents_are_cut_into_overlapping_chunks(alice, settings):
    settings.RETRIEVAL = {**settings.RETRIEVAL, "CHUNK_WORDS": 20, "CHUNK_OVERLAP_WORDS": 8}
    sentences = [f"Sentence number {n} talks about topic{n} here." for n in range(10)]
    upsert(alice, {"id": "long", "text": " ".join(sentences)})
    chunks = list(Chunk.objects.filter(document__document_id="long").order_by("position"))
    assert len(chunks) > 3
    for before, after in itertools.pairwise(chunks):
        assert len(before.text.split()) <= 20
        # Each chunk starts with the last sentence of the one before.
        assert before.text.endswith(after.text.split(".")[0] + ".")
    fetched = alice.get("/documents/long").json()
    assert fetched["chunk_count"] == len(chunks)
    assert fetched["text"] == " ".join(sentences)


@pytest.mark.django_db
def test_fetch_answers_the_document_and_404_for_an_unknown_id(corpus):
    response = corpus.get("/documents/pets")
    assert response.status_code == 200
    assert response.json() == {
        "id": "pets",
        "title": "Pets at home",
        "text": PETS["text"],
        "url": "https://example.com/pets",
        "metadata": {
            **PETS["metadata"],
            "created_at": "2024-03-10T09:30:00+00:00",
            "document_id": "pets",
        },
        "chunk_count": 1,
    }
    missing = corpus.get("/documents/nope")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"


@pytest.mark.django_db
def test_ids_with_slashes_and_spaces_are_fetched_by_their_encoded_path(alice):
    upsert(alice, {"id": "notes/2024 plan", "text": "Plan the year."})
    assert alice.get("/documents/notes/2024%20plan").json()["id"] == "notes/2024 plan"


@pytest.mark.django_db
def test_search_answers_documents_with_title_and_url(corpus, settings):
    # Hybrid: its vector half finds every document.
    settings.RETRIEVAL = {**settings.RETRIEVAL, "DEFAULT_MODE": "hybrid"}
    response = corpus.json_call("post", "/search", {"query": "cat mailman"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0] == {"id": "pets", "title": "Pets at home", "url": "https://example.com/pets"}
    assert len({r["id"] for r in results}) == len(results) == 3
    # A document without a title is named by its id.
    assert {"id": "revenue", "title": "revenue", "url": ""} in results


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ({"document_id": "garden"}, {"garden"}),
        ({"source": "email"}, {"pets"}),
        ({"source_id": "chat-7"}, {"garden"}),
        ({"author": "Bo"}, {"revenue"}),
        ({"start_date": "2024-06-01"}, {"revenue", "garden"}),
        ({"end_date": "2024-06-01T00:00:00Z"}, {"pets", "revenue"}),
        ({"start_date": "2024-03-10T09:30:00Z", "end_date": "2024-03-10T09:30:00Z"}, {"pets"}),
        # 12:00 at +02:00 is 10:00 UTC.
        (
            {"start_date": "2024-08-20T10:00:00Z", "end_date": "2024-08-20T10:00:00+00:00"},
            {"garden"},
        ),
        ({"start_date": "2024-08-20T10:00:01Z"}, set()),
        ({"author": "Bo", "source": "email"}, set()),
    ],
)
def test_every_filter_narrows_the_query(corpus, filter_, expected):
    for mode in ("keyword", "vector", "hybrid"):
        hits = query(corpus, "the cat revenue garden", filter=filter_, top_k=10, mode=mode)
        if mode == "keyword":
            assert set(document_ids(hits)) == expected
        else:
            assert set(document_ids(hits)) <= expected
            assert len(hits) == len(expected)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"queries": [{"query": "x", "filter": {"start_date": "yesterday"}}]}, "start_date"),
        ({"queries": [{"query": "x", "filter": {"end_date": "2024-13-01"}}]}, "end_date"),
        ({"queries": [{"query": "x", "filter": {"end_date": 20240101}}]}, "end_date"),
        ({"queries": [{"query": "x", "top_k": 101}]}, "top_k"),
        ({"queries": [{"query": "x", "top_k": 0}]}, "top_k"),
        ({"queries": [{"query": "x", "top_k": "3"}]}, "top_k"),
        ({"queries": [{"query": "x", "mode": "fuzzy"}]}, "mode"),
        ({"queries": [{"query": 5}]}, "query"),
        ({"queries": [{"query": "x", "filter": {"source": "fax"}}]}, "source"),
        ({"queries": []}, "queries"),
        ({}, "queries"),
    ],
)
def test_bad_queries_are_400_naming_the_field(corpus, body, field):
    response = corpus.json_call("post", "/query", body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert field in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("documents", "field"),
    [
        ([{"id": "a", "text": "x", "metadata": {"created_at": "last week"}}], "created_at"),
        ([{"id": "a", "text": "   "}], "text"),
        ([{"id": "a"}], "text"),
        ([{"id": 7, "text": "x"}], "id"),
        ([{"id": "a\nb", "text": "x"}], "id"),
        ([{"id": "a", "text": "x", "metadata": {"source": "fax"}}], "source"),
        ([{"id": "a", "text": "x"}, {"id": "a", "text": "y"}], "once"),
        ([], "documents"),
    ],
)
def test_bad_upserts_are_400_and_write_nothing(corpus, documents, field):
    before = snapshot()
    response = corpus.json_call("post", "/upsert", {"documents": documents})
    assert response.status_code == 400
    assert field in response.json()["detail"]
    assert snapshot() == before


@pytest.mark.django_db
def test_an_upsert_body_over_the_limit_is_413_and_writes_nothing(corpus, settings):
    settings.RETRIEVAL = {**settings.RETRIEVAL, "MAX_UPSERT_BYTES": 1000}
    before = snapshot()
    response = corpus.json_call("post", "/upsert", {"documents": [{"text": "word " * 300}]})
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert snapshot() == before


@pytest.mark.django_db
def test_upsert_takes_documents_larger_than_other_calls_may_be(alice, settings):
    text = "A long report sentence about budgets. " * 4000  # about 150 kB
    assert len(text) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    upsert(alice, {"id": "report", "text": text})
    assert alice.get("/documents/report").json()["chunk_count"] > 10


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "left"),
    [
        ({"ids": ["pets", "garden"]}, {"revenue"}),
        ({"ids": ["pets_0"]}, {"pets", "revenue", "garden"}),  # chunk ids are not document ids
        ({"filter": {"source": "file"}}, {"pets", "garden"}),
        ({"filter": {"end_date": "2024-06-30"}}, {"garden"}),
        ({"delete_all": True}, set()),
        ({"ids": ["pets"], "filter": {"author": "Bo"}}, {"garden"}),
    ],
)
@pytest.mark.parametrize("method", ["delete", "post"])
def test_each_delete_mode(corpus, body, left, method):
    response = corpus.json_call(method, "/delete", body)
    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert set(Document.objects.values_list("document_id", flat=True)) == left
    assert Chunk.objects.exclude(document__document_id__in=left).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"delete_all": False},
        {"ids": []},
        {"filter": {}},
        {"delete_all": "true"},
        {"filter": {"start_date": "soon"}},
    ],
)
def test_a_delete_naming_nothing_is_400_and_deletes_nothing(corpus, body):
    before = snapshot()
    response = corpus.json_call("delete", "/delete", body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert snapshot() == before


@pytest.mark.django_db
def test_users_never_see_or_touch_each_others_documents(corpus, bob):
    upsert(bob, {"id": "pets", "text": "Bob's own pets note about a hamster."})
    # Vector search ranks every chunk the caller may see, his own and no other.
    assert document_ids(query(bob, "cat mat mailman", top_k=10, mode="vector")) == ["pets"]
    assert "hamster" in query(bob, "cat mat mailman", mode="hybrid")[0]["text"]
    assert query(bob, "cat mat mailman", mode="keyword") == []
    assert bob.get("/documents/revenue").status_code == 404
    found = bob.json_call("post", "/search", {"query": "revenue quarterly"}).json()["results"]
    assert [result["id"] for result in found] in ([], ["pets"])
    assert bob.json_call("delete", "/delete", {"ids": ["revenue"]}).status_code == 200
    bob.json_call("delete", "/delete", {"delete_all": True})
    # Alice's documents, her "pets" included, are untouched.
    assert corpus.get("/documents/pets").json()["text"] == PETS["text"]
    assert Document.objects.filter(owner="alice").count() == 3
    assert Document.objects.filter(owner="bob").count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/upsert", {"documents": [{"text": "x"}]}),
        ("post", "/query", {"queries": [{"query": "cat"}]}),
        ("delete", "/delete", {"delete_all": True}),
        ("post", "/search", {"query": "cat"}),
        ("get", "/documents/pets", None),
    ],
)
def test_no_key_or_another_plugins_key_is_401(corpus, method, path, body):
    from pluginmeta.models import Plugin

    other_key = user_key(Plugin.objects.get(slug="todo-user"), "alice")
    before = snapshot()
    for client in (HostClient(RETRIEVAL_HOST), keyed(RETRIEVAL_HOST, other_key)):
        response = client.json_call(method, path, body)
        assert response.status_code == 401
        assert "mailman" not in response.content.decode()
    assert snapshot() == before


@pytest.mark.django_db
def test_shared_plugins_have_one_corpus_each(open_plugin, service_plugin, corpus):
    upsert(open_plugin, {"id": "pets", "text": "Open plugin notes about a goldfish."})
    upsert(service_plugin, {"id": "pets", "text": "Service plugin notes about a pony."})
    assert "goldfish" in open_plugin.get("/documents/pets").json()["text"]
    assert "pony" in service_plugin.get("/documents/pets").json()["text"]
    assert corpus.get("/documents/pets").json()["text"] == PETS["text"]
    assert document_ids(query(open_plugin, "pony", mode="keyword")) == []
    assert set(Document.objects.filter(owner="").values_list("plugin__slug", flat=True)) == {
        "retrieval-open",
        "retrieval-service",
    }


@pytest.mark.django_db
def test_spec_marks_reads_and_writes(alice):
    spec = alice.get("/openapi.json").json()
    flags = {
        operation["operationId"]: operation["x-openai-isConsequential"]
        for operations in spec["paths"].values()
        for operation in operations.values()
    }
    assert flags == {
        "upsert": True,
        "upsertFile": True,
        "query": False,
        "delete": True,
        "search": False,
        "fetch": False,
    }
    delete_body = spec["paths"]["/delete"]["delete"]["requestBody"]["content"]["application/json"]
    assert delete_body["schema"]["$ref"].endswith("DeleteRequest")


@pytest.mark.django_db
def test_manifest_names_the_retrieval_plugin(alice):
    manifest = alice.get("/.well-known/ai-plugin.json").json()
    assert manifest["name_for_model"] == "retrieval"
    assert manifest["auth"]["type"] == "user_http"
    assert manifest["auth"]["authorization_type"] == "bearer"


@pytest.mark.django_db
def test_vector_search_sees_every_replace_and_delete_at_once(corpus):
    assert query(corpus, "tomatoes garden", mode="vector", top_k=1)[0]["id"] == "garden_0"
    upsert(corpus, {"id": "garden", "text": "Invoices and tax returns for the year."})
    (hit,) = query(corpus, "tax invoices", mode="vector", top_k=1)
    assert (hit["id"], hit["text"]) == ("garden_0", "Invoices and tax returns for the year.")
    corpus.json_call("delete", "/delete", {"ids": ["garden"]})
    hits = query(corpus, "tax invoices", mode="vector", top_k=10)
    assert "garden" not in document_ids(hits)
    assert len(hits) == 2


@pytest.mark.django_db
def test_a_query_without_a_mode_runs_the_measured_default_of_the_database(corpus):
    # Keyword on SQLite, hybrid on Postgres (docs/records/retrieval-benchmarks.md): a question
    # sharing no word with any document finds nothing by keywords alone.
    expected = "keyword" if connection.vendor == "sqlite" else "hybrid"
    assert settings.RETRIEVAL["DEFAULT_MODE"] == expected
    assert bool(query(corpus, "astronomy telescopes")) == (expected == "hybrid")
