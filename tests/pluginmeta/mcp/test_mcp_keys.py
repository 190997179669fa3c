"""MCP on the service-key and user-key hosts: the REST API's Bearer keys, owners and refusals."""

import uuid

import pytest
from mcp.shared.exceptions import MCPError

from tests.pluginmeta.mcp.conftest import (
    MODES,
    NOAUTH_HOST,
    OAUTH_HOST,
    SERVICE_HOST,
    USER_HOST,
    run_client,
)

LIST = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
LEGACY = {"MCP-Protocol-Version": "2025-06-18"}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def call(live, host, name, arguments, key, mode="auto"):
    async def action(client):
        return await client.call_tool(name, arguments)

    return run_client(live.mcp_url(host), action, mode=mode, headers=bearer(key))


@pytest.mark.parametrize("mode", MODES)
def test_service_key_host_works_like_rest(live, mode):
    owner = f"s-{uuid.uuid4().hex[:8]}"
    key = live.service_key
    added = call(live, SERVICE_HOST, "addTodo", {"username": owner, "todo": "milk"}, key, mode)
    assert added.structured_content == {"todo": "milk", "todo_idx": 0}
    rest = live.rest("GET", SERVICE_HOST, f"/todos/{owner}", headers=bearer(key))
    listed = call(live, SERVICE_HOST, "getTodos", {"username": owner}, key, mode)
    assert listed.structured_content == rest.json() == {"todos": ["milk"]}
    deleted = call(live, SERVICE_HOST, "deleteTodo", {"username": owner, "todo_idx": 0}, key, mode)
    assert deleted.structured_content == {"todo": "milk", "todo_idx": 0}
    # The service's lists are the service host's own: the no-auth host has none of them.
    assert live.rest("GET", NOAUTH_HOST, f"/todos/{owner}").json() == {"todos": []}


@pytest.mark.parametrize("mode", MODES)
def test_user_key_acts_as_its_user(live, mode):
    alice = live.user_keys["alice"]
    token = f"t-{uuid.uuid4().hex[:8]}"
    added = call(live, USER_HOST, "addTodo", {"username": "alice", "todo": token}, alice, mode)
    assert not added.is_error
    rest = live.rest("GET", USER_HOST, "/todos/alice", headers=bearer(alice))
    listed = call(live, USER_HOST, "getTodos", {"username": "alice"}, alice, mode)
    assert listed.structured_content == rest.json()
    assert token in listed.structured_content["todos"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("getTodos", {"username": "bob"}),
        ("addTodo", {"username": "bob", "todo": "from alice"}),
        ("deleteTodo", {"username": "bob", "todo_idx": 0}),
    ],
)
def test_another_users_name_gets_the_rest_403_message(live, mode, name, arguments):
    alice, bob = live.user_keys["alice"], live.user_keys["bob"]
    live.rest("POST", USER_HOST, "/todos/bob", headers=bearer(bob), json={"todo": "bob's"})
    before = live.rest("GET", USER_HOST, "/todos/bob", headers=bearer(bob)).json()
    rest = live.rest("GET", USER_HOST, "/todos/bob", headers=bearer(alice))
    assert rest.status_code == 403

    result = call(live, USER_HOST, name, arguments, alice, mode)
    assert result.is_error
    assert result.content[0].text == rest.json()["detail"]
    assert live.rest("GET", USER_HOST, "/todos/bob", headers=bearer(bob)).json() == before


def refusals(live, host: str, headers: dict[str, str]):
    answer = live.post_mcp(host, LIST, **LEGACY, **headers)
    rest = live.rest("GET", host, "/todos/alice", headers=headers)
    return answer, rest


@pytest.mark.parametrize("host", [SERVICE_HOST, USER_HOST])
@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer",
        "Bearer nope",
        "Bearer abcdefgh.0123456789abcdef0123456789abcdef",
        "Basic eDp5",
    ],
)
def test_missing_or_wrong_key_is_refused_as_on_rest(live, host, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    answer, rest = refusals(live, host, headers)
    assert answer.status_code == rest.status_code == 401
    assert answer.headers["WWW-Authenticate"] == rest.headers["WWW-Authenticate"]
    assert answer.json() == rest.json()


@pytest.mark.parametrize(
    ("key_of", "host"),
    [
        ("service", USER_HOST),
        ("service", OAUTH_HOST),
        ("alice", SERVICE_HOST),
        ("alice", OAUTH_HOST),
    ],
)
def test_a_key_of_one_host_is_refused_on_another(live, key_of, host):
    key = live.service_key if key_of == "service" else live.user_keys[key_of]
    answer, rest = refusals(live, host, bearer(key))
    assert answer.status_code == rest.status_code == 401
    assert "result" not in answer.json()


def test_the_sdk_client_without_a_key_gets_no_tools(live):
    statuses: list[int] = []

    async def record(response) -> None:
        statuses.append(response.status_code)

    async def action(client):
        return await client.list_tools()

    with pytest.raises(ExceptionGroup) as refused:
        run_client(
            live.mcp_url(USER_HOST), action, mode="legacy", event_hooks={"response": [record]}
        )
    assert refused.group_contains(MCPError)
    assert statuses == [401]
