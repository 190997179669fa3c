"""MCP Apps over real HTTP with the official SDK client: the extension advertised, each kind's
tools pointing at their view, the views listed and read as ui:// HTML resources with their CSP,
in both eras; and what a client without MCP Apps sees is what it saw before."""

import json
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from mcp.shared.exceptions import MCPError

from pluginmeta.mcp import apps
from pluginmeta.mcp.server import _server
from tests.helpers.mcp_apps import RETRIEVAL_HOST, retrieval_headers
from tests.pluginmeta.mcp.conftest import MODES, NOAUTH_HOST, SPORTS_HOST, USER_HOST, run_client

# Each kind's view, and the tools that show it; the kind's other tools show none.
VIEWS = {
    NOAUTH_HOST: ("ui://todo/list.html", {"getTodos", "addTodo", "deleteTodo"}, set()),
    SPORTS_HOST: (
        "ui://sportstats/stats.html",
        {"getSeasonAverages", "getPlayers", "getStats", "getGames"},
        {"getTeams"},
    ),
    RETRIEVAL_HOST: (
        "ui://retrieval/results.html",
        {"search", "query", "fetch"},
        {"upsert", "delete"},
    ),
}
NO_ORIGINS = {"connectDomains": [], "resourceDomains": [], "frameDomains": [], "baseUriDomains": []}


@pytest.fixture(scope="module")
def headers(live) -> dict[str, dict[str, str]]:
    return {
        NOAUTH_HOST: {},
        SPORTS_HOST: {},
        USER_HOST: live.credentials(USER_HOST),
        RETRIEVAL_HOST: retrieval_headers(live),
    }


def errors_in(group: BaseExceptionGroup, kind: type) -> list:
    """The exceptions of kind anywhere in group (the client's task groups nest them)."""
    found = []
    for error in group.exceptions:
        if isinstance(error, BaseExceptionGroup):
            found.extend(errors_in(error, kind))
        elif isinstance(error, kind):
            found.append(error)
    return found


def wire(model) -> dict:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("host", list(VIEWS))
def test_the_extension_is_advertised_and_each_tool_points_at_its_view(live, headers, mode, host):
    uri, shown, plain = VIEWS[host]

    async def action(client):
        return client.server_capabilities, (await client.list_tools()).tools

    capabilities, tools = run_client(live.mcp_url(host), action, mode=mode, headers=headers[host])
    assert capabilities.resources is not None
    # Extensions are capabilities of the 2026-07-28 revision; the SDK's handshake of earlier
    # revisions has no field for them, and hosts there find the views by the tools' _meta.
    advertised = {EXTENSION_ID: {"mimeTypes": [APP_MIME_TYPE]}} if mode == "auto" else None
    assert capabilities.extensions == advertised
    metas = {tool.name: wire(tool).get("_meta") for tool in tools}
    assert set(metas) == shown | plain
    for name in shown:
        assert metas[name] == {"ui": {"resourceUri": uri}, "openai/outputTemplate": uri}
    for name in plain:
        assert metas[name] is None


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("host", list(VIEWS))
def test_the_view_is_listed_and_read_as_self_contained_html_with_its_csp(live, headers, mode, host):
    uri = VIEWS[host][0]

    async def action(client):
        return (await client.list_resources()).resources, await client.read_resource(uri)

    listed, read = run_client(live.mcp_url(host), action, mode=mode, headers=headers[host])
    (resource,) = listed
    assert (resource.uri, resource.mime_type) == (uri, APP_MIME_TYPE)
    assert resource.title and resource.description
    (contents,) = read.contents
    assert (contents.uri, contents.mime_type) == (uri, APP_MIME_TYPE)
    assert contents.meta["ui"] == {"csp": NO_ORIGINS, "prefersBorder": True}
    assert contents.meta["openai/widgetCSP"] == {"connect_domains": [], "resource_domains": []}
    assert resource.meta == contents.meta
    html = contents.text
    assert html.startswith("<!DOCTYPE html>")
    assert html.rstrip().endswith("</html>")
    # The official SDK is inside, and nothing is loaded from anywhere: no src, href or url().
    assert "@modelcontextprotocol/ext-apps " in html
    assert re.search(r"""\s(src|href)\s*=|@import|url\(\s*['"]?(https?:)?//""", html) is None
    assert "default-src 'none'" in html


