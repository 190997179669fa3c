"""Embedders: wordllama offline from its wheel, the OpenAI-compatible HTTP embedder's wire
format against a local server, and re-embedding after a change of embedder."""

import io
import socket

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from retrieval.embedders import WordLlamaEmbedder, current_embedder
from retrieval.models import Chunk
from tests.retrieval.conftest import RETRIEVAL_HOST, query, snapshot, upsert


def test_wordllama_loads_and_embeds_with_the_network_blocked(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network blocked by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    vectors = WordLlamaEmbedder().embed(["a lighthouse by the sea", "a beacon on the coast"])
    assert vectors.shape == (2, 256)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_wordllama_places_related_texts_nearer_than_unrelated():
    vectors = WordLlamaEmbedder().embed(
        ["the cat chased a mouse", "a kitten hunts mice", "tax law"]
    )
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


@pytest.mark.django_db
def test_the_http_embedder_speaks_the_openai_wire_format(alice, http_embedder_settings):
    upsert(alice, {"id": "a", "text": "abba"}, {"id": "b", "text": "hhhh"})
    headers, body = http_embedder_settings.requests[0]
    assert headers["Authorization"] == "Bearer sk-test-key"
    assert body == {"model": "letters-8", "input": ["abba", "hhhh"], "encoding_format": "float"}
    chunk = Chunk.objects.get(document__document_id="a")
    assert chunk.embedder == "http:letters-8"
    assert chunk.dimension == 8
    stored = np.frombuffer(chunk.embedding, dtype="<f4")
    expected = np.array(http_embedder_settings.vector("abba"), dtype=np.float32)
    assert np.allclose(stored, expected / np.linalg.norm(expected))
    # The query is embedded by the same endpoint; "bab" is nearest "abba".
    hits = query(alice, "bab", mode="vector", top_k=2)
    assert [hit["metadata"]["document_id"] for hit in hits] == ["a", "b"]
    assert http_embedder_settings.requests[-1][1]["input"] == ["bab"]


@pytest.mark.django_db
def test_a_failing_embedder_is_503_and_writes_nothing(alice, http_embedder_settings):
    http_embedder_settings.fail = True
    before = snapshot()
    response = alice.json_call("post", "/upsert", {"documents": [{"text": "abc"}]})
    assert response.status_code == 503
    assert response.json()["error"] == "embedder_unavailable"
    assert snapshot() == before
    # Keyword search needs no embedder.
    assert (
        alice.json_call(
            "post", "/query", {"queries": [{"query": "x", "mode": "keyword"}]}
        ).status_code
        == 200
    )
    failed = alice.json_call("post", "/query", {"queries": [{"query": "x", "mode": "vector"}]})
    assert failed.status_code == 503


@pytest.mark.django_db
def test_reindex_re_embeds_chunks_of_another_embedder(alice, settings, embeddings_server):
    upsert(alice, {"id": "a", "text": "abba cafe"}, {"id": "b", "text": "hhhh ggg"})
    assert set(Chunk.objects.values_list("embedder", flat=True)) == {current_embedder().name}
    settings.RETRIEVAL = {
        **settings.RETRIEVAL,
        "EMBEDDER": "http",
        "EMBEDDINGS_URL": embeddings_server.url,
        "EMBEDDINGS_MODEL": "letters-8",
    }
    # Before re-embedding, vector search finds no chunk of the new embedder; keywords still do.
    assert query(alice, "abba", mode="vector") == []
    assert [h["metadata"]["document_id"] for h in query(alice, "abba", mode="hybrid")] == ["a"]
    out, err = io.StringIO(), io.StringIO()
    call_command("retrieval_reindex", RETRIEVAL_HOST, stdout=out, stderr=err)
    assert (
        out.getvalue()
        == "re-embedded 2 chunks of retrieval with http:letters-8; 0 were up to date\n"
    )
    assert "chunk" in err.getvalue()
    assert set(Chunk.objects.values_list("embedder", "dimension")) == {("http:letters-8", 8)}
    assert query(alice, "abab", mode="vector", top_k=1)[0]["metadata"]["document_id"] == "a"
    again = io.StringIO()
    call_command("retrieval_reindex", RETRIEVAL_HOST, stdout=again, stderr=io.StringIO())
    assert (
        again.getvalue()
        == "re-embedded 0 chunks of retrieval with http:letters-8; 2 were up to date\n"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("host", "message"),
    [("nowhere.localhost", "nowhere.localhost"), ("localhost", "not retrieval")],
)
def test_reindex_refuses_a_host_without_a_retrieval_plugin(host, message):
    with pytest.raises(CommandError, match=message):
        call_command("retrieval_reindex", host, stdout=io.StringIO(), stderr=io.StringIO())
