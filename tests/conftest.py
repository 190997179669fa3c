"""Shared fixtures: a client per plugin host and helpers for JSON calls."""

import json

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings

from pluginmeta.api.throttling import leases
from pluginmeta.models import Plugin, PluginHost

NOAUTH_HOST = "localhost"
SERVICE_HOST = "todo-service.localhost"
USER_HOST = "todo-user.localhost"
OAUTH_HOST = "todo-oauth.localhost"
SPORTS_HOST = "sports.localhost"
# What /healthz reports of the retrieval plugin's vector search on the test databases, which
# have no pgvector (tests/retrieval/test_pgvector.py covers the other answer).
VECTORS = {"vector_search": "exact"}
ALL_HOSTS = ["localhost", "127.0.0.1", SERVICE_HOST, USER_HOST, OAUTH_HOST, SPORTS_HOST]


class HostClient(Client):
    """A test client bound to one Host header, with JSON helpers."""

    def __init__(self, host: str, **defaults) -> None:
        super().__init__(HTTP_HOST=host, **defaults)
        self.host = host

    def json_call(self, method: str, path: str, body=None, raw: bytes | str | None = None, **extra):
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return getattr(self, method.lower())(
            path, data=data, content_type="application/json", **extra
        )


def make_plugin(slug: str, hostname: str, auth_type: str = "none", **fields) -> Plugin:
    """Another TODO plugin of the given auth type on its own host."""
    values = {
        "kind": "todo",
        "name_for_human": slug[:20],
        "name_for_model": "todo",
        "description_for_human": "A TODO list.",
        "description_for_model": "A TODO list.",
        "contact_email": "ops@example.com",
        "legal_info_url": "https://example.com/legal",
        "auth_type": auth_type,
        "authorization_type": "bearer" if auth_type in {"service_http", "user_http"} else "",
        **fields,
    }
    plugin = Plugin.objects.create(slug=slug, **values)
    PluginHost.objects.create(plugin=plugin, hostname=hostname)
    return plugin


# Users and OAuth client secrets made in the test process hash with MD5: PBKDF2's cost (about
# half a second a hash here) is production's defence, not what these tests check. Servers that
# tests start (tests/server.py) read the real settings and hash as production does; the tests
# of how many hashes a request costs count them with a hasher of their own.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _test_process_settings(tmp_path_factory):
    # The host map's generation file of its own: the checkout's is grown by every other test
    # process (pytest-xdist's workers, other runs in this checkout) and by `make run`, and each
    # growth makes this process reload its host map in the middle of a test.
    plugin_server = {
        **settings.PLUGIN_SERVER,
        "HOST_GENERATION_FILE": str(tmp_path_factory.mktemp("hosts") / "host-map-generation"),
    }
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS, PLUGIN_SERVER=plugin_server):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The host map and the throttle counts live in the cache (and this process's leases of
    # them); each test starts from the database it sees.
    cache.clear()
    leases.clear()
    yield
    cache.clear()
    leases.clear()


@pytest.fixture
def host_client(db):
    """Factory: host_client("sports.localhost") -> HostClient for that host."""
    return HostClient


@pytest.fixture
def noauth(db) -> HostClient:
    return HostClient(NOAUTH_HOST)


@pytest.fixture
def noauth_plugin(db) -> Plugin:
    return Plugin.objects.get(slug="todo")
