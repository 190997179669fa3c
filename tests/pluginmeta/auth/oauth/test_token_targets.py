"""The token endpoint wants the redirect_uri the authorization had (RFC 6749 section 4.1.3) and
issues tokens only for this host's own resources (RFC 8707)."""

import pytest
from oauth2_provider.models import AccessToken

from pluginmeta.auth.oauth.services import register_client
from tests.pluginmeta.auth.oauth.oauth_helpers import (
    authorize_params,
    consent_fields,
    exchange,
    get_code,
    page_error,
)
from tests.pluginmeta.conftest import CHATGPT_REDIRECT

# What Django's test client sends to: the origin of this host, as the token endpoint sees it.
ORIGIN = "http://todo-oauth.localhost"
FOREIGN = "https://evil.example/mcp"


@pytest.fixture
def single_uri_client(oauth_plugin):
    """A client with one redirect URI, which oauthlib would otherwise take as the default."""
    return register_client(oauth_plugin, [CHATGPT_REDIRECT])


@pytest.fixture
def web(oauth_web, alice_user):
    oauth_web.force_login(alice_user)
    return oauth_web


def test_a_code_is_not_exchanged_without_the_redirect_uri(web, single_uri_client):
    code = get_code(web, single_uri_client.client_id)
    response = exchange(web, single_uri_client, code, redirect_uri=None)
    assert response.status_code == 400, response.content
    assert response.json()["error"] == "invalid_request"
    assert response["Cache-Control"] == "no-store"
    assert not AccessToken.objects.exists()
    # The code is not spent by the refusal: with its redirect_uri it is exchanged.
    assert exchange(web, single_uri_client, code).status_code == 200


def test_an_authorization_request_must_name_its_redirect_uri(web, single_uri_client):
    response = web.get("/oauth", authorize_params(single_uri_client.client_id, redirect_uri=None))
    assert response.status_code == 400
    assert page_error(response) == (
        "invalid_request: The link does not say where to return to (redirect_uri is missing)."
    )


@pytest.mark.parametrize("resource", [f"{ORIGIN}/mcp", f"{ORIGIN}/", ORIGIN, f"{ORIGIN}:80/mcp"])
def test_a_token_is_issued_for_this_hosts_resources(web, chatgpt, resource):
    code = get_code(web, chatgpt.client_id)
    response = exchange(web, chatgpt, code, resource=resource)
    assert response.status_code == 200, response.content
    assert AccessToken.objects.get().resource == [resource]


@pytest.mark.parametrize(
    "resource",
    [
        FOREIGN,
        "http://todo-oauth.localhost:8000/mcp",
        "https://todo-oauth.localhost/mcp",
        "http://todo-service.localhost/mcp",
        "http://localhost/mcp",
    ],
)
def test_a_token_for_another_resource_is_refused_with_invalid_target(web, chatgpt, resource):
    code = get_code(web, chatgpt.client_id)
    response = exchange(web, chatgpt, code, resource=resource)
    assert response.status_code == 400, response.content
    assert response.json() == {
        "error": "invalid_target",
        "error_description": f"The resource {resource!r} is not served by this plugin.",
    }
    assert response["Cache-Control"] == "no-store"
    assert not AccessToken.objects.exists()


def test_an_authorization_for_another_resource_is_refused(web, chatgpt):
    response = web.get("/oauth", authorize_params(chatgpt.client_id, resource=FOREIGN))
    assert response.status_code == 400
    assert page_error(response) == (
        f"invalid_target: The resource &#x27;{FOREIGN}&#x27; is not served by this plugin."
    )


def test_a_forged_consent_form_cannot_bind_a_code_to_another_resource(web, chatgpt):
    fields = consent_fields(web, chatgpt.client_id)
    approved = web.post("/oauth", {**fields, "resource": FOREIGN, "allow": "true"})
    assert approved.status_code == 302
    code = approved["Location"].split("code=", 1)[1].split("&", 1)[0]
    response = exchange(web, chatgpt, code)
    assert response.status_code == 400, response.content
    assert response.json()["error"] == "invalid_target"
    assert not AccessToken.objects.exists()
