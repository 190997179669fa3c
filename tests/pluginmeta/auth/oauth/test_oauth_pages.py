"""The OAuth pages people see: sign-in, error pages before sign-in, and the authorised apps."""

import pytest
from oauth2_provider.models import AccessToken, RefreshToken

from pluginmeta.auth.oauth.services import register_client
from tests.conftest import OAUTH_HOST, HostClient, make_plugin
from tests.pluginmeta.auth.oauth.oauth_helpers import authorize_params, exchange, get_code, refresh
from tests.pluginmeta.conftest import CHATGPT_REDIRECT, form_fields, query_of

pytestmark = pytest.mark.mutation


def sign_in(client: HostClient, username: str, password: str):
    return client.post("/oauth/login", {"username": username, "password": password, "next": "/"})


# --- Sign-in ------------------------------------------------------------------------------------


def test_a_failed_sign_in_keeps_the_username(oauth_web, alice_user):
    response = sign_in(oauth_web, "alice", "wrong")
    assert response.status_code == 200
    assert form_fields(response.content.decode())["username"] == "alice"


def test_the_kept_username_is_escaped(oauth_web):
    response = sign_in(oauth_web, '"><script>x()</script>', "wrong")
    page = response.content.decode()
    assert "<script>x()" not in page
    assert form_fields(page)["username"] == '"><script>x()</script>'


# --- A broken authorization link is explained before anyone signs in ----------------------------


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"client_id": "no-such-client"}, "not registered on this site (unknown client_id)"),
        ({"client_id": None}, "client_id is missing"),
        (
            {"redirect_uri": "https://evil.example/cb"},
            "not one this application registered",
        ),
        ({"redirect_uri": "https://[::1/cb"}, "redirect_uri) is not a valid URL"),
    ],
    ids=["unknown-client", "no-client", "unregistered-redirect", "malformed-redirect"],
)
def test_a_bad_client_or_redirect_gets_an_error_page_before_sign_in(
    oauth_web, chatgpt, overrides, problem
):
    params = {**authorize_params(chatgpt.client_id), **overrides}
    response = oauth_web.get("/oauth", {k: v for k, v in params.items() if v is not None})
    assert response.status_code == 400
    assert not response.has_header("Location")
    page = response.content.decode()
    assert problem in page
    assert "This authorization request cannot be completed" in page
    assert "TODO List (OAuth)" in page  # the plugin's own page, not a bare error


def test_a_good_link_still_asks_to_sign_in_first(oauth_web, chatgpt):
    response = oauth_web.get("/oauth", authorize_params(chatgpt.client_id))
    assert response.status_code == 302
    assert response["Location"].startswith("/oauth/login?next=/oauth%3F")


def test_other_errors_of_a_good_client_go_back_to_it_before_sign_in(oauth_web, chatgpt):
    response = oauth_web.get("/oauth", authorize_params(chatgpt.client_id, scope="admin"))
    assert response.status_code == 302
    assert response["Location"].startswith(CHATGPT_REDIRECT + "?")
    assert query_of(response["Location"])["error"] == "invalid_scope"
    assert query_of(response["Location"])["state"] == "st-123"


# --- Authorised apps ------------------------------------------------------------------------------


@pytest.fixture
def alice_web(oauth_web, alice_user) -> HostClient:
    oauth_web.force_login(alice_user)
    return oauth_web


@pytest.fixture
def alice_tokens(alice_web, chatgpt) -> dict:
    response = exchange(alice_web, chatgpt, get_code(alice_web, chatgpt.client_id))
    assert response.status_code == 200
    return response.json()


def api_status(access_token: str) -> int:
    api = HostClient(OAUTH_HOST, HTTP_AUTHORIZATION=f"Bearer {access_token}")
    return api.get("/todos/alice").status_code


def test_the_authorised_apps_page_needs_sign_in(oauth_web):
    response = oauth_web.get("/oauth/authorized")
    assert response.status_code == 302
    assert response["Location"] == "/oauth/login?next=/oauth/authorized"


def test_the_authorised_apps_page_lists_the_app(alice_web, alice_tokens):
    token = AccessToken.objects.get()
    page = alice_web.get("/oauth/authorized").content.decode()
    assert "ChatGPT (todo-oauth)" in page
    assert f'href="/oauth/authorized/{token.pk}/revoke"' in page
    assert "Read, add and delete the items of your TODO list" in page


def test_the_list_shows_neither_other_users_nor_other_plugins(
    alice_web, alice_user, bob_user, chatgpt
):
    bob_web = HostClient(OAUTH_HOST)
    bob_web.force_login(bob_user)
    exchange(bob_web, chatgpt, get_code(bob_web, chatgpt.client_id))
    other = make_plugin(
        "todo-oauth-2", "other-oauth.localhost", "oauth", name_for_model="t2", oauth_scope="todos"
    )
    foreign = register_client(other, [CHATGPT_REDIRECT], name="Elsewhere")
    other_web = HostClient("other-oauth.localhost")
    other_web.force_login(alice_user)
    exchange(other_web, foreign, get_code(other_web, foreign.client_id))
    assert AccessToken.objects.count() == 2

    page = alice_web.get("/oauth/authorized").content.decode()
    assert "No app can use" in page
    assert "ChatGPT" not in page
    assert "Elsewhere" not in page


def test_revoking_ends_the_access_and_refresh_tokens(alice_web, alice_tokens, chatgpt):
    assert api_status(alice_tokens["access_token"]) == 200
    token = AccessToken.objects.get()
    confirm = alice_web.get(f"/oauth/authorized/{token.pk}/revoke")
    assert confirm.status_code == 200
    assert "Revoke access of ChatGPT (todo-oauth)?" in confirm.content.decode()
    assert confirm["X-Frame-Options"] == "DENY"

    response = alice_web.post(
        f"/oauth/authorized/{token.pk}/revoke", form_fields(confirm.content.decode())
    )
    assert response.status_code == 302
    assert response["Location"] == "/oauth/authorized"
    assert api_status(alice_tokens["access_token"]) == 401
    assert not AccessToken.objects.exists()
    assert RefreshToken.objects.get().revoked is not None
    refreshed = refresh(alice_web, chatgpt, alice_tokens["refresh_token"])
    assert refreshed.status_code == 400
    assert refreshed.json()["error"] == "invalid_grant"


def test_nobody_revokes_another_users_token(alice_tokens, bob_user):
    token = AccessToken.objects.get()
    bob_web = HostClient(OAUTH_HOST)
    bob_web.force_login(bob_user)
    assert bob_web.get(f"/oauth/authorized/{token.pk}/revoke").status_code == 404
    assert bob_web.post(f"/oauth/authorized/{token.pk}/revoke").status_code == 404
    assert api_status(alice_tokens["access_token"]) == 200


def test_revoking_needs_a_csrf_token(alice_tokens, alice_user):
    token = AccessToken.objects.get()
    web = HostClient(OAUTH_HOST, enforce_csrf_checks=True)
    web.force_login(alice_user)
    assert web.post(f"/oauth/authorized/{token.pk}/revoke").status_code == 403
    assert api_status(alice_tokens["access_token"]) == 200
