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


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        ("not json", "application/json"),
        ("[1, 2]", "application/json"),
        ('"grant_type"', "application/json"),
        ('{"grant_type": 1, "code": "x"}', "application/json"),
        ('{"grant_type": "authorization_code", "code": ["x"]}', "application/json"),
        ('{"grant_type": null}', "application/json"),
        ('{"grant_type": NaN}', "application/json"),
        ("", "application/json"),
        ("", "application/x-www-form-urlencoded"),
        ("grant_type=a&grant_type=b", "application/x-www-form-urlencoded"),
        ("grant_type=%ff", "application/x-www-form-urlencoded"),
        ("\xff\xfe", "application/json"),
        ("<xml/>", "text/xml"),
        ('{"grant_type": "authorization_code"}', ""),
        ('{"grant_type": "authorization_code", "code": "a\\u0000b"}', "application/json"),
        ("grant_type=authorization_code&code=a%00b", "application/x-www-form-urlencoded"),
        ('{"code": "' + "x" * 70_000 + '"}', "application/json"),
    ],
)
def test_bad_token_bodies_are_400_oauth_errors(oauth_web, chatgpt, raw, content_type):
    response = oauth_web.generic(
        "POST", "/auth/oauth_exchange", raw.encode("latin-1"), content_type=content_type
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == "invalid_request"
    assert body["error_description"]


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
    assert api.get("/todos/alice").status_code == 401
