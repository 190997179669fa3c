"""The official MCP SDK as a client identified by its metadata document, end to end: the test
serves the document over real HTTPS on 127.0.0.1, and the SDK discovers the server, sees
client_id_metadata_document_supported, skips registration, authorizes with PKCE and the
resource, gets a token and calls tools on the live server."""

import secrets

import anyio
import pytest
from mcp.client.auth import OAuthClientProvider
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientMetadata

from tests.helpers.browser import sign_in_and_approve
from tests.pluginmeta.auth.oauth.document_server import CALLBACK
from tests.pluginmeta.conftest import query_of
from tests.pluginmeta.mcp.conftest import run_client


class Storage:
    """The SDK's TokenStorage, in memory, where the test reads what the SDK kept."""

    tokens = client_info = None

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens) -> None:
        self.tokens = tokens

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, client_info) -> None:
        self.client_info = client_info


class Person:
    """Alice at her browser: opens the authorization URL, signs in and presses Allow."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.opened: list[str] = []
        self.returned = ""

    async def open(self, authorization_url: str) -> None:
        self.opened.append(authorization_url)
        self.returned = await anyio.to_thread.run_sync(
            sign_in_and_approve, self.origin, authorization_url, "alice"
        )

    async def callback(self) -> AuthorizationCodeResult:
        assert self.returned.startswith(CALLBACK + "?")
        sent = query_of(self.returned)
        return AuthorizationCodeResult(code=sent["code"], state=sent["state"], iss=sent["iss"])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sdk_client_with_a_metadata_document_url(
    oauth_origin, alice_user, tls_document_server, application_model
):
    document_url = tls_document_server.document(
        "/mcp-client.json", client_name="SDK document client", cache_control="max-age=600"
    )
    user = Person(oauth_origin)
    storage = Storage()
    mcp_url = f"{oauth_origin}/mcp"
    provider = OAuthClientProvider(
        server_url=mcp_url,
        client_metadata=OAuthClientMetadata(
            client_name="SDK document client",
            redirect_uris=[CALLBACK],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
        ),
        storage=storage,
        redirect_handler=user.open,
        callback_handler=user.callback,
        client_metadata_url=document_url,
    )
    marker = f"via a metadata document {secrets.token_hex(4)}"

    async def action(client):
        tools = await client.list_tools()
        added = await client.call_tool("addTodo", {"username": "alice", "todo": marker})
        listed = await client.call_tool("getTodos", {"username": "alice"})
        return tools, added, listed

    tools, added, listed = run_client(mcp_url, action, auth=provider)
    assert {tool.name for tool in tools.tools} == {"getTodos", "addTodo", "deleteTodo"}
    assert not added.is_error
    assert marker in listed.structured_content["todos"]

    # The SDK used the document's URL as its client_id and registered nothing.
    assert storage.client_info.client_id == document_url
    [authorization_url] = user.opened
    sent = query_of(authorization_url)
    assert sent["client_id"] == document_url
    assert sent["resource"] == mcp_url
    assert sent["code_challenge_method"] == "S256"
    sources = set(application_model.objects.values_list("registration_source", flat=True))
    assert sources == {application_model.RegistrationSource.CIMD}
    # Fetched once over HTTPS, then kept (max-age) through consent and the token request.
    assert tls_document_server.counts["/mcp-client.json"] == 1
