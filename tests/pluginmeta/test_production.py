"""Production serving: deploy checks, static files, health, database outages, throttling."""

import concurrent.futures
import re
import subprocess
import sys
import uuid

import psycopg
import pytest
import requests
from django.conf import settings

from pluginmeta.http import client_address
from tests.conftest import VECTORS, HostClient
from tests.pluginmeta.conftest import throttle
from tests.server import (
    PROJECT_DIR,
    manage_shell,
    migrate,
    running_server,
    scratch_database,
    server_env,
)

UNREACHABLE_POSTGRES = "postgres://postgres@127.0.0.1:9/unreachable"


def test_deploy_checks_are_clean_with_the_documented_production_environment():
    env = server_env(
        "postgres://postgres@127.0.0.1:5432/postgres",
        DJANGO_HTTPS="1",
        DJANGO_SECURE_PROXY_SSL_HEADER="1",
        DJANGO_ALLOWED_HOSTS="todo.example.com",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_server_refuses_to_start_without_a_secret_key(tmp_path):
    # Nor a key file (a checkout that ran `make run` has one).
    env = server_env("sqlite:///unused.sqlite3", DJANGO_SECRET_KEY_FILE=str(tmp_path / "none"))
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.mutation
@pytest.mark.django_db
def test_healthz_answers_on_any_host():
    cache_state = "ok" if settings.REDIS_URL else "local"  # the run's cache, both healthy
    for host in ["localhost", "sports.localhost", "10.0.0.7"]:
        response = HostClient(host).get("/healthz")
        assert response.status_code == 200
        assert response.json() == {
            "status": "ok",
            "database": "ok",
            "cache": cache_state,
            **VECTORS,
        }


def test_database_outage_is_a_503_json_everywhere(tmp_path):
    env = server_env(UNREACHABLE_POSTGRES, DJANGO_CONN_MAX_AGE="0")
    log = tmp_path / "server.log"
    with running_server(env, output=log) as base:
        for path, host in [
            ("/healthz", "localhost"),
            ("/todos/alice", "localhost"),
            ("/.well-known/ai-plugin.json", "sports.localhost"),
            ("/admin/login/", "localhost"),
        ]:
            response = requests.get(base + path, headers={"Host": host}, timeout=10)
            assert response.status_code == 503, path
            assert response.headers["Content-Type"] == "application/json"
            assert response.json()["error"] == "service_unavailable"
            assert response.headers["Retry-After"] == "5"
            assert "Traceback" not in response.text
    # Logs go to stdout, and the cause is in them.
    assert "database unreachable" in log.read_text()


@pytest.mark.django_db
def test_admin_static_files_are_served_with_debug_off(tmp_path):
    static_root = tmp_path / "static"
    with scratch_database(tmp_path) as database_url:
        env = server_env(database_url, DJANGO_STATIC_ROOT=str(static_root))
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=PROJECT_DIR,
            env=env,
            check=True,
            timeout=180,
        )
        migrate(env)
        with running_server(env) as base:
            page = requests.get(f"{base}/admin/login/", headers={"Host": "localhost"}, timeout=10)
            assert page.status_code == 200
            css = re.findall(r'<link[^>]*href="([^"]+\.css)"', page.text)
            assert css, "the admin page links no stylesheet"
            # Hashed names prove the manifest storage, served by whitenoise.
            assert any(len(href.rsplit(".", 2)[-2]) == 12 for href in css), css
            for href in css:
                response = requests.get(base + href, headers={"Host": "localhost"}, timeout=10)
                assert response.status_code == 200, href
                assert response.headers["Content-Type"].startswith("text/css")
                assert "max-age=315360000" in response.headers["Cache-Control"]


