"""MCP tools on the no-auth hosts, over real HTTP with the official SDK client, in both eras."""

import json
import uuid

import pytest

from tests.pluginmeta.mcp.conftest import MODES, NOAUTH_HOST, SPORTS_HOST, run_client

TODO_TOOLS = {"getTodos", "addTodo", "deleteTodo"}
SPORTS_TOOLS = {"getPlayers", "getTeams", "getGames", "getStats", "getSeasonAverages"}


def fresh_name() -> str:
    return f"u-{uuid.uuid4().hex[:10]}"


def spec_operations(live, host: str) -> dict[str, dict]:
    spec = live.rest("GET", host, "/openapi.json").json()
    return {
        operation["operationId"]: operation
        for operations in spec["paths"].values()
        for operation in operations.values()
    }


async def list_tools(client):
    return {tool.name: tool for tool in (await client.list_tools()).tools}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("host", "names"), [(NOAUTH_HOST, TODO_TOOLS), (SPORTS_HOST, SPORTS_TOOLS)]
)
def test_each_host_lists_its_own_operations(live, mode, host, names):
    tools = run_client(live.mcp_url(host), list_tools, mode=mode)
    assert set(tools) == names
    operations = spec_operations(live, host)
    for name, tool in tools.items():
        operation = operations[name]
        assert tool.description.startswith(operation["summary"])
        assert operation["description"] in tool.description
        assert tool.output_schema["type"] == "object"
        assert tool.annotations.open_world_hint is False
        for parameter in operation.get("parameters", []):
            schema = tool.input_schema["properties"][parameter["name"]]
            assert {k: v for k, v in schema.items() if k != "description"} == parameter["schema"]
            assert (parameter["name"] in tool.input_schema["required"]) == parameter.get(
                "required", False
            )


@pytest.mark.parametrize("mode", MODES)
def test_todo_annotations_and_body_schema(live, mode):
    tools = run_client(live.mcp_url(NOAUTH_HOST), list_tools, mode=mode)
    get, add, delete = tools["getTodos"], tools["addTodo"], tools["deleteTodo"]
    assert get.annotations.read_only_hint is True
    assert get.annotations.idempotent_hint is True
    assert add.annotations.read_only_hint is False
    assert add.annotations.destructive_hint is False
    assert delete.annotations.destructive_hint is True
    assert delete.annotations.idempotent_hint is False
    # The body's limits are the serializer's, as the REST spec states them.
    spec = live.rest("GET", NOAUTH_HOST, "/openapi.json").json()["components"]["schemas"]
    assert add.input_schema["properties"]["todo"] == spec["AddTodoRequest"]["properties"]["todo"]
    assert add.input_schema["required"] == ["username", "todo"]
    idx = delete.input_schema["properties"]["todo_idx"]
    assert idx == spec["DeleteTodoRequest"]["properties"]["todo_idx"]
    assert get.output_schema["properties"]["todos"]["type"] == "array"


def call(live, host: str, name: str, arguments: dict, mode: str = "auto", **kwargs):
    async def action(client):
        return await client.call_tool(name, arguments)

    return run_client(live.mcp_url(host), action, mode=mode, **kwargs)


def assert_same_as_rest(result, rest_response):
    assert not result.is_error, result.content
    assert result.structured_content == rest_response.json()
    # The same JSON as text, byte for byte the REST body.
    assert result.content[0].text == rest_response.text


@pytest.mark.parametrize("mode", MODES)
def test_todo_tools_answer_what_rest_answers(live, mode):
    by_mcp, by_rest = fresh_name(), fresh_name()
    added = call(live, NOAUTH_HOST, "addTodo", {"username": by_mcp, "todo": "buy milk"}, mode)
    rest_added = live.rest("POST", NOAUTH_HOST, f"/todos/{by_rest}", json={"todo": "buy milk"})
    assert rest_added.status_code == 201
    assert_same_as_rest(added, rest_added)
    call(live, NOAUTH_HOST, "addTodo", {"username": by_mcp, "todo": "zoë ✓"}, mode)

    listed = call(live, NOAUTH_HOST, "getTodos", {"username": by_mcp}, mode)
    assert_same_as_rest(listed, live.rest("GET", NOAUTH_HOST, f"/todos/{by_mcp}"))
    assert listed.structured_content == {"todos": ["buy milk", "zoë ✓"]}

    deleted = call(live, NOAUTH_HOST, "deleteTodo", {"username": by_mcp, "todo_idx": 0}, mode)
    rest_deleted = live.rest("DELETE", NOAUTH_HOST, f"/todos/{by_rest}", json={"todo_idx": 0})
    assert_same_as_rest(deleted, rest_deleted)
    assert live.rest("GET", NOAUTH_HOST, f"/todos/{by_mcp}").json() == {"todos": ["zoë ✓"]}


