"""Every hardening point of the OAuth server, attacked through the test client."""

import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, Grant, RefreshToken, get_application_model

from pluginmeta.auth.oauth.services import register_client
from pluginmeta.models import PluginOAuthClient
from tests.conftest import OAUTH_HOST, USER_HOST, HostClient, make_plugin
from tests.pluginmeta.auth.oauth.oauth_helpers import (
    authorize_params,
    consent_fields,
    exchange,
    get_code,
    page_error,
    refresh,
)
from tests.pluginmeta.conftest import (
    CHATGPT_REDIRECT,
    GPT_REDIRECT,
    csrf_token_of,
    form_fields,
    pkce_pair,
    query_of,
)
from todos.models import Todo

pytestmark = pytest.mark.mutation

Application = get_application_model()


def form_post(web, body: dict):
    return web.post(
        "/auth/oauth_exchange", urlencode(body), content_type="application/x-www-form-urlencoded"
    )


@pytest.fixture
def signed_in(oauth_web, alice_user):
    oauth_web.force_login(alice_user)
    return oauth_web


# --- Redirect URIs match exactly; nothing redirects openly ----------------------------------------


REDIRECT_URI_PROBLEMS = {
    "Mismatching": "The return address (redirect_uri) is not one this application registered.",
    "Invalid": "The return address (redirect_uri) is not a valid URL.",
}


@pytest.mark.parametrize(
    ("redirect_uri", "why"),
    [
        (CHATGPT_REDIRECT + "?extra=1", "Mismatching"),
        (CHATGPT_REDIRECT + "#frag", "Invalid"),  # RFC 6749 3.1.2: no fragment, ever
        (CHATGPT_REDIRECT.replace("https://", "http://"), "Mismatching"),
        (CHATGPT_REDIRECT.replace("chat.openai.com", "chat.openai.com:8443"), "Mismatching"),
        (CHATGPT_REDIRECT + "/", "Mismatching"),
        (CHATGPT_REDIRECT.upper(), "Mismatching"),
        ("https://evil.example/aip/plugin-0123abcd/oauth/callback", "Mismatching"),
        ("https://chat.openai.com.evil.example/aip/plugin-0123abcd/oauth/callback", "Mismatching"),
    ],
)
def test_redirect_uri_must_match_exactly(signed_in, chatgpt, redirect_uri, why):
    response = signed_in.get(
        "/oauth", authorize_params(chatgpt.client_id, redirect_uri=redirect_uri)
    )
    # Refused on our own page: never a redirect to the unregistered URI.
    assert response.status_code == 400
    assert not response.has_header("Location")
    assert page_error(response) == f"invalid_request: {REDIRECT_URI_PROBLEMS[why]}"


def test_unknown_client_is_not_redirected(signed_in):
    response = signed_in.get("/oauth", authorize_params("no-such-client"))
    assert response.status_code == 400
    assert not response.has_header("Location")
    assert page_error(response) == (
        "invalid_request: The application asking for access is not registered on this site "
        "(unknown client_id)."
    )


def test_forged_consent_form_cannot_redirect_anywhere(signed_in, chatgpt):
    fields = consent_fields(signed_in, chatgpt.client_id)
    for allow in ({"allow": "true"}, {}):
        forged = {**fields, "redirect_uri": "https://evil.example/cb", **allow}
        response = signed_in.post("/oauth", forged)
        assert response.status_code == 400
        assert not response.has_header("Location")
    forged = {**fields, "client_id": "no-such-client", "allow": "true"}
    assert signed_in.post("/oauth", forged).status_code == 400


def test_token_exchange_needs_the_same_redirect_uri(signed_in, chatgpt):
    code = get_code(signed_in, chatgpt.client_id)
    response = exchange(signed_in, chatgpt, code, redirect_uri=GPT_REDIRECT)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Mismatching redirect URI.",
    }
    assert not AccessToken.objects.exists()


