"""One plugin's MCP server: its tools listed from the spec and run through the REST views."""

from functools import lru_cache
from typing import Any

import mcp_types as types
from asgiref.sync import sync_to_async
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel.server import Server
from mcp.shared.exceptions import MCPError

from pluginmeta.mcp.apps import EXTENSION_SETTINGS, resource_handlers, views_by_tool, with_view
from pluginmeta.mcp.tools import Tool, mcp_tool_fields, run_tool, tools_for_kind
from pluginmeta.models import Plugin

# The largest result whose JSON is also sent as text (see result_text).
TEXT_JSON_MAX_BYTES = 64 * 1024
# The ASGI scope key under which the bridge hands the authenticated DRF request to the tools.
REQUEST_SCOPE_KEY = "pluginmeta.request"


def caller_request(ctx: ServerRequestContext[Any]):
    """The DRF request on /mcp whose caller this MCP request acts for."""
    return ctx.request.scope[REQUEST_SCOPE_KEY]


def tool_result(tool: Tool, request, arguments: dict[str, Any]) -> types.CallToolResult:
    outcome = run_tool(request, tool, arguments)
    if outcome.is_error:
        # A refused call is a tool result, not a protocol error, so the model reads why.
        text = types.TextContent(text=outcome.message)
        return types.CallToolResult(content=[text], is_error=True)
    text = types.TextContent(text=result_text(outcome.body, outcome.data))
    return types.CallToolResult(content=[text], structured_content=outcome.data)


def result_text(body: str, data: Any) -> str:
    """The text block of a result whose structuredContent is data (body as JSON).

    The MCP spec asks for the JSON in a text block too, for clients that read no
    structuredContent; up to TEXT_JSON_MAX_BYTES it is there, byte for byte the REST body.
    A larger result would be sent twice and outgrow what clients take into a model's
    context, so its text says what it holds and where.
    """
    size = len(body.encode())
    if size <= TEXT_JSON_MAX_BYTES:
        return body
    fields = data.items() if isinstance(data, dict) else []
    counts = [f"{key}: {len(value)} items" for key, value in fields if isinstance(value, list)]
    return "; ".join([f"{size} bytes of JSON, sent in structuredContent only", *counts]) + "."


def server_for(plugin: Plugin) -> Server:
    """plugin's MCP server; built once per process and kept while the plugin's fields stay."""
    return _server(
        plugin.kind, plugin.name_for_model, plugin.name_for_human, plugin.description_for_model
    )


@lru_cache(maxsize=64)
def _server(kind: str, name: str, title: str, instructions: str) -> Server:
    """A low-level MCP server offering the kind's operations as tools, and the kind's views
    (MCP Apps) as ui:// resources."""
    tools = tools_for_kind(kind)
    views = views_by_tool(kind, set(tools))
    listing = types.ListToolsResult(
        tools=[
            types.Tool.model_validate(with_view(mcp_tool_fields(tool), views.get(tool.name)))
            for tool in tools.values()
        ]
    )

    async def list_tools(ctx, params) -> types.ListToolsResult:
        return listing

    async def call_tool(ctx, params: types.CallToolRequestParams) -> types.CallToolResult:
        tool = tools.get(params.name)
        if tool is None:
            raise MCPError(types.INVALID_PARAMS, f"Unknown tool: {params.name}")
        # The views use the ORM, so they run on the request's own thread and connection.
        run = sync_to_async(tool_result, thread_sensitive=True)
        return await run(tool, caller_request(ctx), params.arguments or {})

    def input_schema(tool_name: str) -> dict | None:
        tool = tools.get(tool_name)
        return tool.input_schema if tool else None

    server = Server(
        name,
        version="1",
        title=title,
        instructions=instructions,
        # Spares the SDK a tools/list run per tools/call when it checks Mcp-Param headers.
        get_tool_input_schema=input_schema,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        **resource_handlers(kind),
    )
    if views:
        server.extensions.update(EXTENSION_SETTINGS)
    return server