@pytest.mark.mutation
@pytest.mark.django_db
def test_throttled_requests_get_429_with_retry_after(settings):
    throttle(settings, "3/min")
    client = HostClient("localhost")
    statuses = [client.get("/todos/alice").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    response = client.get("/todos/alice")
    assert response.json()["error"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60


def throttled_gets(tmp_path, rate: str, count: int) -> list[tuple[int, str]]:
    """(status, Retry-After) of count concurrent GETs to 2 server workers sharing Redis.

    The rates are per hour: a window is a clock period, and the GETs, which take seconds on a
    busy machine, would often straddle the end of a minute and be counted against two limits.
    """
    with scratch_database(tmp_path) as database_url:
        env = server_env(
            database_url,
            REDIS_URL="redis://127.0.0.1:6379/0",
            DJANGO_CACHE_PREFIX=f"test-{uuid.uuid4().hex}",
            API_THROTTLE_RATE=rate,
        )
        migrate(env)
        with running_server(env, workers=2) as base:

            def call(_: int) -> tuple[int, str]:
                response = requests.get(
                    f"{base}/todos/alice", headers={"Host": "localhost"}, timeout=10
                )
                return response.status_code, response.headers.get("Retry-After", "")

            with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
                return list(pool.map(call, range(count)))


@pytest.mark.django_db
def test_two_workers_share_one_limit_through_redis(tmp_path):
    results = throttled_gets(tmp_path, "10/hour", 40)
    statuses = [status for status, _ in results]
    assert statuses.count(200) == 10
    assert statuses.count(429) == 30
    assert all(retry for status, retry in results if status == 429)


@pytest.mark.django_db
def test_two_workers_leasing_slots_stay_within_the_limit(tmp_path):
    # 128 leases 2 slots at a time (pluginmeta.api.throttling.Leases): never more than the
    # limit, and at most one unused slot per worker lost.
    statuses = [status for status, _ in throttled_gets(tmp_path, "128/hour", 200)]
    assert 128 - 2 <= statuses.count(200) <= 128
    assert statuses.count(200) + statuses.count(429) == 200


def test_settings_default_cache_is_local_memory_without_redis():
    if settings.REDIS_URL:
        pytest.skip("REDIS_URL is set for this run")
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")


@pytest.mark.mutation
@pytest.mark.parametrize(
    ("meta", "num_proxies", "expected"),
    [
        ({"REMOTE_ADDR": "10.0.0.1"}, 0, "10.0.0.1"),
        ({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6"}, 0, "10.0.0.1"),
        ({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.2.3.4"}, 1, "1.2.3.4"),
        ({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, 2, "1.2.3.4"),
    ],
    ids=["direct", "spoofed-header-ignored", "one-proxy", "fewer-hops-than-proxies"],
)
def test_throttle_identifies_the_client_without_trusting_spoofed_headers(
    settings, rf, meta, num_proxies, expected
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": num_proxies}
    request = rf.get("/todos/alice")
    request.META.update(meta)
    assert client_address(request) == expected


def test_no_proxy_is_trusted_unless_configured(settings):
    # DRF trusts all of X-Forwarded-For when NUM_PROXIES is None, so the default must be 0.
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0


@pytest.mark.django_db
def test_benchmark_baselines_are_served_only_when_asked_for(tmp_path):
    with scratch_database(tmp_path) as database_url:
        plain = server_env(database_url)
        migrate(plain)
        with running_server(plain) as base:
            off = requests.get(f"{base}/bench/raw", headers={"Host": "localhost"}, timeout=10)
        with running_server(server_env(database_url, PLUGIN_BENCH_BASELINE="1")) as base:
            on = [
                requests.get(f"{base}{path}", headers={"Host": "localhost"}, timeout=10)
                for path in ("/bench/raw", "/bench/raw-query")
            ]
    assert off.status_code == 404
    assert [(r.status_code, r.json()) for r in on] == [(200, {"todos": ["baseline"]})] * 2


PREPARED_PROBE = """
from django.db import connection
from pluginmeta.db import fetch_all
for _ in range(6):
    fetch_all("SELECT count(*) FROM pg_class WHERE relname = %s", ("pg_type",))
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql")
    print("prepared", cursor.fetchone()[0])
"""


@pytest.mark.parametrize(("switch", "prepared"), [("1", True), ("0", False)])
def test_postgres_prepares_repeated_statements_unless_turned_off(switch, prepared):
    # Django turns psycopg's preparation off unless OPTIONS asks; the settings ask for it.
    env = server_env(
        "postgres://postgres@127.0.0.1:5432/postgres", DJANGO_PG_SERVER_SIDE_BINDING=switch
    )
    count = int(re.search(r"prepared (\d+)", manage_shell(env, PREPARED_PROBE)).group(1))
    assert (count > 0) is prepared


@pytest.mark.parametrize("fast_path", ["1", "0"], ids=["fast-path", "drf-only"])
def test_losing_postgres_mid_run_is_a_503_json_on_both_paths(fast_path):
    # The host map and the connection are warm; then the database goes away under them.
    name = f"aips_outage_{uuid.uuid4().hex[:10]}"
    server = "postgres://postgres@127.0.0.1:5432"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            env = server_env(f"{server}/{name}", PLUGIN_FAST_PATH=fast_path)
            migrate(env)
            with running_server(env) as base:
                url, host = f"{base}/todos/alice", {"Host": "localhost"}
                assert requests.get(url, headers=host, timeout=10).status_code == 200
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    (name,),
                )
                for method, body in [("GET", None), ("POST", {"todo": "milk"}), ("GET", None)]:
                    response = requests.request(method, url, headers=host, json=body, timeout=10)
                    assert response.status_code == 503, method
                    assert response.json() == {
                        "error": "service_unavailable",
                        "detail": "The database is unreachable; try again shortly.",
                    }
                    assert response.headers["Retry-After"] == "5"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
