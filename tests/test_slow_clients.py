"""A few clients that send their headers slowly do not take the production server down."""

import socket
import time

import requests

from tests.server import migrate, running_server, scratch_database, server_env

# Many more half-open requests than the production setup below has Django threads (2 x 1).
SLOW_CLIENTS = 12


def half_sent_request(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall(b"GET /todos/alice HTTP/1.1\r\nHost: localhost\r\nX-Still-Typing: ")
    return sock


def test_normal_requests_answer_quickly_while_slow_clients_hold_connections(tmp_path):
    with scratch_database(tmp_path) as database_url:
        env = server_env(database_url)
        migrate(env)
        with running_server(env, workers=2) as base:
            # Warm: each worker has loaded the URL modules and opened its connection.
            for _ in range(8):
                requests.get(f"{base}/todos/alice", headers={"Host": "localhost"}, timeout=30)
            slow = [half_sent_request(base) for _ in range(SLOW_CLIENTS)]
            try:
                time.sleep(0.5)
                for n in range(10):
                    started = time.monotonic()
                    response = requests.post(
                        f"{base}/todos/alice",
                        json={"todo": f"item {n}"},
                        headers={"Host": "localhost"},
                        timeout=10,
                    )
                    assert response.status_code == 201
                    assert response.json() == {"todo": f"item {n}", "todo_idx": n}
                    assert time.monotonic() - started < 2.0
            finally:
                for sock in slow:
                    sock.close()


def test_a_client_that_never_finishes_its_headers_is_cut_off(tmp_path):
    env = server_env(f"sqlite:///{tmp_path / 'unused.sqlite3'}", WEB_HEADER_TIMEOUT_SECONDS="2")
    with running_server(env) as base:
        sock = half_sent_request(base)
        sock.settimeout(15)
        started = time.monotonic()
        try:
            # The server gives up on the request and closes the connection.
            answer = sock.recv(4096)
        finally:
            sock.close()
        elapsed = time.monotonic() - started
    assert answer == b""
    assert 1.0 < elapsed < 6.0, elapsed
