"""MCP Inspector's CLI (a Node client, pinned in tests/helpers/inspector.py) against plugins by
path: Node neither resolves `*.localhost` nor sends a custom Host header, and needs neither."""

import secrets

import pytest

from tests.helpers.inspector import run_inspector


@pytest.fixture(scope="module")
def base(live) -> str:
    return f"http://127.0.0.1:{live.port}/p"


def test_the_inspector_lists_and_calls_the_todo_tools_by_path(base):
    url = f"{base}/todo/mcp"
    listed = run_inspector(url, "tools/list")
    assert {tool["name"] for tool in listed["tools"]} == {"getTodos", "addTodo", "deleteTodo"}
    marker = f"from the inspector {secrets.token_hex(4)}"
    added = run_inspector(
        url, "tools/call", "--tool-name", "addTodo", "--tool-arg", "username=inspector",
        f"todo={marker}",
    )  # fmt: skip
    assert added["isError"] is False
    todos = run_inspector(
        url, "tools/call", "--tool-name", "getTodos", "--tool-arg", "username=inspector"
    )
    assert marker in todos["structuredContent"]["todos"]


def test_the_inspector_lists_and_calls_the_sport_stats_tools_by_path(base):
    url = f"{base}/sports/mcp"
    listed = run_inspector(url, "tools/list")
    names = {tool["name"] for tool in listed["tools"]}
    assert {"getPlayers", "getTeams", "getGames", "getStats", "getSeasonAverages"} <= names
    result = run_inspector(
        url, "tools/call", "--tool-name", "getPlayers", "--tool-arg", "query=davis", "per_page=2"
    )
    assert result.get("isError") is not True
    assert result["structuredContent"]["meta"]["per_page"] == 2


def test_with_the_host_header_the_inspector_reaches_the_wrong_plugin(live):
    # Why the path form exists: Node's fetch drops the Host header, so this lists the tools of
    # the plugin served on 127.0.0.1 (the TODO list), not Sport Stats'.
    listed = run_inspector(
        f"http://127.0.0.1:{live.port}/mcp", "tools/list", "--header",
        f"Host: sports.localhost:{live.port}",
    )  # fmt: skip
    assert {tool["name"] for tool in listed["tools"]} == {"getTodos", "addTodo", "deleteTodo"}
