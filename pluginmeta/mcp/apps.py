"""MCP Apps (the io.modelcontextprotocol/ui extension): the views a plugin kind shows its tools in.

A kind names its views in PLUGIN_SERVER["MCP_APPS"]: each is a template of the kind's app
and the tools whose results it renders. The platform serves each view as a `ui://` resource
(`text/html;profile=mcp-app`), one self-contained HTML document with the vendored MCP Apps
SDK inlined, and points those tools at it with `_meta.ui.resourceUri`. The apps know nothing
of this: their template is a page that talks to its host by postMessage.
"""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import mcp_types as types
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from mcp.shared.exceptions import MCPError

# The official view-side SDK (@modelcontextprotocol/ext-apps), bundled by
# scripts/build_mcp_apps.sh; its first line names its version and licence.
VIEW_SDK = Path(__file__).resolve().parent / "vendor" / "ext-apps-view.js"

# What the server advertises under capabilities.extensions, as hosts advertise it.
EXTENSION_SETTINGS = {EXTENSION_ID: {"mimeTypes": [APP_MIME_TYPE]}}

# The views load nothing from anywhere (their script and styles are inline, they reach the
# server only through the host's tools/call), so every list of allowed origins is empty.
VIEW_CSP = {"connectDomains": [], "resourceDomains": [], "frameDomains": [], "baseUriDomains": []}


@dataclass(frozen=True)
class View:
    """One view of a kind: a ui:// resource and the tools whose results it renders."""

    uri: str
    name: str
    title: str
    description: str
    template: str
    tools: tuple[str, ...]

    def resource_fields(self) -> dict:
        """The view as resources/list shows it (wire names)."""
        return {
            "uri": self.uri,
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "mimeType": APP_MIME_TYPE,
            "_meta": resource_meta(),
        }

    def contents_fields(self) -> dict:
        """The view as resources/read returns it (wire names)."""
        return {
            "uri": self.uri,
            "mimeType": APP_MIME_TYPE,
            "text": view_html(self.template),
            "_meta": resource_meta(),
        }


def resource_meta() -> dict:
    """_meta of every view: its CSP and a border, plus ChatGPT's names for the same."""
    return {
        "ui": {"csp": dict(VIEW_CSP), "prefersBorder": True},
        "openai/widgetCSP": {"connect_domains": [], "resource_domains": []},
        "openai/widgetPrefersBorder": True,
    }


def with_view(fields: dict, view: View | None) -> dict:
    """A tool's tools/list fields, pointing at the view that renders its results, if any.

    ChatGPT also reads the older openai/outputTemplate; a client without MCP Apps reads
    neither, and the tool is the same to it.
    """
    if view is None:
        return fields
    return {**fields, "_meta": {"ui": {"resourceUri": view.uri}, "openai/outputTemplate": view.uri}}


@lru_cache(maxsize=16)
def views_for_kind(kind: str) -> tuple[View, ...]:
    """The views PLUGIN_SERVER["MCP_APPS"] gives kind (none for a kind it does not name)."""
    declared = settings.PLUGIN_SERVER.get("MCP_APPS", {}).get(kind, {})
    views = []
    for name, entry in declared.items():
        try:
            views.append(
                View(
                    uri=f"ui://{kind}/{name}.html",
                    name=name,
                    title=entry["title"],
                    description=entry.get("description", ""),
                    template=entry["template"],
                    tools=tuple(entry["tools"]),
                )
            )
        except (KeyError, TypeError) as exc:
            raise ImproperlyConfigured(
                f'PLUGIN_SERVER["MCP_APPS"]["{kind}"]["{name}"] needs a title, a template and '
                f"a list of tools ({exc!r} is missing or wrong)."
            ) from exc
    return tuple(views)


def views_by_tool(kind: str, tool_names: set[str]) -> dict[str, View]:
    """Each tool of kind that a view renders, with that view; refuses a tool kind lacks."""
    bound: dict[str, View] = {}
    for view in views_for_kind(kind):
        for tool in view.tools:
            if tool not in tool_names:
                raise ImproperlyConfigured(
                    f'PLUGIN_SERVER["MCP_APPS"]["{kind}"]["{view.name}"] names the tool '
                    f"{tool!r}, which the {kind} kind does not have."
                )
            if tool in bound:
                raise ImproperlyConfigured(f"{kind}: the tool {tool!r} is given two views.")
            bound[tool] = view
    return bound


@lru_cache(maxsize=1)
def view_sdk_script() -> str:
    """The SDK's code, safe to put inside a <script> element."""
    code = VIEW_SDK.read_text(encoding="utf-8")
    if "</script" in code.lower():
        raise ImproperlyConfigured(f"{VIEW_SDK} would end its <script> element early.")
    return code


@lru_cache(maxsize=16)
def view_html(template: str) -> str:
    """The view's whole HTML document, built once per process."""
    return render_to_string(template, {"mcp_apps_sdk": mark_safe(view_sdk_script())})  # noqa: S308


def resource_handlers(kind: str) -> dict:
    """The resources/list and resources/read handlers of kind's views (none without views).

    Each view's HTML is built here, once per server, so a broken template fails the first
    request to /mcp rather than a host's read.
    """
    views = views_for_kind(kind)
    if not views:
        return {}
    listing = types.ListResourcesResult(
        resources=[types.Resource.model_validate(view.resource_fields()) for view in views]
    )
    contents = {
        view.uri: types.ReadResourceResult(
            contents=[types.TextResourceContents.model_validate(view.contents_fields())]
        )
        for view in views
    }

    async def list_resources(ctx, params) -> types.ListResourcesResult:
        return listing

    async def read_resource(ctx, params: types.ReadResourceRequestParams):
        if params.uri not in contents:
            message = f"Unknown resource: {params.uri}"
            raise MCPError(types.INVALID_PARAMS, message, data={"uri": params.uri})
        return contents[params.uri]

    return {"on_list_resources": list_resources, "on_read_resource": read_resource}
