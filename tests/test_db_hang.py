"""A database that accepts connections but never answers: every request is a quick 503 JSON."""

import concurrent.futures
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import requests

from tests.server import migrate, running_server, server_env, silent_listener

POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
# The shortest timeouts the settings take (libpq and psycopg round a connect timeout up to 2 s),
# so that the tests wait as little as they can; the defaults (3 s and 5 s) differ only in size.
CONNECT_TIMEOUT = 2
STATEMENT_TIMEOUT = 1
# What a loaded machine adds to a request on top of its database timeouts. A worker held until
# the server's own 30 s timeout, as without these timeouts, takes far longer.
SLACK = 6.0


def timed_request(method: str, url: str, host: str, body=None) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = requests.request(method, url, headers={"Host": host}, json=body, timeout=60)
    return response, time.monotonic() - started


def assert_quick_503(response: requests.Response, elapsed: float, what: str, bound: float) -> None:
    assert response.status_code == 503, (what, response.status_code, response.text[:200])
    assert response.headers["Content-Type"] == "application/json", what
    assert response.json()["error"] == "service_unavailable", what
    assert response.headers["Retry-After"] == "5", what
    assert elapsed < bound, (what, elapsed)


REQUESTS = [
    ("GET", "/healthz", "localhost", None),
    ("GET", "/todos/alice", "localhost", None),
    ("POST", "/todos/alice", "localhost", {"todo": "milk"}),
    ("GET", "/.well-known/ai-plugin.json", "sports.localhost", None),
    ("GET", "/openapi.json", "localhost", None),
    ("GET", "/admin/login/", "localhost", None),
]


def test_a_database_that_never_answers_the_connection_gets_quick_503s():
    with silent_listener() as port:
        env = server_env(
            f"postgres://postgres@127.0.0.1:{port}/hung",
            DJANGO_CONN_MAX_AGE="0",
            DJANGO_DB_CONNECT_TIMEOUT=str(CONNECT_TIMEOUT),
        )
        workers = 2
        with running_server(env, workers=workers) as base:
            # Every page at once: each is a 503 JSON, and each worker is free again as soon as
            # its connection attempt times out, so the last caller in the queue waits for one
            # attempt per request ahead of it on its worker, not for a server timeout.
            with concurrent.futures.ThreadPoolExecutor(len(REQUESTS)) as pool:
                answers = pool.map(
                    lambda call: timed_request(call[0], base + call[1], call[2], call[3]), REQUESTS
                )
            bound = -(-len(REQUESTS) // workers) * CONNECT_TIMEOUT + SLACK
            for (method, path, *_), (response, elapsed) in zip(REQUESTS, answers, strict=True):
                assert_quick_503(response, elapsed, f"{method} {path}", bound=bound)


@contextmanager
def scratch_postgres() -> Iterator[tuple[str, psycopg.Connection]]:
    """A new database on the real Postgres, and an autocommit admin connection to the server."""
    name = f"aips_hang_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{POSTGRES_SERVER}/{name}", admin
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_statement_stuck_behind_a_lock_gets_a_quick_503_and_the_server_recovers():
    with scratch_postgres() as (database_url, _admin):
        env = server_env(database_url, DJANGO_DB_STATEMENT_TIMEOUT=str(STATEMENT_TIMEOUT))
        migrate(env)
        with running_server(env, workers=2) as base:
            url = f"{base}/todos/alice"
            # Warm: the host map is loaded and each worker keeps its connection.
            for _ in range(4):
                assert timed_request("GET", url, "localhost")[0].status_code == 200
            with psycopg.connect(database_url) as holder:
                # Another session holds the table: every read and write on it waits.
                holder.execute("LOCK TABLE todos_todo IN ACCESS EXCLUSIVE MODE")
                for method, body in [("GET", None), ("POST", {"todo": "milk"})] * 2:
                    response, elapsed = timed_request(method, url, "localhost", body)
                    assert_quick_503(response, elapsed, method, bound=STATEMENT_TIMEOUT + SLACK)
                holder.rollback()
            response, _elapsed = timed_request("POST", url, "localhost", {"todo": "milk"})
            assert response.status_code == 201
            assert timed_request("GET", url, "localhost")[0].json() == {"todos": ["milk"]}
