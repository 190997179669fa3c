"""Fixtures of the retrieval tests: clients of the demo retrieval plugin with users' keys, and
plugins of the other auth types."""

import io
from dataclasses import dataclass

import pytest
from django.core.management import call_command

from pluginmeta.models import Plugin
from retrieval.models import Chunk, Document
from tests.conftest import HostClient, make_plugin

RETRIEVAL_HOST = "retrieval.localhost"


def keyed(host: str, key: str) -> HostClient:
    return HostClient(host, HTTP_AUTHORIZATION=f"Bearer {key}")


def last_output_line(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()[-1]


def user_key(plugin: Plugin, username: str) -> str:
    """A new key of username (made if missing) for plugin, issued as an operator would."""
    hostname = plugin.hosts.values_list("hostname", flat=True).first()
    return last_output_line("plugin_user_key", username, "--host", hostname)


def make_retrieval_plugin(slug: str, hostname: str, auth_type: str) -> Plugin:
    return make_plugin(
        slug,
        hostname,
        auth_type,
        kind="retrieval",
        name_for_model=slug.replace("-", "_"),
    )


@dataclass(frozen=True)
class Snapshot:
    """Every document and chunk of the database, to show that a refused call changed nothing."""

    documents: list[tuple]
    chunks: list[tuple]


def snapshot() -> Snapshot:
    return Snapshot(
        documents=list(Document.objects.order_by("pk").values_list()),
        chunks=list(Chunk.objects.order_by("pk").values_list("pk", "document_id", "text")),
    )


@pytest.fixture
def retrieval_plugin(db) -> Plugin:
    return Plugin.objects.get(slug="retrieval")


@pytest.fixture
def alice(retrieval_plugin) -> HostClient:
    return keyed(RETRIEVAL_HOST, user_key(retrieval_plugin, "alice"))


@pytest.fixture
def bob(retrieval_plugin) -> HostClient:
    return keyed(RETRIEVAL_HOST, user_key(retrieval_plugin, "bob"))


@pytest.fixture
def open_plugin(db) -> HostClient:
    """A retrieval plugin without auth: one shared corpus."""
    make_retrieval_plugin("retrieval-open", "retrieval-open.localhost", "none")
    return HostClient("retrieval-open.localhost")


@pytest.fixture
def service_plugin(db) -> HostClient:
    """A retrieval plugin with one service key: one shared corpus."""
    make_retrieval_plugin("retrieval-service", "retrieval-service.localhost", "service_http")
    return keyed(
        "retrieval-service.localhost",
        last_output_line("plugin_service_key", "retrieval-service.localhost"),
    )


def upsert(client: HostClient, *documents: dict) -> list[str]:
    response = client.json_call("post", "/upsert", {"documents": list(documents)})
    assert response.status_code == 200, response.content
    return response.json()["ids"]


def query(client: HostClient, text: str, **fields) -> list[dict]:
    response = client.json_call("post", "/query", {"queries": [{"query": text, **fields}]})
    assert response.status_code == 200, response.content
    (result,) = response.json()["results"]
    assert result["query"] == text
    return result["results"]


def document_ids(hits: list[dict]) -> list[str]:
    return [hit["metadata"]["document_id"] for hit in hits]


@dataclass
class LiveRetrieval:
    """A running server with the demo retrieval plugin and keys of alice and bob."""

    base: str
    env: dict[str, str]
    keys: dict[str, str]

    def call(self, method: str, path: str, user: str | None = "alice", **kwargs):
        import requests

        headers = {"Host": RETRIEVAL_HOST, **kwargs.pop("headers", {})}
        if user:
            headers["Authorization"] = f"Bearer {self.keys[user]}"
        return requests.request(method, self.base + path, headers=headers, timeout=60, **kwargs)


def command_result(env: dict[str, str], *args: str) -> str:
    """The last stdout line of a management command run against env's database."""
    from tests.server import manage_shell

    code = f"from django.core.management import call_command; call_command(*{args!r})"
    return manage_shell(env, code).strip().splitlines()[-1]


@pytest.fixture(scope="module")
def live_retrieval(tmp_path_factory):
    """granian with 2 workers on a fresh migrated database (SQLite or Postgres, as the tests)."""
    from tests.server import migrate, running_server, scratch_database, server_env

    tmp_path = tmp_path_factory.mktemp("retrieval-server")
    with scratch_database(tmp_path) as database_url:
        env = server_env(database_url, API_THROTTLE_RATE="off")
        migrate(env)
        keys = {
            name: command_result(env, "plugin_user_key", name, "--host", RETRIEVAL_HOST)
            for name in ("alice", "bob")
        }
        with running_server(env, workers=2, output=tmp_path / "server.log") as base:
            yield LiveRetrieval(base, env, keys)


class EmbeddingsServer:
    """A local OpenAI-compatible /v1/embeddings endpoint: each text's vector counts its letters
    a to h, so texts sharing letters are near; it records what it was sent."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict, dict]] = []
        self.fail = False
        self.url = ""

    @staticmethod
    def vector(text: str) -> list[float]:
        return [float(text.lower().count(letter)) + 0.5 for letter in "abcdefgh"]


@pytest.fixture
def embeddings_server():
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    state = EmbeddingsServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append((dict(self.headers), body))
            if state.fail:
                self.send_response(500)
                self.end_headers()
                return
            # Answered out of order: clients must sort by index.
            data = [
                {"object": "embedding", "index": i, "embedding": state.vector(text)}
                for i, text in enumerate(body["input"])
            ][::-1]
            answer = json.dumps({"object": "list", "data": data, "model": body["model"]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1/embeddings"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def http_embedder_settings(settings, embeddings_server):
    """Settings that choose the HTTP embedder, pointed at embeddings_server."""
    settings.RETRIEVAL = {
        **settings.RETRIEVAL,
        "EMBEDDER": "http",
        "EMBEDDINGS_URL": embeddings_server.url,
        "EMBEDDINGS_MODEL": "letters-8",
        "EMBEDDINGS_KEY": "sk-test-key",
    }
    return embeddings_server