def test_deny_returns_access_denied_with_state(signed_in, chatgpt):
    fields = consent_fields(signed_in, chatgpt.client_id, state="deny-state")
    response = signed_in.post("/oauth", fields)  # no "allow": the Deny button
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(CHATGPT_REDIRECT + "?")
    params = query_of(location)
    assert params["error"] == "access_denied"
    assert params["state"] == "deny-state"
    assert "code" not in params
    assert not Grant.objects.exists()


# --- Codes are single-use and short-lived ---------------------------------------------------------


def test_code_is_single_use(signed_in, chatgpt):
    code = get_code(signed_in, chatgpt.client_id)
    assert exchange(signed_in, chatgpt, code).status_code == 200
    replay = exchange(signed_in, chatgpt, code)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


def test_code_expires_within_a_minute(signed_in, chatgpt):
    code = get_code(signed_in, chatgpt.client_id)
    grant = Grant.objects.get(code=code)
    assert (grant.expires - grant.created).total_seconds() <= 60
    grant.expires -= timedelta(seconds=61)
    grant.save()
    response = exchange(signed_in, chatgpt, code)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_code_of_one_client_is_refused_for_another(signed_in, chatgpt, oauth_plugin):
    other = register_client(oauth_plugin, [CHATGPT_REDIRECT], name="Other")
    code = get_code(signed_in, chatgpt.client_id)
    response = exchange(signed_in, other, code)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


# --- PKCE: S256 required for public clients, optional for confidential ones -----------------------


def code_client(name: str, client_type: str):
    """An authorization-code client for CHATGPT_REDIRECT, made without our registration checks."""
    return Application.objects.create(
        name=name,
        client_type=client_type,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=CHATGPT_REDIRECT,
    )


@pytest.fixture
def public_client(oauth_plugin):
    application = code_client("Public", Application.CLIENT_PUBLIC)
    PluginOAuthClient.objects.create(plugin=oauth_plugin, application=application)
    return application


def test_public_client_without_pkce_is_refused(signed_in, public_client):
    response = signed_in.get("/oauth", authorize_params(public_client.client_id))
    assert response.status_code == 302
    assert query_of(response["Location"])["error"] == "invalid_request"


@pytest.mark.parametrize("method", ["plain", None])
def test_plain_pkce_is_refused(signed_in, public_client, method):
    params = authorize_params(
        public_client.client_id, code_challenge="a" * 43, code_challenge_method=method
    )
    response = signed_in.get("/oauth", params)
    assert response.status_code == 302
    answer = query_of(response["Location"])
    assert answer["error"] == "invalid_request"
    assert answer["error_description"] == "PKCE requires code_challenge_method=S256."


def test_public_client_with_s256_pkce(signed_in, public_client):
    verifier, challenge = pkce_pair()
    code = get_code(
        signed_in, public_client.client_id, code_challenge=challenge, code_challenge_method="S256"
    )
    body = {
        "grant_type": "authorization_code",
        "client_id": public_client.client_id,
        "code": code,
        "redirect_uri": CHATGPT_REDIRECT,
    }
    wrong = form_post(signed_in, {**body, "code_verifier": "x" * 50})
    assert wrong.status_code == 400
    assert form_post(signed_in, body).status_code == 400  # no verifier at all
    code = get_code(
        signed_in, public_client.client_id, code_challenge=challenge, code_challenge_method="S256"
    )
    right = form_post(signed_in, {**body, "code": code, "code_verifier": verifier})
    assert right.status_code == 200, right.content


def test_confidential_client_pkce_is_checked_when_sent(signed_in, chatgpt):
    verifier, challenge = pkce_pair()
    code = get_code(
        signed_in, chatgpt.client_id, code_challenge=challenge, code_challenge_method="S256"
    )
    assert exchange(signed_in, chatgpt, code).status_code == 400  # verifier missing
    code = get_code(
        signed_in, chatgpt.client_id, code_challenge=challenge, code_challenge_method="S256"
    )
    assert exchange(signed_in, chatgpt, code, code_verifier=verifier).status_code == 200


