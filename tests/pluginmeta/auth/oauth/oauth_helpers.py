"""Steps of the authorization-code flow through Django's test client, for the attack tests."""

import json
import re

from tests.pluginmeta.conftest import CHATGPT_REDIRECT, form_fields, query_of


def authorize_params(client_id: str, **overrides) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": CHATGPT_REDIRECT,
        "scope": "todos",
        "state": "st-123",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def consent_fields(web, client_id: str, **overrides) -> dict[str, str]:
    """GETs the consent page as the signed-in user and returns its form's fields."""
    response = web.get("/oauth", authorize_params(client_id, **overrides))
    assert response.status_code == 200, response.content
    return form_fields(response.content.decode())


def get_code(web, client_id: str, **overrides) -> str:
    """Approves the request on the consent page; returns the code from the redirect."""
    fields = consent_fields(web, client_id, **overrides)
    response = web.post("/oauth", {**fields, "allow": "true"})
    assert response.status_code == 302, response.content
    location = response["Location"]
    assert location.startswith(fields["redirect_uri"] + "?")
    return query_of(location)["code"]


def exchange(web, client, code: str, redirect_uri: str = CHATGPT_REDIRECT, **extra):
    """POSTs the code to the token endpoint as JSON, the way ChatGPT does."""
    body = {
        "grant_type": "authorization_code",
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "code": code,
        "redirect_uri": redirect_uri,
        **extra,
    }
    body = {k: v for k, v in body.items() if v is not None}
    return web.post("/auth/oauth_exchange", json.dumps(body), content_type="application/json")


def refresh(web, client, refresh_token: str):
    body = {
        "grant_type": "refresh_token",
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "refresh_token": refresh_token,
    }
    return web.post("/auth/oauth_exchange", json.dumps(body), content_type="application/json")


def page_error(response) -> str:
    """The error an authorization page shows, as "code: description", or "" if none."""
    page = response.content.decode()
    description = re.search(r'<p class="error"[^>]*>(.*?)</p>', page, re.S)
    code = re.search(r"Error code: <code>(.*?)</code>", page, re.S)
    if not (description and code):
        return ""
    return f"{code.group(1).strip()}: {description.group(1).strip()}"
