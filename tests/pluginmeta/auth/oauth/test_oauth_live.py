"""The whole flow as ChatGPT performs it, over real HTTP, with requests-oauthlib as the client."""

import pytest
import requests
from oauthlib.oauth2 import InvalidGrantError
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from tests.helpers.browser import sign_in_and_approve
from tests.pluginmeta.conftest import (
    CHATGPT_REDIRECT,
    query_of,
    use_loopback,
)

live = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def as_json(url: str, headers: dict, request_kwargs: dict) -> tuple[str, dict, dict]:
    """requests-oauthlib compliance hook: send the code exchange as JSON, as ChatGPT does."""
    headers = {**headers, "Content-Type": "application/json"}
    return url, headers, {"json": request_kwargs["data"]}


@pytest.fixture
def insecure_transport(monkeypatch):
    # The live server speaks plain http; oauthlib refuses that unless told it is a test.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


@live
@pytest.mark.parametrize("style", ["json-body", "form-basic"])
def test_chatgpt_flow_over_http(
    oauth_origin, chatgpt, alice_user, bob_user, insecure_transport, style
):
    session = use_loopback(
        OAuth2Session(chatgpt.client_id, redirect_uri=CHATGPT_REDIRECT, scope=["todos"])
    )
    authorization_url, state = session.authorization_url(f"{oauth_origin}/oauth")
    callback = sign_in_and_approve(oauth_origin, authorization_url, "alice")
    assert callback.startswith(CHATGPT_REDIRECT + "?")
    assert query_of(callback)["state"] == state

    token_url = f"{oauth_origin}/auth/oauth_exchange"
    if style == "json-body":
        session.register_compliance_hook("access_token_request", as_json)
        token = session.fetch_token(
            token_url,
            authorization_response=callback,
            client_secret=chatgpt.client_secret,
            include_client_id=True,
        )
    else:
        token = session.fetch_token(
            token_url,
            authorization_response=callback,
            auth=HTTPBasicAuth(chatgpt.client_id, chatgpt.client_secret),
            include_client_id=False,
        )
    assert token["token_type"] == "Bearer"
    assert {"access_token", "refresh_token", "expires_in"} <= set(token)
    assert 0 < token["expires_in"] <= 3600

    # The API, as ChatGPT calls it with the bearer token; the owner is the token's user.
    assert session.post(f"{oauth_origin}/todos/alice", json={"todo": "milk"}).status_code == 201
    assert session.get(f"{oauth_origin}/todos/alice").json() == {"todos": ["milk"]}
    refused = session.get(f"{oauth_origin}/todos/bob")
    assert refused.status_code == 403
    assert refused.json()["error"] == "permission_denied"

    # Refresh, later (requests-oauthlib sends refreshes form-encoded): a new pair; the old
    # refresh token is spent.
    old_refresh = token["refresh_token"]
    if style == "json-body":
        fresh = session.refresh_token(
            token_url, client_id=chatgpt.client_id, client_secret=chatgpt.client_secret
        )
    else:
        fresh = session.refresh_token(
            token_url, auth=HTTPBasicAuth(chatgpt.client_id, chatgpt.client_secret)
        )
    assert fresh["refresh_token"] != old_refresh
    assert session.get(f"{oauth_origin}/todos/alice").json() == {"todos": ["milk"]}
    with pytest.raises(InvalidGrantError):
        session.refresh_token(
            token_url,
            refresh_token=old_refresh,
            client_id=chatgpt.client_id,
            client_secret=chatgpt.client_secret,
        )


@live
def test_bad_json_over_http_is_400(oauth_origin, chatgpt):
    http = use_loopback(requests.Session())
    for body in (b"{", b"[]", b'{"grant_type": 5}', b""):
        response = http.post(
            f"{oauth_origin}/auth/oauth_exchange",
            data=body,
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"