@pytest.mark.parametrize("mode", MODES)
def test_an_unknown_resource_is_invalid_params(live, mode):
    async def action(client):
        return await client.read_resource("ui://todo/other.html")

    with pytest.raises(ExceptionGroup) as refused:
        run_client(live.mcp_url(NOAUTH_HOST), action, mode=mode)
    (error,) = errors_in(refused.value, MCPError)
    assert error.error.code == -32602
    assert "ui://todo/other.html" in error.error.message


def test_the_views_are_read_with_the_plugins_own_auth(live):
    read = {"jsonrpc": "2.0", "id": 1, "method": "resources/read"}
    read["params"] = {"uri": "ui://todo/list.html"}
    refused = live.post_mcp(USER_HOST, read, **{"MCP-Protocol-Version": "2025-06-18"})
    assert refused.status_code == 401
    assert "<!DOCTYPE" not in refused.text

    async def action(client):
        return await client.read_resource("ui://todo/list.html")

    read = run_client(live.mcp_url(USER_HOST), action, headers=live.credentials(USER_HOST))
    assert read.contents[0].text.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("mode", MODES)
def test_a_client_without_apps_gets_the_rest_body_as_before(live, mode):
    body = {"username": "apps-plain", "todo": "plain"}

    async def action(client):
        return await client.call_tool("addTodo", body)

    result = run_client(live.mcp_url(NOAUTH_HOST), action, mode=mode)
    rest = live.rest("GET", NOAUTH_HOST, "/todos/apps-plain").json()
    assert result.structured_content == {"todo": "plain", "todo_idx": len(rest["todos"]) - 1}
    (block,) = result.content
    assert json.loads(block.text) == result.structured_content


# --- the platform's reading of PLUGIN_SERVER["MCP_APPS"], without a server ------------------


@pytest.fixture
def mcp_apps(settings):
    """Sets PLUGIN_SERVER["MCP_APPS"] for the test; the views are read afresh from it."""

    def use(declared: dict) -> None:
        settings.PLUGIN_SERVER = {**settings.PLUGIN_SERVER, "MCP_APPS": declared}
        apps.views_for_kind.cache_clear()

    yield use
    apps.views_for_kind.cache_clear()


def test_a_view_naming_a_tool_its_kind_lacks_is_refused(mcp_apps):
    view = {"title": "T", "template": "todos/mcp_app.html", "tools": ["nope"]}
    mcp_apps({"todo": {"list": view}})
    with pytest.raises(ImproperlyConfigured, match="'nope', which the todo kind does not have"):
        apps.views_by_tool("todo", {"getTodos"})


def test_a_tool_given_two_views_is_refused(mcp_apps):
    view = {"title": "T", "template": "todos/mcp_app.html", "tools": ["getTodos"]}
    mcp_apps({"todo": {"one": view, "two": view}})
    with pytest.raises(ImproperlyConfigured, match="two views"):
        apps.views_by_tool("todo", {"getTodos"})


def test_a_view_without_a_template_is_refused(mcp_apps):
    mcp_apps({"todo": {"list": {"title": "T", "tools": ["getTodos"]}}})
    with pytest.raises(ImproperlyConfigured, match="needs a title, a template"):
        apps.views_for_kind("todo")


def test_a_kind_without_views_serves_no_resources_and_advertises_nothing(mcp_apps):
    mcp_apps({})
    assert apps.views_for_kind("todo") == ()
    assert apps.resource_handlers("todo") == {}
    assert apps.with_view({"name": "getTodos"}, None) == {"name": "getTodos"}
    server = _server.__wrapped__("todo", "todo", "TODO", "")
    assert server.extensions == {}
    assert server.get_capabilities().resources is None


def test_the_path_form_serves_the_same_view(live):
    async def action(client):
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        return tools["getGames"], await client.read_resource("ui://sportstats/stats.html")

    url = f"{live.origin(NOAUTH_HOST)}/p/sports/mcp"
    tool, read = run_client(url, action)
    assert tool.meta["ui"] == {"resourceUri": "ui://sportstats/stats.html"}
    assert read.contents[0].text == apps.view_html("sportstats/mcp_app.html")
