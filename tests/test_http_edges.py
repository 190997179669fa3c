"""HTTP edges: methods, CSRF, chunked bodies and Host ports all answer JSON, never HTML."""

import json
import socket
from collections.abc import Iterator

import pytest
import requests
from django.test import Client

from tests.conftest import NOAUTH_HOST, OAUTH_HOST, SPORTS_HOST
from tests.server import migrate, running_server, scratch_database, server_env

READ_ONLY_PAGES = [
    (NOAUTH_HOST, "/"),
    (NOAUTH_HOST, "/.well-known/ai-plugin.json"),
    (NOAUTH_HOST, "/openapi.yaml"),
    (NOAUTH_HOST, "/openapi.json"),
    (NOAUTH_HOST, "/logo.png"),
    (SPORTS_HOST, "/.well-known/ai-plugin.json"),
    (OAUTH_HOST, "/.well-known/oauth-authorization-server"),
]


def strict_client(host: str, **extra) -> Client:
    """A client that runs the CSRF check, as a real server does."""
    return Client(HTTP_HOST=host, enforce_csrf_checks=True, **extra)


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def assert_json_405(response, allow: str) -> None:
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "method_not_allowed"
    assert response["Allow"] == allow


@pytest.mark.mutation
@pytest.mark.django_db
@pytest.mark.parametrize(("host", "path"), READ_ONLY_PAGES)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_unsafe_methods_on_read_only_pages_are_405_json_not_a_csrf_page(host, path, method):
    response = getattr(strict_client(host), method)(path, data="{}", content_type="text/plain")
    assert_json_405(response, "GET, HEAD, OPTIONS")


@pytest.mark.django_db
@pytest.mark.parametrize(("host", "path"), READ_ONLY_PAGES)
def test_head_answers_like_get_without_a_body(host, path):
    web = strict_client(host)
    got, head = web.get(path), web.head(path)
    assert head.status_code == got.status_code == 200
    assert head["Content-Type"] == got["Content-Type"]
    assert body_of(head) == b""
    assert body_of(got) != b""


@pytest.mark.django_db
@pytest.mark.parametrize(("host", "path"), READ_ONLY_PAGES)
def test_options_lists_the_allowed_methods(host, path):
    response = strict_client(host).options(path)
    assert response.status_code == 200
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.content == b""


@pytest.mark.mutation
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "allow"),
    [("/oauth/logout", "GET, HEAD, POST"), ("/oauth/signup", "GET, HEAD, POST")],
)
def test_pages_refuse_other_methods_with_405_json_and_answer_head(path, allow):
    web = Client(HTTP_HOST=OAUTH_HOST)
    assert_json_405(web.put(path), allow)
    head = web.head(path)
    assert head.status_code == 200
    assert head.content == b""


@pytest.mark.django_db
def test_class_based_pages_refuse_other_methods_with_405_json():
    response = Client(HTTP_HOST=OAUTH_HOST).patch("/oauth/login")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert "POST" in response["Allow"].split(", ")


@pytest.mark.django_db
def test_a_failed_csrf_check_is_403_json_for_api_clients():
    response = strict_client(OAUTH_HOST).post("/oauth/login", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == "csrf_failed"
    assert "CSRF" in body["detail"]


@pytest.mark.django_db
def test_a_failed_csrf_check_is_still_a_page_for_browsers():
    web = strict_client(OAUTH_HOST, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    response = web.post("/oauth/login", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.mutation
@pytest.mark.django_db
@pytest.mark.parametrize("port", ["0", "99999", "65536", "080", "00", "4294967377"])
@pytest.mark.parametrize("path", ["/.well-known/ai-plugin.json", "/openapi.json", "/todos/global"])
def test_a_host_port_outside_1_to_65535_is_400_json(port, path):
    response = Client(HTTP_HOST=f"localhost:{port}").get(path)
    assert response.status_code == 400
    assert response.json() == {
        "error": "bad_request",
        "detail": "The Host header's port must be 1-65535.",
    }


@pytest.mark.mutation
@pytest.mark.django_db
@pytest.mark.parametrize("port", ["1", "8000", "65535"])
def test_a_host_port_in_range_is_echoed_into_the_manifest(port):
    response = Client(HTTP_HOST=f"localhost:{port}").get("/.well-known/ai-plugin.json")
    assert response.status_code == 200
    assert response.json()["api"]["url"] == f"http://localhost:{port}/openapi.yaml"


# --- Chunked request bodies, over real HTTP (the test client cannot send them) ----------------


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[str]:
    """The production server, which decodes chunked bodies and hands them to Django whole."""
    with scratch_database(tmp_path_factory.mktemp("edges")) as database_url:
        env = server_env(database_url, API_THROTTLE_RATE="off", DJANGO_MAX_BODY_BYTES="4096")
        migrate(env)
        with running_server(env) as base:
            yield base


def chunks(data: bytes, size: int = 7) -> Iterator[bytes]:
    # A generator body makes requests send Transfer-Encoding: chunked.
    for start in range(0, len(data), size):
        yield data[start : start + size]


def todos(base: str, owner: str) -> list[str]:
    response = requests.get(f"{base}/todos/{owner}", headers={"Host": NOAUTH_HOST}, timeout=10)
    return response.json()["todos"]


def post_chunked(base: str, path: str, data: bytes) -> requests.Response:
    return requests.post(
        f"{base}{path}",
        data=chunks(data),
        headers={"Host": NOAUTH_HOST, "Content-Type": "application/json"},
        timeout=10,
    )


def test_a_chunked_body_is_read(served):
    response = post_chunked(
        served, "/todos/chunky", json.dumps({"todo": "sent in chunks"}).encode()
    )
    assert response.request.headers["Transfer-Encoding"] == "chunked"
    assert response.status_code == 201, response.text
    assert response.json() == {"todo": "sent in chunks", "todo_idx": 0}
    assert todos(served, "chunky") == ["sent in chunks"]


def test_a_chunked_delete_body_is_read(served):
    post_chunked(served, "/todos/chunky-delete", b'{"todo": "a"}')
    response = requests.delete(
        f"{served}/todos/chunky-delete",
        data=chunks(b'{"todo_idx": 0}'),
        headers={"Host": NOAUTH_HOST, "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert todos(served, "chunky-delete") == []


def test_a_chunked_body_over_the_limit_is_413_json(served):
    body = json.dumps({"todo": "x" * 5000}).encode()
    response = post_chunked(served, "/todos/chunky-big", body)
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert todos(served, "chunky-big") == []


def raw_exchange(base: str, request: bytes) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def test_a_malformed_chunked_body_is_400_json(served):
    answer = raw_exchange(
        served,
        b"POST /todos/chunky-bad HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        b'Connection: close\r\n\r\n5\r\n{"tod\r\nzz\r\nnonsense\r\n',
    )
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), answer
    assert b"application/json" in head
    assert json.loads(body)["error"] == "bad_request"
    assert todos(served, "chunky-bad") == []


@pytest.fixture(scope="module")
def runserver(tmp_path_factory) -> Iterator[str]:
    """Django's development server (`make run`), which cannot decode chunked bodies."""
    with scratch_database(tmp_path_factory.mktemp("runserver")) as database_url:
        env = server_env(database_url, API_THROTTLE_RATE="off")
        migrate(env)
        with running_server(env, server="runserver") as base:
            yield base


def test_a_server_that_cannot_read_chunked_bodies_answers_411_json(runserver):
    response = post_chunked(runserver, "/todos/chunky-dev", b'{"todo": "lost?"}')
    assert response.status_code == 411
    assert response.json()["error"] == "length_required"
    assert todos(runserver, "chunky-dev") == []