# --- Refresh tokens rotate; a replay revokes the family -------------------------------------------


def test_replayed_refresh_token_fails_and_revokes_family(signed_in, chatgpt):
    first = exchange(signed_in, chatgpt, get_code(signed_in, chatgpt.client_id)).json()
    second = refresh(signed_in, chatgpt, first["refresh_token"]).json()
    replay = refresh(signed_in, chatgpt, first["refresh_token"])
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    # The whole family is dead: the rotated token and its access token no longer work.
    assert refresh(signed_in, chatgpt, second["refresh_token"]).status_code == 400
    assert not RefreshToken.objects.filter(revoked__isnull=True).exists()
    api = HostClient(OAUTH_HOST, HTTP_AUTHORIZATION=f"Bearer {second['access_token']}")
    assert api.get("/todos/alice").status_code == 401


def test_refresh_needs_the_client_secret(signed_in, chatgpt):
    first = exchange(signed_in, chatgpt, get_code(signed_in, chatgpt.client_id)).json()
    body = {
        "grant_type": "refresh_token",
        "client_id": chatgpt.client_id,
        "refresh_token": first["refresh_token"],
    }
    response = signed_in.post("/auth/oauth_exchange", json.dumps(body), "application/json")
    assert response.status_code == 401


# --- Only the code and refresh grants -------------------------------------------------------------


def test_password_grant_is_off(oauth_web, chatgpt, alice_user):
    application = Application.objects.get(client_id=chatgpt.client_id)
    application.authorization_grant_type = Application.GRANT_PASSWORD
    application.save()
    body = {
        "grant_type": "password",
        "username": "alice",
        "password": "correct horse battery staple 42",
        "client_id": chatgpt.client_id,
        "client_secret": chatgpt.client_secret,
    }
    response = form_post(oauth_web, body)
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    assert not AccessToken.objects.exists()


def test_client_credentials_grant_is_off(oauth_web, chatgpt):
    body = {
        "grant_type": "client_credentials",
        "client_id": chatgpt.client_id,
        "client_secret": chatgpt.client_secret,
    }
    response = form_post(oauth_web, body)
    assert response.status_code == 400
    assert response.json() == {"error": "unsupported_grant_type"}
    assert not AccessToken.objects.exists()


def test_implicit_grant_is_off(signed_in, chatgpt):
    application = Application.objects.get(client_id=chatgpt.client_id)
    application.authorization_grant_type = Application.GRANT_IMPLICIT
    application.save()
    response = signed_in.get("/oauth", authorize_params(chatgpt.client_id, response_type="token"))
    assert response.status_code == 302
    location = response["Location"]
    assert "access_token" not in location
    assert query_of(location) == {"error": "unsupported_response_type", "state": "st-123"}


# --- Tokens and clients are bound to their plugin -------------------------------------------------


def test_client_of_another_plugin_is_unknown_here(oauth_web, alice_user, chatgpt):
    # This host has a client of its own too (chatgpt): a token must be from one of this plugin's
    # clients, and from the very client that it names.
    other = make_plugin(
        "todo-oauth-2",
        "other-oauth.localhost",
        "oauth",
        name_for_model="todo_oauth2",
        oauth_scope="todos",
    )
    foreign = register_client(other, [CHATGPT_REDIRECT])
    oauth_web.force_login(alice_user)
    response = oauth_web.get("/oauth", authorize_params(foreign.client_id))
    assert response.status_code == 400
    assert not response.has_header("Location")
    assert page_error(response) == (
        "invalid_request: The application asking for access is not registered on this site "
        "(unknown client_id)."
    )

    # A token issued on the other host does not open this plugin's API.
    other_web = HostClient("other-oauth.localhost")
    other_web.force_login(alice_user)
    token = exchange(other_web, foreign, get_code(other_web, foreign.client_id)).json()
    bearer = f"Bearer {token['access_token']}"
    assert (
        HostClient("other-oauth.localhost", HTTP_AUTHORIZATION=bearer)
        .get("/todos/alice")
        .status_code
        == 200
    )
    response = HostClient(OAUTH_HOST, HTTP_AUTHORIZATION=bearer).get("/todos/alice")
    assert response.status_code == 401
    assert response.json()["detail"] == "This access token was not issued for this plugin."
    # ...and the secret of the other plugin's client does not work on this host.
    assert exchange(oauth_web, foreign, "any-code").status_code == 401


