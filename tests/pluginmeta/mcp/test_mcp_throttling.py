"""Every MCP request counts against the caller's API_THROTTLE_RATE, as a REST call does.

A server of its own with a rate of 4 an hour, behind one trusted proxy, so that each test
calls from an address of its own (X-Forwarded-For) and starts with a fresh count.
"""

import itertools
from collections.abc import Iterator

import pytest
from mcp.shared.exceptions import MCPError

from tests.pluginmeta.mcp.conftest import NOAUTH_HOST, SPORTS_HOST, LiveServer, run_client
from tests.server import migrate, running_server, scratch_database, server_env

RATE = 4
LEGACY = {"MCP-Protocol-Version": "2025-06-18"}
INITIALIZE = {
    "protocolVersion": "2025-06-18",
    "capabilities": {},
    "clientInfo": {"name": "throttle-test", "version": "1"},
}
_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


@pytest.fixture(scope="module")
def limited(tmp_path_factory) -> Iterator[LiveServer]:
    tmp_path = tmp_path_factory.mktemp("mcp-throttle")
    with scratch_database(tmp_path) as database_url:
        env = server_env(database_url, API_THROTTLE_RATE=f"{RATE}/hour", DJANGO_NUM_PROXIES="1")
        migrate(env)
        with running_server(env, output=tmp_path / "server.log") as base:
            yield LiveServer(port=int(base.rsplit(":", 1)[1]), env=env)


@pytest.fixture
def caller() -> dict[str, str]:
    """The headers of a caller no earlier test has counted."""
    return {"X-Forwarded-For": next(_addresses)}


def message(method: str, params: dict | None = None) -> dict:
    body = {"jsonrpc": "2.0", "id": 9, "method": method}
    return body if params is None else {**body, "params": params}


@pytest.mark.parametrize(
    "body",
    [
        message("tools/list"),
        message("ping"),
        message("initialize", INITIALIZE),
        message("no/such/method"),
        "{not json",
    ],
    ids=["tools/list", "ping", "initialize", "unknown method", "malformed"],
)
def test_each_request_counts_and_the_one_over_the_rate_gets_a_429_json_rpc_error(
    limited, caller, body
):
    answers = [limited.post_mcp(SPORTS_HOST, body, **LEGACY, **caller) for _ in range(RATE + 1)]
    assert all(answer.status_code != 429 for answer in answers[:RATE])
    refused = answers[RATE]
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 3600
    assert refused.json() == {
        "jsonrpc": "2.0",
        "id": None if isinstance(body, str) else 9,
        "error": {
            "code": -32029,
            "message": f"Request was throttled. Expected available in {wait} seconds.",
        },
    }


def test_rest_and_mcp_share_one_count(limited, caller):
    for _ in range(RATE - 1):
        assert limited.rest("GET", NOAUTH_HOST, "/todos/alice", headers=caller).status_code == 200
    assert limited.post_mcp(NOAUTH_HOST, message("tools/list"), **LEGACY, **caller).ok
    assert limited.rest("GET", NOAUTH_HOST, "/todos/alice", headers=caller).status_code == 429
    assert limited.post_mcp(NOAUTH_HOST, message("ping"), **LEGACY, **caller).status_code == 429


def test_a_tool_call_counts_once_and_over_the_rate_is_a_tool_error(limited, caller):
    call = message("tools/call", {"name": "getTodos", "arguments": {"username": "alice"}})
    results = [
        limited.post_mcp(NOAUTH_HOST, call, **LEGACY, **caller).json()["result"]
        for _ in range(RATE + 1)
    ]
    assert [result["isError"] for result in results] == [False] * RATE + [True]
    assert results[RATE]["content"][0]["text"].startswith("Request was throttled.")


def test_the_sdk_client_reads_the_refusal_as_an_mcp_error(limited, caller):
    async def list_tools_until_refused(client) -> MCPError:
        for _ in range(RATE + 1):
            try:
                await client.list_tools()
            except MCPError as refusal:
                return refusal
        raise AssertionError("never refused")

    refusal = run_client(
        limited.mcp_url(SPORTS_HOST), list_tools_until_refused, mode="legacy", headers=caller
    )
    assert refusal.error.code == -32029
    assert refusal.error.message.startswith("Request was throttled.")


@pytest.mark.parametrize(
    "params",
    [
        {"name": "dropTables", "arguments": {}},
        {"name": "getTodos", "arguments": {}},  # no username: the operation never runs
        {"name": "getTodos", "arguments": {"username": "alice", "x": [[1]]}},
    ],
    ids=["unknown tool", "missing argument", "extra argument"],
)
def test_tool_calls_that_run_no_operation_count_too(limited, caller, params):
    call = message("tools/call", params)
    for _ in range(RATE):
        assert limited.post_mcp(NOAUTH_HOST, call, **LEGACY, **caller).status_code != 429
    refused = limited.post_mcp(NOAUTH_HOST, message("tools/list"), **LEGACY, **caller)
    assert refused.status_code == 429
