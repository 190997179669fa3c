"""The official MCP SDK as a client identified by its metadata document, end to end: the test
serves the document over real HTTPS on 127.0.0.1, and the SDK discovers the server, sees
client_id_metadata_document_supported, skips registration, authorizes with PKCE and the
resource, gets a token and calls tools on the live server."""

import secrets

import pytest
from mcp.client.auth import OAuthClientProvider
from mcp.shared.auth import OAuthClientMetadata

from tests.helpers.mcp_oauth import CALLBACK, MemoryStorage, SigningInUser
from tests.pluginmeta.conftest import query_of
from tests.pluginmeta.mcp.conftest import run_client


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sdk_client_with_a_metadata_document_url(
    oauth_origin, alice_user, tls_document_server, application_model
):
    document_url = tls_document_server.document(
        "/mcp-client.json", client_name="SDK document client", cache_control="max-age=600"
    )
    user = SigningInUser(oauth_origin, "alice")
    storage = MemoryStorage()
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
        callback_handler=user.redirected,
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
    [authorization_url] = user.authorization_urls
    sent = query_of(authorization_url)
    assert sent["client_id"] == document_url
    assert sent["resource"] == mcp_url
    assert sent["code_challenge_method"] == "S256"
    sources = set(application_model.objects.values_list("registration_source", flat=True))
    assert sources == {application_model.RegistrationSource.CIMD}
    # Fetched once over HTTPS, then kept (max-age) through consent and the token request.
    assert tls_document_server.counts["/mcp-client.json"] == 1
