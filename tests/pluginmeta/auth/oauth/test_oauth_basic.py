"""The OAuth flow through the test client: consent, code, JSON/form/Basic exchange, API use."""

import base64
import hashlib
import json
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken, RefreshToken

from tests.conftest import OAUTH_HOST, HostClient
from tests.pluginmeta.auth.oauth.oauth_helpers import (
    authorize_params,
    consent_fields,
    exchange,
    get_code,
    refresh,
)
from tests.pluginmeta.conftest import CHATGPT_REDIRECT, query_of

pytestmark = pytest.mark.mutation


def test_unauthenticated_authorize_goes_to_login(oauth_web, chatgpt):
    response = oauth_web.get("/oauth", authorize_params(chatgpt.client_id))
    assert response.status_code == 302
    assert response["Location"].startswith("/oauth/login?next=/oauth%3F")


def test_consent_page_names_plugin_and_scope(oauth_web, chatgpt, alice_user):
    oauth_web.force_login(alice_user)
    response = oauth_web.get("/oauth", authorize_params(chatgpt.client_id))
    page = response.content.decode()
    assert response.status_code == 200
    assert "TODO List (OAuth)" in page
    assert "Read, add and delete the items of your TODO list" in page
    assert "alice" in page


def test_code_json_exchange_and_api(oauth_web, chatgpt, alice_user):
    oauth_web.force_login(alice_user)
    code = get_code(oauth_web, chatgpt.client_id)
    response = exchange(oauth_web, chatgpt, code)
    assert response.status_code == 200, response.content
    token = response.json()
    assert token["token_type"] == "Bearer"
    assert token["refresh_token"]
    assert 3500 <= token["expires_in"] <= 3600
    assert response["Cache-Control"] == "no-store"

    api = HostClient(OAUTH_HOST, HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
    assert api.json_call("post", "/todos/alice", {"todo": "buy milk"}).status_code == 201
    assert api.get("/todos/alice").json() == {"todos": ["buy milk"]}


def test_a_request_without_scope_gets_the_plugins_scope(oauth_web, chatgpt, alice_user):
    oauth_web.force_login(alice_user)
    token = exchange(oauth_web, chatgpt, get_code(oauth_web, chatgpt.client_id, scope=None)).json()
    assert token["scope"] == "todos"
    api = HostClient(OAUTH_HOST, HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
    assert api.get("/todos/alice").status_code == 200


def test_state_and_issuer_are_in_the_redirect(oauth_web, chatgpt, alice_user):
    oauth_web.force_login(alice_user)
    fields = consent_fields(oauth_web, chatgpt.client_id, state="xyz/+= 1")
    response = oauth_web.post("/oauth", {**fields, "allow": "1"})
    params = query_of(response["Location"])
    assert params["state"] == "xyz/+= 1"
    assert params["iss"] == f"http://{OAUTH_HOST}"  # RFC 9207, equal to the metadata's issuer
    assert params["code"]


def test_tokens_are_stored_hashed(oauth_web, chatgpt, alice_user):
    oauth_web.force_login(alice_user)
    token = exchange(oauth_web, chatgpt, get_code(oauth_web, chatgpt.client_id)).json()
    stored = AccessToken.objects.get(user=alice_user)
    assert stored.token != token["access_token"]
    assert stored.token_checksum == hashlib.sha256(token["access_token"].encode()).hexdigest()
    refresh_row = RefreshToken.objects.get(user=alice_user)
    assert refresh_row.token != token["refresh_token"]


def test_form_exchange_with_basic_auth(oauth_web, chatgpt, alice_user):
    oauth_web.force_login(alice_user)
    code = get_code(oauth_web, chatgpt.client_id)
    basic = base64.b64encode(f"{chatgpt.client_id}:{chatgpt.client_secret}".encode()).decode()
    response = oauth_web.post(
        "/auth/oauth_exchange",
        urlencode(
            {"grant_type": "authorization_code", "code": code, "redirect_uri": CHATGPT_REDIRECT}
        ),
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 200, response.content
    assert response.json()["access_token"]


def test_refresh_rotates(oauth_web, chatgpt, alice_user):
    oauth_web.force_login(alice_user)
    first = exchange(oauth_web, chatgpt, get_code(oauth_web, chatgpt.client_id)).json()
    response = refresh(oauth_web, chatgpt, first["refresh_token"])
    assert response.status_code == 200, response.content
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    api = HostClient(OAUTH_HOST, HTTP_AUTHORIZATION=f"Bearer {second['access_token']}")
    assert api.get("/todos/alice").status_code == 200


def test_access_token_lives_about_an_hour(oauth_web, chatgpt, alice_user):
    oauth_web.force_login(alice_user)
    token = exchange(oauth_web, chatgpt, get_code(oauth_web, chatgpt.client_id)).json()
    stored = AccessToken.objects.get(user=alice_user)
    lifetime = (stored.expires - timezone.now()).total_seconds()
    assert 3500 < lifetime <= 3600
    assert token["expires_in"] <= 3600


JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
NOT_JSON = "The request body is not valid JSON."
NOT_OBJECT = "The request body must be a JSON object."
NOT_FORM = "The request body is not a valid form encoding."
NUL = "Parameters must not contain NUL characters."
WRONG_TYPE = f"Send the token request as {JSON} or {FORM}."


@pytest.mark.parametrize(
    ("raw", "content_type", "description"),
    [
        ("not json", JSON, NOT_JSON),
        ("[1, 2]", JSON, NOT_OBJECT),
        ('"grant_type"', JSON, NOT_OBJECT),
        ('{"grant_type": 1, "code": "x"}', JSON, "The parameter 'grant_type' must be a string."),
        (
            '{"grant_type": "authorization_code", "code": ["x"]}',
            JSON,
            "The parameter 'code' must be a string.",
        ),
        ('{"grant_type": null}', JSON, "The parameter 'grant_type' must be a string."),
        ('{"grant_type": NaN}', JSON, NOT_JSON),
        ("", JSON, "The request body is empty."),
        ("", FORM, "The request body is empty."),
        ("grant_type=a&grant_type=b", FORM, "Repeated parameters: grant_type."),
        # A blank value still counts as the parameter.
        ("grant_type=a&code=&code=b", FORM, "Repeated parameters: code."),
        ("code=a&grant_type=b&grant_type=c&code=d", FORM, "Repeated parameters: code, grant_type."),
        ("grant_type=%ff", FORM, NOT_FORM),
        ("grant_type=authorization_code&code", FORM, NOT_FORM),
        ("grant_type=authorization_code&&code=a", FORM, NOT_FORM),
        ("code=\xe9", FORM, "A form-encoded body must be percent-encoded ASCII."),
        ("\xff\xfe", JSON, NOT_JSON),
        ("<xml/>", "text/xml", WRONG_TYPE),
        ('{"grant_type": "authorization_code"}', "", WRONG_TYPE),
        ('{"grant_type": "authorization_code", "code": "a\\u0000b"}', JSON, NUL),
        ("grant_type=authorization_code&code=a%00b", FORM, NUL),
        ('{"grant_type": "authorization_code", "co\\u0000de": "a"}', JSON, NUL),
        ('{"code": "' + "x" * 70_000 + '"}', JSON, "The request body is too large."),
    ],
)
def test_bad_token_bodies_are_400_oauth_errors(oauth_web, chatgpt, raw, content_type, description):
    response = oauth_web.generic(
        "POST", "/auth/oauth_exchange", raw.encode("latin-1"), content_type=content_type
    )
    assert response.status_code == 400, response.content
    assert response.json() == {"error": "invalid_request", "error_description": description}


def test_token_errors_use_rfc6749_shape(oauth_web, chatgpt):
    response = oauth_web.post(
        "/auth/oauth_exchange",
        json.dumps(
            {
                "grant_type": "authorization_code",
                "client_id": chatgpt.client_id,
                "client_secret": "wrong",
                "code": "nope",
                "redirect_uri": CHATGPT_REDIRECT,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_token_of_deactivated_user_is_refused(oauth_web, chatgpt, alice_user):
    oauth_web.force_login(alice_user)
    token = exchange(oauth_web, chatgpt, get_code(oauth_web, chatgpt.client_id)).json()
    api = HostClient(OAUTH_HOST, HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
    assert api.get("/todos/alice").status_code == 200
    alice_user.is_active = False
    alice_user.save()
    response = api.get("/todos/alice")
    assert response.status_code == 401
    assert response.json()["detail"] == "The user of this access token is inactive."
