"""The /mcp endpoint's HTTP edges: Origin checks, methods, headers and malformed JSON-RPC."""

import pytest

from tests.pluginmeta.mcp.conftest import (
    NOAUTH_HOST,
    OAUTH_HOST,
    SERVICE_HOST,
    SPORTS_HOST,
    USER_HOST,
)

LIST = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
LEGACY = {"MCP-Protocol-Version": "2025-06-18"}


def test_same_origin_and_no_origin_are_served(live):
    for headers in ({}, {"Origin": live.origin(SPORTS_HOST)}):
        answer = live.post_mcp(SPORTS_HOST, LIST, **LEGACY, **headers)
        assert answer.status_code == 200
        assert {tool["name"] for tool in answer.json()["result"]["tools"]} >= {"getTeams"}


def test_another_hostname_of_the_same_plugin_is_an_allowed_origin(live):
    answer = live.post_mcp(NOAUTH_HOST, LIST, **LEGACY, Origin=f"http://127.0.0.1:{live.port}")
    assert answer.status_code == 200


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "null",
        "http://sports.localhost:{port}",  # another plugin's host
        "http://localhost:1",  # another port
        "https://localhost:{port}",  # another scheme
        "http://[::1",  # not even a URL
    ],
)
def test_foreign_origin_is_refused(live, origin):
    answer = live.post_mcp(NOAUTH_HOST, LIST, **LEGACY, Origin=origin.format(port=live.port))
    assert answer.status_code == 403
    assert answer.json()["error"] == "forbidden_origin"


@pytest.mark.parametrize("method", ["GET", "DELETE", "PUT"])
def test_other_methods_get_405_json(live, method):
    answer = live.rest(method, SPORTS_HOST, "/mcp", headers={"Accept": "text/event-stream"})
    assert answer.status_code == 405
    assert answer.json()["error"] == "method_not_allowed"


MALFORMED = [
    ("not json", "{bad", {}, -32700),
    ("empty body", "", {}, -32700),
    ("not utf-8", b"\xff\xfe", {}, -32700),
    ("a JSON array", "[]", {}, None),
    ("a batch", '[{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}]', {}, None),
    ("deep nesting", "[" * 30000, {}, -32700),
    (
        "integer out of range",
        '{"jsonrpc":"2.0","id":1,"method":"x","params":' + "9" * 5000 + "}",
        {},
        -32700,
    ),
    ("unknown protocol version", LIST, {"MCP-Protocol-Version": "1999-01-01"}, None),
    ("modern request without _meta", LIST, {"MCP-Protocol-Version": "2026-07-28"}, None),
    ("text/plain body", LIST, {"Content-Type": "text/plain"}, -32600),
    ("accepts only HTML", LIST, {"Accept": "text/html"}, -32600),
    (
        "accepts only HTML, modern",
        LIST,
        {"Accept": "text/html", "MCP-Protocol-Version": "2026-07-28"},
        -32600,
    ),
]


@pytest.mark.parametrize(
    ("case", "body", "headers", "code"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
def test_malformed_requests_get_a_json_rpc_error_with_4xx(live, case, body, headers, code):
    answer = live.post_mcp(SPORTS_HOST, body, **headers)
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    error = answer.json()["error"]
    assert error["message"]
    if code is not None:
        assert error["code"] == code


def test_unknown_method_is_method_not_found(live):
    answer = live.post_mcp(SPORTS_HOST, {**LIST, "method": "nope"}, **LEGACY)
    assert answer.json()["error"]["code"] == -32601


@pytest.mark.parametrize(
    "params",
    [None, {"name": "getTeams", "arguments": [1]}, {"arguments": {}}],
)
def test_malformed_tool_call_params_are_invalid_params(live, params):
    body = {"jsonrpc": "2.0", "id": 7, "method": "tools/call"}
    if params is not None:
        body["params"] = params
    answer = live.post_mcp(SPORTS_HOST, body, **LEGACY)
    assert answer.status_code < 500
    assert answer.json()["error"]["code"] == -32602


def test_nested_arguments_are_a_tool_error(live):
    arguments = {"seasons": [[[2025]]]}
    call = {"name": "getGames", "arguments": arguments}
    body = {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": call}
    result = live.post_mcp(SPORTS_HOST, body, **LEGACY).json()["result"]
    assert result["isError"] is True
    assert result["content"][0]["text"] == "seasons: Must be a string, a number or a list of them."


def test_oversized_body_is_413_json(live):
    body = '{"jsonrpc":"2.0","id":1,"method":"tools/list","pad":"' + "x" * 70000 + '"}'
    answer = live.post_mcp(SPORTS_HOST, body, **LEGACY)
    assert answer.status_code == 413
    assert answer.json()["error"] == "payload_too_large"


def test_unknown_host_is_404_json(live):
    answer = live.post_mcp("nobody.localhost", LIST, **LEGACY)
    assert answer.status_code == 404
    assert answer.json()["error"] == "unknown_host"


EVERY_HOST = [NOAUTH_HOST, SPORTS_HOST, SERVICE_HOST, USER_HOST, OAUTH_HOST]


@pytest.mark.parametrize("host", EVERY_HOST)
@pytest.mark.parametrize("body", ["{bad", '{"jsonrpc": "2.0", "id": 1,', "\ufeff[1"])
def test_malformed_json_is_a_parse_error_on_every_host(live, host, body):
    answer = live.post_mcp(host, body, **LEGACY, **live.credentials(host))
    assert answer.status_code == 400
    assert answer.json()["jsonrpc"] == "2.0"
    assert answer.json()["id"] is None
    assert answer.json()["error"]["code"] == -32700


@pytest.mark.parametrize("host", EVERY_HOST)
@pytest.mark.parametrize("request_id", [None, 1.5, {"n": 1}, [1], True])
def test_an_id_that_is_not_a_string_or_an_integer_is_an_invalid_request(live, host, request_id):
    body = {**LIST, "id": request_id}
    answer = live.post_mcp(host, body, **LEGACY, **live.credentials(host))
    assert answer.status_code == 400
    assert answer.json() == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {
            "code": -32600,
            "message": 'Invalid Request: "id" must be a string or an integer.',
        },
    }


MARKER = "echo-marker-7f3a"
NOT_A_MESSAGE = [
    ("a batch", [{**LIST, "params": {"cursor": MARKER}}], "batches are not accepted"),
    ("a bare value", f'"{MARKER}"', "not a JSON-RPC 2.0"),
    ("another jsonrpc version", {**LIST, "jsonrpc": MARKER}, '"jsonrpc" must be "2.0"'),
    ("no method", {"jsonrpc": "2.0", "id": 1, "params": MARKER}, '"method" must be a string'),
    ("a method that is not text", {**LIST, "method": [MARKER]}, '"method" must be a string'),
    ("a malformed response", {"jsonrpc": "2.0", "id": 1, "error": MARKER}, "not a JSON-RPC 2.0"),
]


@pytest.mark.parametrize("host", EVERY_HOST)
@pytest.mark.parametrize(
    ("case", "body", "explanation"), NOT_A_MESSAGE, ids=[m[0] for m in NOT_A_MESSAGE]
)
def test_what_is_not_one_message_is_an_invalid_request_that_quotes_nothing(
    live, host, case, body, explanation
):
    answer = live.post_mcp(host, body, **LEGACY, **live.credentials(host))
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == -32600
    assert explanation in error["message"]
    assert MARKER not in answer.text
