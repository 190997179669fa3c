"""MCP on the OAuth host: discovery, registration, PKCE and resource-bound tokens, end to end.

The SDK's own OAuth client provider does everything an MCP client does by itself; the
user's part (sign in, Allow) goes through the real forms.
"""

import base64
import hashlib
import secrets
from urllib.parse import urlencode

import pytest
import requests

from tests.helpers.browser import sign_in_and_approve
from tests.helpers.mcp_oauth import CALLBACK, sdk_oauth_provider
from tests.pluginmeta.conftest import PASSWORD, csrf_token_of, query_of, use_loopback
from tests.pluginmeta.mcp.conftest import (
    MODES,
    OAUTH_HOST,
    SERVICE_HOST,
    SPORTS_HOST,
    USER_HOST,
    run_client,
)

LIST = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
LEGACY = {"MCP-Protocol-Version": "2025-06-18"}


def oauth_provider(live, username: str = "alice"):
    return sdk_oauth_provider(live.mcp_url(OAUTH_HOST), live.origin(OAUTH_HOST), username)


@pytest.mark.parametrize("mode", MODES)
def test_sdk_client_discovers_registers_authorizes_and_calls(live, mode):
    provider, storage, user = oauth_provider(live)
    marker = f"via mcp {mode} {secrets.token_hex(4)}"

    async def action(client):
        tools = await client.list_tools()
        added = await client.call_tool("addTodo", {"username": "alice", "todo": marker})
        refused = await client.call_tool("getTodos", {"username": "bob"})
        listed = await client.call_tool("getTodos", {"username": "alice"})
        return tools, added, refused, listed

    tools, added, refused, listed = run_client(
        live.mcp_url(OAUTH_HOST), action, mode=mode, auth=provider
    )
    assert {tool.name for tool in tools.tools} == {"getTodos", "addTodo", "deleteTodo"}
    assert not added.is_error
    assert refused.is_error
    assert refused.content[0].text == "You can only access your own data."
    assert marker in listed.structured_content["todos"]

    # Registration made a public client (no secret), and the flow asked for the MCP resource
    # with S256 PKCE.
    assert storage.client_info.client_secret is None
    assert storage.client_info.token_endpoint_auth_method == "none"
    [authorization_url] = user.authorization_urls
    sent = query_of(authorization_url)
    assert sent["resource"] == live.mcp_url(OAUTH_HOST)
    assert sent["code_challenge_method"] == "S256"

    # The token is bound to /mcp: the REST API (another resource) and other hosts refuse it.
    token = {"Authorization": f"Bearer {storage.tokens.access_token}"}
    assert live.rest("GET", OAUTH_HOST, "/todos/alice", headers=token).status_code == 401
    for host in (SERVICE_HOST, USER_HOST):
        assert live.post_mcp(host, LIST, **LEGACY, **token).status_code == 401


def test_401_points_at_the_resource_metadata(live):
    answer = live.post_mcp(OAUTH_HOST, LIST, **LEGACY)
    assert answer.status_code == 401
    metadata_url = f"{live.origin(OAUTH_HOST)}/.well-known/oauth-protected-resource/mcp"
    assert answer.headers["WWW-Authenticate"] == f'Bearer resource_metadata="{metadata_url}"'
    for path in (
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ):
        document = live.rest("GET", OAUTH_HOST, path).json()
        assert document["resource"] == live.mcp_url(OAUTH_HOST)
        assert document["authorization_servers"] == [live.origin(OAUTH_HOST)]
        assert document["scopes_supported"] == ["todos"]
    server = live.rest("GET", OAUTH_HOST, "/.well-known/oauth-authorization-server").json()
    assert server["registration_endpoint"] == f"{live.origin(OAUTH_HOST)}/oauth/register"
    assert server["code_challenge_methods_supported"] == ["S256"]
    assert "none" in server["token_endpoint_auth_methods_supported"]
    assert server["issuer"] == live.origin(OAUTH_HOST)


@pytest.mark.parametrize("host", [SPORTS_HOST, SERVICE_HOST])
@pytest.mark.parametrize(
    "path",
    [
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
        "/oauth/register",
    ],
)
def test_discovery_and_registration_exist_on_oauth_hosts_only(live, host, path):
    method = "POST" if path == "/oauth/register" else "GET"
    answer = live.rest(method, host, path, json={"redirect_uris": ["https://example.com/cb"]})
    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path", "error"),
    [
        ("POST", "/.well-known/oauth-protected-resource", "method_not_allowed"),
        ("DELETE", "/.well-known/oauth-protected-resource/mcp", "method_not_allowed"),
        ("GET", "/oauth/register", "invalid_request"),
        ("PUT", "/oauth/register", "invalid_request"),
    ],
)
def test_other_methods_on_discovery_and_registration_get_405_json(live, method, path, error):
    answer = live.rest(method, OAUTH_HOST, path)
    assert answer.status_code == 405
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json()["error"] == error


def register(live, **metadata) -> requests.Response:
    body = {"client_name": "Test", "redirect_uris": [CALLBACK], **metadata}
    return live.rest("POST", OAUTH_HOST, "/oauth/register", json=body)