def test_client_of_no_plugin_is_unknown_here(signed_in):
    application = code_client("No plugin", Application.CLIENT_CONFIDENTIAL)
    response = signed_in.get("/oauth", authorize_params(application.client_id))
    assert response.status_code == 400
    assert not response.has_header("Location")
    assert page_error(response).endswith("(unknown client_id).")


def test_path_user_other_than_token_user_is_refused(signed_in, chatgpt, bob_user):
    token = exchange(signed_in, chatgpt, get_code(signed_in, chatgpt.client_id)).json()
    api = HostClient(OAUTH_HOST, HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
    for method, body in (("get", None), ("post", {"todo": "x"}), ("delete", {"todo_idx": 0})):
        response = api.json_call(method, "/todos/bob", body)
        assert response.status_code == 403
        assert response.json() == {
            "error": "permission_denied",
            "detail": "You can only access your own data.",
        }
    assert not Todo.objects.exists()


def test_api_without_or_with_bad_token_is_401(oauth_web):
    assert oauth_web.get("/todos/alice").status_code == 401
    bad = HostClient(OAUTH_HOST, HTTP_AUTHORIZATION="Bearer not-a-token")
    response = bad.get("/todos/alice")
    assert response.status_code == 401
    assert response.json()["error"]


def test_access_token_in_query_string_is_refused(signed_in, chatgpt):
    token = exchange(signed_in, chatgpt, get_code(signed_in, chatgpt.client_id)).json()
    response = HostClient(OAUTH_HOST).get(f"/todos/alice?access_token={token['access_token']}")
    assert response.status_code == 401


# --- Pages: not frameable, CSRF-protected ---------------------------------------------------------


@pytest.mark.parametrize("path", ["/oauth/login", "/oauth/signup", "/oauth/logout"])
def test_pages_cannot_be_framed(oauth_web, path):
    response = oauth_web.get(path)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_consent_page_cannot_be_framed(signed_in, chatgpt):
    response = signed_in.get("/oauth", authorize_params(chatgpt.client_id))
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"].split(", ")


def test_login_needs_csrf_token(alice_user):
    web = Client(HTTP_HOST=OAUTH_HOST, enforce_csrf_checks=True)
    body = {"username": "alice", "password": "correct horse battery staple 42"}
    assert web.post("/oauth/login", body).status_code == 403
    token = csrf_token_of(web.get("/oauth/login").content.decode())
    response = web.post("/oauth/login", {**body, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_consent_needs_csrf_token(chatgpt, alice_user):
    web = Client(HTTP_HOST=OAUTH_HOST, enforce_csrf_checks=True)
    web.force_login(alice_user)
    page = web.get("/oauth", authorize_params(chatgpt.client_id)).content.decode()
    fields = form_fields(page)
    without = {k: v for k, v in fields.items() if k != "csrfmiddlewaretoken"}
    assert web.post("/oauth", {**without, "allow": "true"}).status_code == 403
    assert not Grant.objects.exists()
    assert web.post("/oauth", {**fields, "allow": "true"}).status_code == 302


# --- OAuth endpoints exist only on oauth hosts ----------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/oauth",
        "/oauth/login",
        "/oauth/signup",
        "/oauth/logout",
        "/auth/oauth_exchange",
        "/.well-known/oauth-authorization-server",
    ],
)
@pytest.mark.parametrize("host", ["localhost", USER_HOST, "sports.localhost"])
def test_oauth_endpoints_are_404_on_other_hosts(db, host, path):
    response = HostClient(host).get(path)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


@pytest.mark.parametrize(
    ("registered", "requested"),
    [
        # RFC 8252 lets loopback ports vary and DOT allows extra query parameters; we do not.
        ("http://127.0.0.1:9000/cb", "http://127.0.0.1:9001/cb"),
        ("https://chat.openai.com/cb?x=1", "https://chat.openai.com/cb?x=1&y=2"),
        ("https://chat.openai.com/cb?x=1", "https://chat.openai.com/cb?y=2&x=1"),
    ],
)
def test_no_lenient_redirect_matching(signed_in, oauth_plugin, registered, requested):
    client = register_client(oauth_plugin, [registered])
    ok = signed_in.get("/oauth", authorize_params(client.client_id, redirect_uri=registered))
    assert ok.status_code == 200
    response = signed_in.get("/oauth", authorize_params(client.client_id, redirect_uri=requested))
    assert response.status_code == 400
    assert not response.has_header("Location")


def test_replayed_code_revokes_the_tokens_it_issued(signed_in, chatgpt):
    code = get_code(signed_in, chatgpt.client_id)
    token = exchange(signed_in, chatgpt, code).json()
    api = HostClient(OAUTH_HOST, HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
    assert api.get("/todos/alice").status_code == 200
    replay = exchange(signed_in, chatgpt, code)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert api.get("/todos/alice").status_code == 401
    assert refresh(signed_in, chatgpt, token["refresh_token"]).status_code == 400


def test_a_replay_is_caught_after_later_codes_were_spent(signed_in, chatgpt):
    code = get_code(signed_in, chatgpt.client_id)
    first = exchange(signed_in, chatgpt, code).json()
    assert exchange(signed_in, chatgpt, get_code(signed_in, chatgpt.client_id)).status_code == 200
    assert exchange(signed_in, chatgpt, code).status_code == 400
    api = HostClient(OAUTH_HOST, HTTP_AUTHORIZATION=f"Bearer {first['access_token']}")
    assert api.get("/todos/alice").status_code == 401


def test_code_replay_revokes_only_that_codes_tokens(signed_in, chatgpt):
    keep = exchange(signed_in, chatgpt, get_code(signed_in, chatgpt.client_id)).json()
    code = get_code(signed_in, chatgpt.client_id)
    first = exchange(signed_in, chatgpt, code)
    assert first.status_code == 200
    replay = exchange(signed_in, chatgpt, code)  # revokes only what this code issued
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    replayed = HostClient(OAUTH_HOST, HTTP_AUTHORIZATION=f"Bearer {first.json()['access_token']}")
    assert replayed.get("/todos/alice").status_code == 401
    api = HostClient(OAUTH_HOST, HTTP_AUTHORIZATION=f"Bearer {keep['access_token']}")
    assert api.get("/todos/alice").status_code == 200


def test_malformed_authorization_requests_are_400_pages(signed_in, chatgpt):
    assert signed_in.get("/oauth").status_code == 400
    # Without a redirect URI there is nowhere safe to send the error: it is shown here.
    no_redirect = signed_in.get("/oauth", {"client_id": chatgpt.client_id})
    assert no_redirect.status_code == 400
    assert not no_redirect.has_header("Location")
    assert page_error(no_redirect) == (
        "invalid_request: The link does not say where to return to (redirect_uri is missing)."
    )
    response = signed_in.post("/oauth", {})
    assert response.status_code == 400
    assert page_error(response) == "invalid_request: This authorization request is not valid."


def test_token_endpoint_takes_post_only(oauth_web):
    response = oauth_web.get("/auth/oauth_exchange")
    assert response.status_code == 405
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "The token endpoint takes POST only.",
    }
    assert response["Allow"] == "POST, OPTIONS"
    assert response["Cache-Control"] == "no-store"
