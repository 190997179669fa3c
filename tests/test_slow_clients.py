"""Clients that send their head or body slowly, or stop, do not take the production server down."""

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from tests.server import migrate, running_server, scratch_database, server_env

# Many more half-open requests than the production setup below has Django threads (2 x 1).
SLOW_HEAD_CLIENTS = 12
SLOW_BODY_CLIENTS = 50
SILENT_BODY_CLIENTS = 10
# A body is cut off this long after its head arrived on the strict server.
BODY_TIMEOUT = 2


def connect(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)))


def half_sent_request(base: str) -> socket.socket:
    sock = connect(base)
    sock.sendall(b"GET /todos/alice HTTP/1.1\r\nHost: localhost\r\nX-Still-Typing: ")
    return sock


def body_promised(base: str, first_bytes: bytes = b"{") -> socket.socket:
    """A POST whose head promises 60,000 bytes of body, of which only first_bytes follow."""
    sock = connect(base)
    sock.sendall(
        b"POST /todos/alice HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: 60000\r\n\r\n" + first_bytes
    )
    return sock


def read_until_closed(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


@pytest.fixture(scope="module")
def patient_server(tmp_path_factory) -> Iterator[str]:
    """2 workers, 1 Django thread each, a body timeout longer than any test here."""
    with scratch_database(tmp_path_factory.mktemp("slow")) as database_url:
        env = server_env(database_url, WEB_BODY_TIMEOUT_SECONDS="120", API_THROTTLE_RATE="off")
        migrate(env)
        with running_server(env, workers=2) as base:
            # Warm: each worker has loaded the URL modules and opened its connection.
            for _ in range(8):
                requests.get(f"{base}/todos/alice", headers={"Host": "localhost"}, timeout=30)
            yield base


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory) -> Iterator[str]:
    """Short head and body timeouts; these requests never reach the database."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('strict') / 'unused.sqlite3'}"
    env = server_env(
        database_url, WEB_HEADER_TIMEOUT_SECONDS="2", WEB_BODY_TIMEOUT_SECONDS=str(BODY_TIMEOUT)
    )
    with running_server(env) as base:
        yield base


def assert_normal_requests_answer_quickly(base: str, list_name: str) -> None:
    for n in range(10):
        started = time.monotonic()
        response = requests.post(
            f"{base}/todos/{list_name}",
            json={"todo": f"item {n}"},
            headers={"Host": "localhost"},
            timeout=10,
        )
        assert response.status_code == 201
        assert response.json() == {"todo": f"item {n}", "todo_idx": n}
        started_get = time.monotonic()
        listed = requests.get(
            f"{base}/todos/{list_name}", headers={"Host": "localhost"}, timeout=10
        )
        assert listed.json()["todos"][-1] == f"item {n}"
        assert started_get - started < 2.0
        assert time.monotonic() - started_get < 2.0


def test_normal_requests_answer_quickly_while_slow_clients_hold_connections(patient_server):
    slow = [half_sent_request(patient_server) for _ in range(SLOW_HEAD_CLIENTS)]
    try:
        time.sleep(0.5)
        assert_normal_requests_answer_quickly(patient_server, "beside-slow-heads")
    finally:
        for sock in slow:
            sock.close()


def test_normal_requests_answer_quickly_while_clients_trickle_or_withhold_bodies(
    patient_server,
):
    trickling = [body_promised(patient_server) for _ in range(SLOW_BODY_CLIENTS)]
    silent = [body_promised(patient_server, b"") for _ in range(SILENT_BODY_CLIENTS)]
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(0.5):
            for sock in trickling:
                sock.sendall(b" ")

    trickler = threading.Thread(target=trickle, daemon=True)
    trickler.start()
    try:
        time.sleep(0.5)
        assert_normal_requests_answer_quickly(patient_server, "beside-slow-bodies")
    finally:
        stop.set()
        trickler.join()
        for sock in trickling + silent:
            sock.close()
    # None of the unfinished bodies reached Django.
    listed = requests.get(
        f"{patient_server}/todos/alice", headers={"Host": "localhost"}, timeout=10
    )
    assert listed.json() == {"todos": []}


def test_a_client_that_never_finishes_its_headers_is_cut_off(strict_server):
    sock = half_sent_request(strict_server)
    started = time.monotonic()
    try:
        # The server gives up on the request and closes the connection.
        answer = read_until_closed(sock, 15)
    finally:
        sock.close()
    elapsed = time.monotonic() - started
    assert answer == b""
    assert 1.0 < elapsed < 6.0, elapsed


@pytest.mark.parametrize(
    "sends_body",
    [pytest.param(False, id="stops after the head"), pytest.param(True, id="trickles")],
)
def test_a_body_that_does_not_arrive_in_time_gets_a_408_and_the_connection_closes(
    strict_server, sends_body
):
    sock = body_promised(strict_server, b"" if not sends_body else b"{")
    started = time.monotonic()
    stop = threading.Event()

    def trickle() -> None:
        while sends_body and not stop.wait(0.3):
            try:
                sock.sendall(b" ")
            except OSError:
                return

    trickler = threading.Thread(target=trickle, daemon=True)
    trickler.start()
    try:
        answer = read_until_closed(sock, 15)
    finally:
        stop.set()
        trickler.join()
        sock.close()
    elapsed = time.monotonic() - started
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), answer
    assert b"content-type: application/json" in head.lower()
    assert json.loads(body) == {
        "error": "request_timeout",
        "detail": f"The request body did not arrive within {BODY_TIMEOUT} seconds.",
    }
    assert BODY_TIMEOUT - 0.5 < elapsed < BODY_TIMEOUT + 4, elapsed


def test_a_body_declared_larger_than_the_limit_is_refused_before_it_is_read(strict_server):
    sock = connect(strict_server)
    try:
        sock.sendall(
            b"POST /todos/alice HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10000000\r\n\r\n{"
        )
        started = time.monotonic()
        answer = read_until_closed(sock, 15)
    finally:
        sock.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), answer
    assert json.loads(body)["error"] == "payload_too_large"
    assert time.monotonic() - started < BODY_TIMEOUT
