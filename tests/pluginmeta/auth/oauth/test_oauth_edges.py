"""OAuth requests at the edges of the protocol: each gets a 4xx answer, never a 500 or a code."""

import base64
import json

import pytest
from oauth2_provider.models import AccessToken, Grant

from tests.conftest import HostClient
from tests.pluginmeta.auth.oauth.oauth_helpers import (
    authorize_params,
    exchange,
    get_code,
    page_error,
)
from tests.pluginmeta.conftest import CHATGPT_REDIRECT

pytestmark = pytest.mark.mutation

TOKEN_PATH = "/auth/oauth_exchange"


@pytest.fixture
def signed_in(oauth_web, alice_user):
    oauth_web.force_login(alice_user)
    return oauth_web


def token_request(web: HostClient, body: dict, **headers):
    return web.post(TOKEN_PATH, json.dumps(body), content_type="application/json", **headers)


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


@pytest.mark.parametrize(
    "grant_type",
    [
        "urn:ietf:params:oauth:grant-type:device_code",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "urn:ietf:params:oauth:grant-type:token-exchange",
    ],
)
def test_other_grant_types_are_unsupported(oauth_web, chatgpt, grant_type):
    response = token_request(
        oauth_web,
        {
            "grant_type": grant_type,
            "device_code": "dc-123",
            "client_id": chatgpt.client_id,
            "client_secret": chatgpt.client_secret,
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    assert not AccessToken.objects.exists()


def test_a_token_request_whose_query_oauthlib_cannot_decode_is_an_oauth_error(signed_in, chatgpt):
    # oauthlib raises a plain ValueError for a query like this one, not an OAuth error.
    body = {
        "grant_type": "authorization_code",
        "client_id": chatgpt.client_id,
        "client_secret": chatgpt.client_secret,
        "code": get_code(signed_in, chatgpt.client_id),
        "redirect_uri": CHATGPT_REDIRECT,
    }
    response = signed_in.post(
        TOKEN_PATH + "?a=%zz", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Invalid hex encoding in query string.",
    }
    assert response["Cache-Control"] == "no-store"
    assert not AccessToken.objects.exists()


@pytest.mark.parametrize(
    ("client_id", "secret"),
    [("a\x00b", "secret"), ("\x00", ""), (None, "sec\x00ret")],
    ids=["nul-in-id", "only-nul", "nul-in-secret"],
)
def test_basic_credentials_with_nul_are_an_invalid_client(signed_in, chatgpt, client_id, secret):
    code = get_code(signed_in, chatgpt.client_id)
    response = token_request(
        signed_in,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": CHATGPT_REDIRECT},
        HTTP_AUTHORIZATION=basic(client_id or chatgpt.client_id, secret),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert not AccessToken.objects.exists()


@pytest.mark.parametrize("signed", [False, True], ids=["anonymous", "signed-in"])
@pytest.mark.parametrize(
    "query",
    ["client_id=%00", "client_id={client_id}&x%00y=1"],
    ids=["in-a-value", "in-a-name"],
)
def test_nul_on_the_authorize_page_is_a_400_page(oauth_web, alice_user, chatgpt, signed, query):
    if signed:
        oauth_web.force_login(alice_user)
    query = query.format(client_id=chatgpt.client_id)
    response = oauth_web.get(
        f"/oauth?response_type=code&{query}&scope=todos&redirect_uri=" + CHATGPT_REDIRECT
    )
    assert response.status_code == 400
    assert not response.has_header("Location")
    assert page_error(response) == "invalid_request: The link contains a NUL character."


def test_approval_prompt_auto_still_asks_for_consent(signed_in, chatgpt):
    # A first approval leaves a live access token, which approval_prompt=auto would reuse.
    tokens = exchange(signed_in, chatgpt, get_code(signed_in, chatgpt.client_id))
    assert tokens.status_code == 200
    grants_before = Grant.objects.count()

    response = signed_in.get(
        "/oauth", authorize_params(chatgpt.client_id, approval_prompt="auto", state="forged")
    )
    assert response.status_code == 200
    assert not response.has_header("Location")
    page = response.content.decode()
    assert 'name="allow"' in page
    assert Grant.objects.count() == grants_before


def test_a_code_verifier_for_a_code_without_challenge_is_refused(signed_in, chatgpt):
    code = get_code(signed_in, chatgpt.client_id)  # no code_challenge in the request
    response = exchange(signed_in, chatgpt, code, code_verifier="v" * 50)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "This code was issued without PKCE; do not send a code_verifier.",
    }
    assert not AccessToken.objects.exists()
