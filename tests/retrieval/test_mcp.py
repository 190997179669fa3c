"""/mcp on the retrieval host through the official MCP SDK client: the REST operations as
tools, and the search/fetch pair ChatGPT connectors and deep research call."""

import json

import pytest

from tests.pluginmeta.mcp.conftest import MODES, run_client
from tests.retrieval.conftest import RETRIEVAL_HOST, LiveRetrieval

NOTE = {
    "id": "mcp-note",
    "text": "The observatory opens at dusk on clear nights.",
    "metadata": {"title": "Observatory hours", "url": "https://example.com/observatory"},
}


@pytest.fixture(scope="module")
def mcp_live(live_retrieval: LiveRetrieval) -> LiveRetrieval:
    response = live_retrieval.call("POST", "/upsert", json={"documents": [NOTE]})
    assert response.status_code == 200
    return live_retrieval


def mcp_url(live: LiveRetrieval) -> str:
    return f"http://{RETRIEVAL_HOST}:{live.base.rsplit(':', 1)[1]}/mcp"


def headers(live: LiveRetrieval, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {live.keys[user]}"}


def call(live: LiveRetrieval, user: str, name: str, arguments: dict, mode: str = "auto"):
    async def action(client):
        return await client.call_tool(name, arguments)

    return run_client(mcp_url(live), action, mode=mode, headers=headers(live, user))


@pytest.mark.parametrize("mode", MODES)
def test_tools_are_the_json_operations_with_their_annotations(mcp_live, mode):
    async def action(client):
        return {tool.name: tool for tool in (await client.list_tools()).tools}

    tools = run_client(mcp_url(mcp_live), action, mode=mode, headers=headers(mcp_live, "alice"))
    # upsertFile takes a multipart file, which no JSON tool argument can carry.
    assert set(tools) == {"upsert", "query", "delete", "search", "fetch"}
    assert tools["fetch"].annotations.read_only_hint is True
    assert tools["delete"].annotations.destructive_hint is True
    assert tools["search"].input_schema["required"] == ["query"]
    assert tools["fetch"].input_schema["required"] == ["id"]


@pytest.mark.parametrize("mode", MODES)
def test_search_then_fetch_answer_openais_shapes(mcp_live, mode):
    found = call(mcp_live, "alice", "search", {"query": "observatory dusk"}, mode)
    assert not found.is_error
    assert found.structured_content["results"][0] == {
        "id": "mcp-note",
        "title": "Observatory hours",
        "url": "https://example.com/observatory",
    }
    (block,) = found.content
    assert json.loads(block.text) == found.structured_content

    fetched = call(mcp_live, "alice", "fetch", {"id": "mcp-note"}, mode)
    assert not fetched.is_error
    document = fetched.structured_content
    assert {k: document[k] for k in ("id", "title", "text", "url")} == {
        "id": "mcp-note",
        "title": "Observatory hours",
        "text": NOTE["text"],
        "url": "https://example.com/observatory",
    }
    assert document["metadata"]["document_id"] == "mcp-note"
    (block,) = fetched.content
    assert json.loads(block.text) == document
    assert document == mcp_live.call("GET", "/documents/mcp-note").json()


def test_an_unknown_id_is_a_tool_error_and_other_users_see_nothing(mcp_live):
    missing = call(mcp_live, "alice", "fetch", {"id": "no-such-document"})
    assert missing.is_error
    assert "no-such-document" in missing.content[0].text
    # Bob has his own, empty, corpus.
    assert call(mcp_live, "bob", "fetch", {"id": "mcp-note"}).is_error
    assert call(mcp_live, "bob", "search", {"query": "observatory"}).structured_content == {
        "results": []
    }


def test_without_a_key_mcp_is_refused(mcp_live):
    response = mcp_live.call(
        "POST",
        "/mcp",
        user=None,
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={"Accept": "application/json, text/event-stream"},
    )
    assert response.status_code == 401
    assert "observatory" not in response.text