def test_chatgpt_connector_redirect_registers_as_a_public_client(live):
    redirect = "https://chatgpt.com/connector/oauth/Zq3_x9"
    answer = register(
        live,
        redirect_uris=[redirect],
        token_endpoint_auth_method="client_secret_post",
        grant_types=["authorization_code", "refresh_token"],
    )
    assert answer.status_code == 201
    client = answer.json()
    assert client["redirect_uris"] == [redirect]
    assert client["token_endpoint_auth_method"] == "none"
    assert "client_secret" not in client


@pytest.mark.parametrize(
    ("metadata", "error"),
    [
        ({"redirect_uris": ["http://example.com/cb"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["https://example.com/cb#x"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["https://example.com/c\x00b"]}, "invalid_redirect_uri"),
        ({"redirect_uris": []}, "invalid_redirect_uri"),
        ({"redirect_uris": "https://example.com/cb"}, "invalid_client_metadata"),
        ({"grant_types": ["implicit"]}, "invalid_client_metadata"),
        ({"grant_types": ["client_credentials"]}, "invalid_client_metadata"),
        ({"response_types": ["token"]}, "invalid_client_metadata"),
        ({"client_name": "x" * 101}, "invalid_client_metadata"),
        ({"client_name": 5}, "invalid_client_metadata"),
    ],
)
def test_bad_registrations_are_refused(live, metadata, error):
    answer = register(live, **metadata)
    assert answer.status_code == 400
    assert answer.json()["error"] == error


@pytest.mark.parametrize("body", ["{", "[]", "null", b"\xff"])
def test_registration_body_must_be_a_json_object(live, body):
    answer = live.rest(
        "POST",
        OAUTH_HOST,
        "/oauth/register",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_client_metadata"


def signed_in_browser(live, username: str) -> requests.Session:
    browser = use_loopback(requests.Session())
    login = f"{live.origin(OAUTH_HOST)}/oauth/login"
    page = browser.get(login, timeout=30).text
    answer = browser.post(
        login,
        data={
            "csrfmiddlewaretoken": csrf_token_of(page),
            "username": username,
            "password": PASSWORD,
        },
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text
    return browser


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def authorization_params(client_id: str, **extra) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": CALLBACK,
        "scope": "todos",
        "state": "s1",
        **extra,
    }


def authorize(live, client_id: str, **extra) -> str:
    """The redirect back to the client after alice signs in and allows."""
    url = f"{live.origin(OAUTH_HOST)}/oauth?{urlencode(authorization_params(client_id, **extra))}"
    return sign_in_and_approve(live.origin(OAUTH_HOST), url, "alice")


def token_request(live, **params) -> requests.Response:
    session = use_loopback(requests.Session())
    return session.post(f"{live.origin(OAUTH_HOST)}/auth/oauth_exchange", data=params, timeout=30)


def access_token(live, **authorization) -> str:
    """A token for a newly registered public client, after alice allows it (S256 PKCE)."""
    client_id = register(live).json()["client_id"]
    verifier, challenge = pkce()
    callback = authorize(
        live, client_id, code_challenge=challenge, code_challenge_method="S256", **authorization
    )
    answer = token_request(
        live,
        grant_type="authorization_code",
        client_id=client_id,
        code=query_of(callback)["code"],
        redirect_uri=CALLBACK,
        code_verifier=verifier,
    )
    return answer.json()["access_token"]


def test_a_token_without_the_mcp_resource_is_refused_on_mcp(live):
    bearer = {"Authorization": f"Bearer {access_token(live)}"}
    answer = live.post_mcp(OAUTH_HOST, LIST, **LEGACY, **bearer)
    assert answer.status_code == 401
    challenge_header = answer.headers["WWW-Authenticate"]
    assert 'error="invalid_token"' in challenge_header
    assert "resource_metadata=" in challenge_header
    # The same token is good for the REST API, which it was issued for.
    assert live.rest("GET", OAUTH_HOST, "/todos/alice", headers=bearer).status_code == 200


def test_a_token_for_another_resource_is_refused_on_mcp(live):
    token = access_token(live, resource=f"{live.origin(OAUTH_HOST)}/elsewhere")
    answer = live.post_mcp(OAUTH_HOST, LIST, **LEGACY, Authorization=f"Bearer {token}")
    assert answer.status_code == 401


@pytest.mark.parametrize(
    "pkce_params",
    [{}, {"code_challenge": "x" * 43, "code_challenge_method": "plain"}],
)
def test_public_clients_must_use_s256_pkce(live, pkce_params):
    client_id = register(live).json()["client_id"]
    session = signed_in_browser(live, "alice")
    params = authorization_params(client_id, **pkce_params)
    # Back to the client with an error, never a code, and no consent page to approve.
    answer = session.get(
        f"{live.origin(OAUTH_HOST)}/oauth", params=params, allow_redirects=False, timeout=30
    )
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(CALLBACK + "?")
    assert query_of(location)["error"] == "invalid_request"
    assert "code" not in query_of(location)
