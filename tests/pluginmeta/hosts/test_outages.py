"""The health check and host routing when Redis or the database is gone, in process."""

import logging

import pytest
from django.db import OperationalError

from pluginmeta.hosts.resolver import forget_host_map
from tests.conftest import NOAUTH_HOST, VECTORS, HostClient

pytestmark = pytest.mark.mutation

DATABASE_UNAVAILABLE = {
    "error": "service_unavailable",
    "detail": "The database is unreachable; try again shortly.",
}


def redis_cache(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "pluginmeta.cache.ResilientRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            "RETRY_SECONDS": 0,
        }
    }


def assert_database_unavailable(response) -> None:
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "5"
    assert response.json() == DATABASE_UNAVAILABLE


def logged_outage(caplog, message: str, logger: str = "pluginmeta.hosts.middleware"):
    """The one error record with this message, which must carry the database's exception."""
    records = [r for r in caplog.records if r.getMessage() == message]
    assert len(records) == 1, [r.getMessage() for r in caplog.records]
    record = records[0]
    assert record.name == logger
    assert record.levelno == logging.ERROR
    assert isinstance(record.exc_info[1], OperationalError)
    return record


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("location", "expected"),
    [
        # Nothing listens on port 1: the connection is refused at once, and the site stays up.
        (
            "redis://127.0.0.1:1/0",
            {"status": "degraded", "database": "ok", "cache": "unreachable", **VECTORS},
        ),
        ("redis://127.0.0.1:6379/0", {"status": "ok", "database": "ok", "cache": "ok", **VECTORS}),
    ],
    ids=["redis-gone", "redis-up"],
)
def test_healthz_reports_the_state_of_redis_and_stays_200(settings, location, expected):
    settings.CACHES = redis_cache(location)
    response = HostClient("10.0.0.7").get("/healthz")
    assert response.status_code == 200
    assert response.json() == expected


@pytest.mark.django_db
def test_healthz_is_503_json_while_the_database_is_gone(database_gone, caplog):
    with database_gone():
        response = HostClient("localhost").get("/healthz")
    assert_database_unavailable(response)
    logged_outage(caplog, "health check: database unreachable", "pluginmeta.health")


@pytest.mark.django_db
def test_a_host_lookup_without_the_database_is_503_json(database_gone, caplog):
    forget_host_map()  # the next request must read the hosts from the database
    with database_gone():
        response = HostClient(NOAUTH_HOST).get("/todos/alice")
    assert_database_unavailable(response)
    logged_outage(caplog, "host lookup: database unreachable")
    assert HostClient(NOAUTH_HOST).get("/todos/alice").status_code == 200


@pytest.mark.django_db
def test_a_page_that_loses_the_database_is_503_json_not_a_500(database_gone, caplog):
    client = HostClient(NOAUTH_HOST)
    assert client.get("/todos/alice").status_code == 200  # the host map is now in memory
    # A session cookie makes the admin read its session, from the database it cannot reach.
    client.cookies["sessionid"] = "x" * 32
    with database_gone():
        response = client.get("/admin/")
    assert_database_unavailable(response)
    logged_outage(caplog, "database unreachable")


def failing_report() -> str:
    raise RuntimeError("the report's own failure")


@pytest.mark.django_db
def test_the_apps_reports_are_in_the_health_check_and_a_failing_one_says_unknown(settings, caplog):
    reports = {"vector_search": "retrieval.pgvector.vector_search_state"}
    settings.PLUGIN_SERVER = {**settings.PLUGIN_SERVER, "HEALTH_REPORTS": reports}
    assert HostClient(NOAUTH_HOST).get("/healthz").json()["vector_search"] == "exact"
    reports["broken"] = f"{__name__}.failing_report"
    with caplog.at_level(logging.ERROR, logger="pluginmeta.health"):
        response = HostClient(NOAUTH_HOST).get("/healthz")
    assert response.status_code == 200
    assert response.json()["broken"] == "unknown"
    assert response.json()["status"] == "ok"
    assert "RuntimeError" not in response.content.decode()
    assert any("failing_report" in r.getMessage() for r in caplog.records)
