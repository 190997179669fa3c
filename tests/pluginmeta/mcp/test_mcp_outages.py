"""/mcp while the database is gone, in process: every call says the service is unavailable.

The database is replaced by one that refuses connections (see
tests/pluginmeta/hosts/test_outages.py), under the real MCP server the bridge runs.
"""

import json
import secrets
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from oauth2_provider.models import AccessToken, get_application_model

from pluginmeta.api.errors import DATABASE_UNAVAILABLE
from pluginmeta.auth.oauth.services import register_client
from pluginmeta.auth.services import create_user_key, rotate_service_key
from pluginmeta.models import Plugin
from tests.conftest import NOAUTH_HOST, OAUTH_HOST, SERVICE_HOST, SPORTS_HOST, USER_HOST, HostClient

pytestmark = pytest.mark.django_db

MCP_HEADERS = {
    "HTTP_ACCEPT": "application/json, text/event-stream",
    "HTTP_MCP_PROTOCOL_VERSION": "2025-06-18",
}
INITIALIZE = {
    "protocolVersion": "2025-06-18",
    "capabilities": {},
    "clientInfo": {"name": "outage-test", "version": "1"},
}
TOOL_CALLS = {
    "todo": [
        ("getTodos", {"username": "alice"}),
        ("addTodo", {"username": "alice", "todo": "milk"}),
        ("deleteTodo", {"username": "alice", "todo_idx": 0}),
    ],
    "sportstats": [("getTeams", {}), ("getPlayers", {"query": "davis"})],
}
# What a driver's message would name.
INTERNALS = ("sqlite", "psycopg", "connection", "port", "OperationalError", 'database "')


@pytest.fixture
def authorized() -> dict[str, str]:
    """An Authorization header per host that would admit the call with the database up."""
    alice = get_user_model().objects.create_user("alice", password="unused-" + "x" * 20)
    service_key = rotate_service_key(Plugin.objects.get(slug="todo-service"))
    _user_key, alice_key = create_user_key(alice, Plugin.objects.get(slug="todo-user"))
    plugin = Plugin.objects.get(slug="todo-oauth")
    client = register_client(plugin, ["https://chatgpt.com/connector/oauth/outage"])
    token = AccessToken.objects.create(
        user=alice,
        application=get_application_model().objects.get(client_id=client.client_id),
        token=secrets.token_urlsafe(30),
        expires=timezone.now() + timedelta(hours=1),
        scope="todos",
        resource=[f"http://{OAUTH_HOST}/mcp"],
    )
    return {
        SERVICE_HOST: f"Bearer {service_key}",
        USER_HOST: f"Bearer {alice_key}",
        OAUTH_HOST: f"Bearer {token.token}",
    }


def post(host: str, method: str, params: dict | None, authorization: str | None):
    body = {"jsonrpc": "2.0", "id": 7, "method": method}
    if params is not None:
        body["params"] = params
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    client = HostClient(host)
    return client.post("/mcp", json.dumps(body), "application/json", **MCP_HEADERS, **extra)


def calls_of(host: str) -> list[tuple[str, dict | None]]:
    kind = "sportstats" if host == SPORTS_HOST else "todo"
    tools = [
        ("tools/call", {"name": name, "arguments": arguments})
        for name, arguments in TOOL_CALLS[kind]
    ]
    return [("initialize", INITIALIZE), ("tools/list", None), ("ping", None), *tools]


def test_the_calls_answer_normally_with_the_database_up(authorized):
    for host in [NOAUTH_HOST, SPORTS_HOST, SERVICE_HOST, USER_HOST, OAUTH_HOST]:
        for method, params in calls_of(host):
            answer = post(host, method, params, authorized.get(host))
            assert answer.status_code == 200, (host, method, answer.content)
            result = answer.json()["result"]
            assert not result.get("isError"), (host, method, result)


@pytest.mark.parametrize("host", [SERVICE_HOST, USER_HOST, OAUTH_HOST])
def test_on_hosts_with_credentials_every_call_is_a_503_json_rpc_error(
    database_gone,
    authorized,
    host,
):
    HostClient(host).get("/")  # the host map is in memory, as on a server that was up
    for method, params in calls_of(host):
        with database_gone():
            answer = post(host, method, params, authorized[host])
        assert answer.status_code == 503, (method, answer.content)
        assert answer["Retry-After"] == "5"
        assert answer.json() == {
            "jsonrpc": "2.0",
            "id": 7,
            "error": {"code": -32053, "message": DATABASE_UNAVAILABLE},
        }


@pytest.mark.parametrize("host", [NOAUTH_HOST, "127.0.0.1", SPORTS_HOST])
def test_on_no_auth_hosts_a_tool_call_is_a_tool_error_saying_so(database_gone, host):
    HostClient(host).get("/")  # the host map is in memory, as on a server that was up
    for method, params in calls_of(host):
        with database_gone():
            answer = post(host, method, params, None)
        assert answer.status_code == 200, (method, answer.content)
        result = answer.json()["result"]
        if method == "tools/call":
            assert result["isError"] is True
            assert result["content"] == [{"type": "text", "text": DATABASE_UNAVAILABLE}]
        else:  # initialize, tools/list and ping read nothing from the database
            assert "isError" not in result


@pytest.mark.parametrize("host", [NOAUTH_HOST, SPORTS_HOST, SERVICE_HOST, OAUTH_HOST])
def test_a_host_lookup_that_finds_the_database_gone_answers_mcp_in_json_rpc(
    database_gone,
    authorized,
    host,
):
    # A worker that never loaded the host map: routing itself needs the database.
    with database_gone():
        answer = post(host, "tools/list", None, authorized.get(host))
        page = HostClient(host).get("/")
    assert answer.status_code == 503, answer.content
    assert answer["Retry-After"] == "5"
    assert answer.json() == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": -32053, "message": DATABASE_UNAVAILABLE},
    }
    # Everything else keeps the REST API's error shape.
    assert page.status_code == 503
    assert page.json()["error"] == "service_unavailable"
