"""A Host outside DJANGO_ALLOWED_HOSTS gets 400 JSON naming the host and the setting."""

import logging

import pytest
import requests
from django.test import Client

from tests.conftest import HostClient
from tests.server import migrate, running_server, scratch_database, server_env


@pytest.mark.mutation
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("host", "named"),
    [
        ("evil.com", "evil.com"),
        ("localhost.evil.com", "localhost.evil.com"),
        ("Todo.Example.COM:8443", "todo.example.com"),
    ],
)
@pytest.mark.parametrize("path", ["/", "/.well-known/ai-plugin.json", "/todos/alice", "/admin/"])
def test_a_disallowed_host_is_named_with_the_setting(host, named, path, caplog):
    response = HostClient(host).get(path)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": "disallowed_host",
        "detail": f"The host {named} is not in DJANGO_ALLOWED_HOSTS; add it there to serve it.",
        "host": named,
    }
    # Django's own security logger, which operators already watch for refused hosts.
    refused = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert [r.getMessage() for r in refused] == [f"Refused Host header {host!r}"]
    assert refused[0].levelno == logging.WARNING


@pytest.mark.mutation
@pytest.mark.django_db
def test_without_a_host_header_the_servers_own_name_is_named():
    # An HTTP/1.0 request may send no Host; Django then checks the server's name instead.
    response = Client(SERVER_NAME="internal.example").get("/")
    assert response.status_code == 400
    assert response.json() == {
        "error": "disallowed_host",
        "detail": "The host internal.example is not in DJANGO_ALLOWED_HOSTS; add it there to "
        "serve it.",
        "host": "internal.example",
    }


@pytest.mark.mutation
@pytest.mark.django_db
@pytest.mark.parametrize(
    "host",
    [
        'evil.com"},"x":"',
        "<script>alert(1)</script>",
        "a b",
        "x\x00y",
        "localhost:80:80",
        # A well-formed name too long to be one is not repeated either.
        "a" * 250 + ".example",
    ],
)
def test_an_unsafe_host_is_refused_without_repeating_it(host):
    response = HostClient(host).get("/")
    assert response.status_code == 400
    body = response.json()
    assert body == {
        "error": "disallowed_host",
        "detail": "The Host header is not a valid host name; this server answers only "
        "the hosts listed in DJANGO_ALLOWED_HOSTS.",
    }


@pytest.mark.mutation
@pytest.mark.django_db
def test_an_allowed_host_still_works():
    assert HostClient("localhost").get("/todos/alice").status_code == 200


def test_the_https_redirect_refuses_a_host_with_the_same_json(tmp_path):
    # With DJANGO_HTTPS the redirect middleware reads the Host before host routing does;
    # the refusal must still be the JSON answer, from the real server.
    with scratch_database(tmp_path) as database_url:
        env = server_env(database_url, DJANGO_HTTPS="1", DJANGO_ALLOWED_HOSTS="todo.example.com")
        migrate(env)
        with running_server(env) as base:
            response = requests.get(
                f"{base}/todos/alice",
                headers={"Host": "evil.example"},
                allow_redirects=False,
                timeout=10,
            )
            allowed = requests.get(
                f"{base}/todos/alice",
                headers={"Host": "todo.example.com"},
                allow_redirects=False,
                timeout=10,
            )
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["host"] == "evil.example"
    assert "DJANGO_ALLOWED_HOSTS" in response.json()["detail"]
    assert allowed.status_code == 301