SPORTS_CALLS = [
    ("getTeams", {}, ""),
    ("getPlayers", {"query": "davis", "per_page": 3}, "query=davis&per_page=3"),
    ("getPlayers", {"per_page": 2, "cursor": 5}, "per_page=2&cursor=5"),
    (
        "getGames",
        {"seasons": [2025], "team_ids": [14, 2], "start_date": "2025-11-01", "per_page": 5},
        "seasons=2025&team_ids=14&team_ids=2&start_date=2025-11-01&per_page=5",
    ),
    (
        "getStats",
        {"player_ids": [1, 2], "seasons": [2025], "per_page": 10},
        "player_ids[]=1&player_ids[]=2&seasons=2025&per_page=10",
    ),
    (
        "getSeasonAverages",
        {"season": 2025, "player_ids": [1, 2]},
        "season=2025&player_ids=1&player_ids=2",
    ),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "arguments", "query"), SPORTS_CALLS)
def test_sports_tools_answer_what_rest_answers(live, mode, name, arguments, query):
    path = {
        "getTeams": "/teams",
        "getPlayers": "/players",
        "getGames": "/games",
        "getStats": "/stats",
        "getSeasonAverages": "/season_averages",
    }[name]
    rest = live.rest("GET", SPORTS_HOST, f"{path}?{query}")
    assert rest.status_code == 200
    assert rest.json()["data"], "the demo data should give a non-empty answer"
    assert_same_as_rest(call(live, SPORTS_HOST, name, arguments, mode), rest)


BAD_TODO_ARGUMENTS = [
    ("addTodo", {"todo": ""}, 400),
    ("addTodo", {"todo": 5}, 400),
    ("addTodo", {"todo": "x" * 1001}, 400),
    ("addTodo", {}, 400),
    ("deleteTodo", {"todo_idx": -1}, 400),
    ("deleteTodo", {"todo_idx": "0"}, 400),
    ("deleteTodo", {"todo_idx": 7}, 404),  # well-formed, but the list has one item
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "arguments", "status"), BAD_TODO_ARGUMENTS)
def test_bad_todo_arguments_get_the_rest_message_and_write_nothing(
    live, mode, name, arguments, status
):
    owner = fresh_name()
    live.rest("POST", NOAUTH_HOST, f"/todos/{owner}", json={"todo": "keep me"})
    method = {"addTodo": "POST", "deleteTodo": "DELETE"}[name]
    rest = live.rest(method, NOAUTH_HOST, f"/todos/{owner}", json=arguments)
    assert rest.status_code == status

    result = call(live, NOAUTH_HOST, name, {"username": owner, **arguments}, mode)
    assert result.is_error
    assert result.structured_content is None
    assert result.content[0].text == rest.json()["detail"]
    assert live.rest("GET", NOAUTH_HOST, f"/todos/{owner}").json() == {"todos": ["keep me"]}


@pytest.mark.parametrize("mode", MODES)
def test_bad_username_is_a_tool_error(live, mode):
    missing = call(live, NOAUTH_HOST, "getTodos", {}, mode)
    assert missing.is_error
    assert missing.content[0].text == "username: This field is required."
    control = call(live, NOAUTH_HOST, "getTodos", {"username": "a\x07b"}, mode)
    rest = live.rest("GET", NOAUTH_HOST, "/todos/a%07b")
    assert rest.status_code == 400
    assert control.is_error
    assert control.content[0].text == rest.json()["detail"]


