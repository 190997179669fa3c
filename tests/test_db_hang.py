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
# The default connect and statement timeouts are 3 s and 5 s; a worker held until the
# server's own 30 s timeout takes far longer than this.
QUICK = 12.0


def timed_request(method: str, url: str, host: str, body=None) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = requests.request(method, url, headers={"Host": host}, json=body, timeout=60)
    return response, time.monotonic() - started


def assert_quick_503(
    response: requests.Response, elapsed: float, what: str, bound: float = QUICK
) -> None:
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
        env = server_env(f"postgres://postgres@127.0.0.1:{port}/hung", DJANGO_CONN_MAX_AGE="0")
        with running_server(env, workers=2) as base:
            for method, path, host, body in REQUESTS:
                response, elapsed = timed_request(method, base + path, host, body)
                assert_quick_503(response, elapsed, f"{method} {path}")
            # Two workers, four callers at once: each worker is free again within seconds.
            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                answers = list(
                    pool.map(
                        lambda _: timed_request("GET", f"{base}/todos/bob", "localhost"), range(4)
                    )
                )
            # A caller may queue behind another's 3 s connect attempt on its worker; the old
            # code held each one for the 30 s worker timeout and then sent HTML.
            for response, elapsed in answers:
                assert_quick_503(response, elapsed, "concurrent GET", bound=2 * QUICK)


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
        env = server_env(database_url)
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
                    assert_quick_503(response, elapsed, method)
                holder.rollback()
            response, _elapsed = timed_request("POST", url, "localhost", {"todo": "milk"})
            assert response.status_code == 201
            assert timed_request("GET", url, "localhost")[0].json() == {"todos": ["milk"]}
