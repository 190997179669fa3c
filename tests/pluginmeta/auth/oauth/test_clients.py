"""Which redirect URIs an OAuth client may register, and what the refusal says."""

import pytest
from django.core.exceptions import ValidationError

from pluginmeta.auth.oauth.services import check_redirect_uri, register_operator_client
from pluginmeta.models import Plugin

pytestmark = pytest.mark.mutation

UNPRINTABLE = "must be printable ASCII without whitespace (percent-encode the rest)."


@pytest.mark.parametrize(
    "uri",
    [
        "https://chat.openai.com/aip/p/oauth/callback",
        "https://example.com:1/cb",
        "http://localhost:3000/cb",
        "http://127.0.0.1/cb",
        "http://[::1]:8080/cb",
        "http://app.localhost/cb",
        "http://APP.LocalHost/cb",
    ],
)
def test_https_and_local_http_uris_are_accepted(uri):
    assert check_redirect_uri(uri) == uri


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("https://example.com/c b", UNPRINTABLE),
        ("https://example.com/c\tb", UNPRINTABLE),
        ("https://example.com/c\x01b", UNPRINTABLE),
        ("https://exämple.com/cb", UNPRINTABLE),
        ("https://example.com:99999/cb", "is not a valid URL: Port out of range 0-65535."),
        ("https://example.com:0/cb", "is not a valid URL: port 0."),
        ("ftp://example.com/cb", "is not an absolute http(s) URL."),
        ("https:///cb", "is not an absolute http(s) URL."),
        ("/relative/cb", "is not an absolute http(s) URL."),
        ("https://user:pw@example.com/cb", "must not contain a user name or password."),
        ("https://@example.com/cb", "must not contain a user name or password."),
        ("http://example.com/cb", "must use https (http is only for local hosts)."),
        ("http://localhost.example.com/cb", "must use https (http is only for local hosts)."),
        ("https://example.com/cb#x", "must not contain a fragment."),
        ("https://example.com/cb#", "must not contain a fragment."),
    ],
)
def test_other_uris_are_refused_with_the_reason(uri, problem):
    with pytest.raises(ValidationError) as refused:
        check_redirect_uri(uri)
    assert refused.value.messages == [f"{uri!r} {problem}"]


CALLBACK = "https://chat.openai.com/aip/plugin-abc/oauth/callback"


@pytest.mark.django_db
def test_an_operator_client_is_made_once_and_a_repeat_with_the_token_only_stores_it():
    first = register_operator_client("todo-oauth.localhost", [CALLBACK], "ChatGPT", None)
    assert first.client_secret
    again = register_operator_client("todo-oauth.localhost", [CALLBACK], "ChatGPT", "tok-1")
    assert again.client_id == first.client_id
    assert again.client_secret is None
    plugin = Plugin.objects.get(slug="todo-oauth")
    assert plugin.verification_token == "tok-1"
    assert plugin.oauth_clients.count() == 1


@pytest.mark.django_db
def test_an_operator_client_without_a_token_is_always_a_new_client():
    first = register_operator_client("todo-oauth.localhost", [CALLBACK], "ChatGPT", None)
    second = register_operator_client("todo-oauth.localhost", [CALLBACK], "ChatGPT", None)
    assert first.client_id != second.client_id
    assert Plugin.objects.get(slug="todo-oauth").oauth_clients.count() == 2


@pytest.mark.django_db
def test_a_refused_operator_client_changes_nothing():
    with pytest.raises(ValidationError):
        register_operator_client("todo-oauth.localhost", ["http://evil.example/cb"], "X", "tok")
    plugin = Plugin.objects.get(slug="todo-oauth")
    assert plugin.oauth_clients.count() == 0
    assert plugin.verification_token != "tok"