BAD_SPORTS_ARGUMENTS = [
    ("getPlayers", {"per_page": "abc"}, "/players?per_page=abc"),
    ("getPlayers", {"query": "a\x00b"}, "/players?query=a%00b"),
    ("getGames", {"start_date": "2025-13-01"}, "/games?start_date=2025-13-01"),
    ("getGames", {"seasons": [1800]}, "/games?seasons=1800"),
    ("getStats", {"player_ids": [2**63]}, f"/stats?player_ids={2**63}"),
    ("getSeasonAverages", {}, "/season_averages"),
    (
        "getSeasonAverages",
        {"player_ids": [1], "season": [2024, 2025]},
        "/season_averages?player_ids=1&season=2024&season=2025",
    ),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "arguments", "rest_path"), BAD_SPORTS_ARGUMENTS)
def test_bad_sports_arguments_get_the_rest_message(live, mode, name, arguments, rest_path):
    rest = live.rest("GET", SPORTS_HOST, rest_path)
    assert rest.status_code == 400
    result = call(live, SPORTS_HOST, name, arguments, mode)
    assert result.is_error
    assert result.content[0].text == rest.json()["detail"]


def test_unknown_tool_is_a_protocol_error(live):
    answer = live.post_mcp(
        SPORTS_HOST,
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "dropTables", "arguments": {}},
        },
        **{"MCP-Protocol-Version": "2025-06-18"},
    )
    assert 200 <= answer.status_code < 500
    assert answer.json()["error"]["message"] == "Unknown tool: dropTables"
    assert json.loads(answer.text)["id"] == 1


@pytest.mark.parametrize("mode", MODES)
def test_too_many_query_values_get_the_rest_400_as_a_tool_error(live, mode):
    seasons = [2025] * 1001  # Django reads at most 1000 query fields
    rest = live.rest("GET", SPORTS_HOST, "/games?" + "&".join(["seasons=2025"] * 1001))
    assert rest.status_code == 400
    result = call(live, SPORTS_HOST, "getGames", {"seasons": seasons}, mode)
    assert result.is_error
    assert result.structured_content is None
    assert result.content[0].text == rest.json()["detail"]


# The live server's TODO_MAX_ITEMS_PER_LIST.
LIST_LIMIT = 100


def fill(live, owner: str, text: str) -> None:
    for _ in range(LIST_LIMIT):
        assert live.rest("POST", NOAUTH_HOST, f"/todos/{owner}", json={"todo": text}).ok


@pytest.mark.parametrize("mode", MODES)
def test_adding_to_a_full_list_gets_the_rest_409_as_a_tool_error(live, mode):
    owner = fresh_name()
    fill(live, owner, "x")
    rest = live.rest("POST", NOAUTH_HOST, f"/todos/{owner}", json={"todo": "one more"})
    assert rest.status_code == 409
    result = call(live, NOAUTH_HOST, "addTodo", {"username": owner, "todo": "one more"}, mode)
    assert result.is_error
    assert result.content[0].text == rest.json()["detail"]
    assert len(live.rest("GET", NOAUTH_HOST, f"/todos/{owner}").json()["todos"]) == LIST_LIMIT


@pytest.mark.parametrize("mode", MODES)
def test_a_result_over_64_kib_is_sent_once_with_a_text_that_says_where(live, mode):
    owner = fresh_name()
    fill(live, owner, "y" * 1000)  # some 100 KB of JSON
    rest = live.rest("GET", NOAUTH_HOST, f"/todos/{owner}")
    result = call(live, NOAUTH_HOST, "getTodos", {"username": owner}, mode)
    assert not result.is_error
    assert result.structured_content == rest.json()
    assert result.content[0].text == (
        f"{len(rest.content)} bytes of JSON, sent in structuredContent only; "
        f"todos: {LIST_LIMIT} items."
    )


def test_a_result_of_64_kib_is_also_sent_as_text(live):
    owner = fresh_name()
    # The body {"todos":[...]} is 12 bytes, plus each text, its quotes and the commas between.
    item = 655
    last = 64 * 1024 - 12 - (3 * LIST_LIMIT - 1) - item * (LIST_LIMIT - 1)
    texts = ["z" * item] * (LIST_LIMIT - 1) + ["z" * last]
    for text in texts:
        assert live.rest("POST", NOAUTH_HOST, f"/todos/{owner}", json={"todo": text}).ok
    rest = live.rest("GET", NOAUTH_HOST, f"/todos/{owner}")
    assert len(rest.content) == 64 * 1024
    assert_same_as_rest(call(live, NOAUTH_HOST, "getTodos", {"username": owner}), rest)
