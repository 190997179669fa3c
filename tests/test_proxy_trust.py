"""Only DJANGO_SECURE_PROXY_SSL_HEADER makes the server believe a request came over https."""

from collections.abc import Iterator

import pytest
import requests

from tests.server import migrate, running_server, scratch_database, server_env

FORGED = [
    {"X-Forwarded-Proto": "https"},
    {"X-Forwarded-Ssl": "on"},
    {"X-Forwarded-Protocol": "ssl"},
    {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on", "X-Forwarded-Protocol": "ssl"},
]


def published_urls(base: str, headers: dict[str, str]) -> list[str]:
    """The absolute URLs that the manifest, the spec and the OAuth metadata hand out."""
    manifest = requests.get(
        f"{base}/.well-known/ai-plugin.json", headers={"Host": "localhost", **headers}, timeout=10
    ).json()
    spec = requests.get(
        f"{base}/openapi.json", headers={"Host": "localhost", **headers}, timeout=10
    ).json()
    oauth = requests.get(
        f"{base}/.well-known/oauth-authorization-server",
        headers={"Host": "todo-oauth.localhost", **headers},
        timeout=10,
    ).json()
    return [
        manifest["api"]["url"],
        manifest["logo_url"],
        spec["servers"][0]["url"],
        oauth["issuer"],
        oauth["authorization_endpoint"],
        oauth["token_endpoint"],
    ]


@pytest.fixture(scope="module")
def database_env(tmp_path_factory) -> Iterator[dict[str, str]]:
    with scratch_database(tmp_path_factory.mktemp("proxy")) as database_url:
        env = server_env(database_url)
        migrate(env)
        yield env


# One pytest-xdist worker runs them all, so the default server is started once.
pytestmark = pytest.mark.xdist_group("proxy_trust")


@pytest.fixture(scope="module")
def default_server(database_env) -> Iterator[str]:
    """The server with the default settings, shared by the tests that only send requests."""
    with running_server(database_env) as base:
        yield base


def test_forwarded_scheme_headers_from_a_local_client_are_ignored_by_default(default_server):
    for headers in [{}, *FORGED]:
        urls = published_urls(default_server, headers)
        assert all(url.startswith("http://") for url in urls), (headers, urls)


def test_a_forwarded_script_name_from_a_local_client_is_ignored(default_server):
    response = requests.get(
        f"{default_server}/.well-known/ai-plugin.json",
        headers={"Host": "localhost", "SCRIPT_NAME": "/evil"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["api"]["url"] == "http://localhost/openapi.yaml"


def test_the_documented_setting_trusts_x_forwarded_proto_only(database_env):
    env = {**database_env, "DJANGO_SECURE_PROXY_SSL_HEADER": "1"}
    with running_server(env) as base:
        trusted = published_urls(base, {"X-Forwarded-Proto": "https"})
        assert all(url.startswith("https://") for url in trusted), trusted
        for headers in [{"X-Forwarded-Ssl": "on"}, {"X-Forwarded-Protocol": "ssl"}]:
            urls = published_urls(base, headers)
            assert all(url.startswith("http://") for url in urls), (headers, urls)
