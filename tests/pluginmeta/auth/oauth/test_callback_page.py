"""/oauth/callback: the page README's local try-out returns to, showing the code to copy."""

import pytest

from pluginmeta.auth.oauth.services import register_client
from tests.conftest import NOAUTH_HOST, OAUTH_HOST, HostClient
from tests.pluginmeta.auth.oauth.oauth_helpers import exchange, get_code

CALLBACK = f"http://{OAUTH_HOST}/oauth/callback"


@pytest.fixture
def web(db) -> HostClient:
    return HostClient(OAUTH_HOST)


def test_the_try_out_flow_ends_on_a_page_showing_the_code(web, oauth_plugin, alice_user):
    client = register_client(oauth_plugin, [CALLBACK], name="Try-out")
    web.force_login(alice_user)
    code = get_code(web, client.client_id, redirect_uri=CALLBACK)
    page = web.get("/oauth/callback", {"code": code, "state": "st-123"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<code id="code">{code}</code>' in html
    assert '<code id="state">st-123</code>' in html
    assert "http://todo-oauth.localhost/auth/oauth_exchange" in html
    assert exchange(web, client, code, redirect_uri=CALLBACK).status_code == 200


def test_the_page_is_locked_down(web):
    response = web.get("/oauth/callback", {"code": "abc"})
    assert response["Content-Security-Policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    )
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert not response.has_header("Location")


def test_values_are_escaped(web):
    html = web.get("/oauth/callback", {"code": "<script>alert(1)</script>"}).content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("code", ["a\x00b", "é", "x" * 513, "line\nbreak"])
def test_values_no_oauth_value_can_have_are_not_shown(web, code):
    html = web.get("/oauth/callback", {"code": code}).content.decode()
    assert 'id="code"' not in html
    assert "Nothing to show" in html


def test_an_error_shows_its_code_but_not_its_free_text(web):
    html = web.get(
        "/oauth/callback",
        {"error": "access_denied", "error_description": "Call the hotline to unlock"},
    ).content.decode()
    assert '<code id="error">access_denied</code>' in html
    assert "hotline" not in html
    forged = web.get("/oauth/callback", {"error": "call us now"}).content.decode()
    assert "call us now" not in forged


def test_only_get_is_served(web):
    response = web.post("/oauth/callback", {"code": "abc"})
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


def test_the_page_is_on_oauth_hosts_only(db):
    response = HostClient(NOAUTH_HOST).get("/oauth/callback", {"code": "abc"})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
