"""A plugin kind's MCP tools: one per operation of its OpenAPI spec, each run by its REST view.

The tool's input schema is the operation's parameters and request body as drf-spectacular
documents them, and a call goes through the very view a REST request reaches, so the
validation, the services and the response body are the REST API's, with no second copy.
"""

import copy
import io
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.urls import Resolver404, resolve

from pluginmeta.api.errors import database_unavailable, is_database_outage, json_error
from pluginmeta.api.throttling import VERDICT_ATTRIBUTE
from pluginmeta.hosts.resolver import urlconf_for_kind
from pluginmeta.openapi import base_schema

logger = logging.getLogger(__name__)

# What each HTTP method tells a client about the operation. deleteTodo removes by position,
# so repeating it removes the next item: DELETE is not idempotent here.
ANNOTATIONS_BY_METHOD: dict[str, dict[str, bool]] = {
    "get": {"readOnlyHint": True, "idempotentHint": True},
    "post": {"readOnlyHint": False, "destructiveHint": False, "idempotentHint": False},
    "delete": {"readOnlyHint": False, "destructiveHint": True, "idempotentHint": False},
}
SUCCESS_STATUSES = ("200", "201")
# Headers of the /mcp request that do not belong to the operation's request.
NOT_FORWARDED = frozenset(
    {"HTTP_AUTHORIZATION", "HTTP_COOKIE", "CONTENT_TYPE", "CONTENT_LENGTH", "HTTP_ACCEPT"}
)


@dataclass(frozen=True)
class Tool:
    """One API operation as an MCP tool."""

    name: str
    title: str
    description: str
    method: str
    path: str  # the spec's path template, e.g. /todos/{username}
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    body_params: tuple[str, ...]
    has_body: bool
    input_schema: dict
    output_schema: dict
    annotations: dict[str, bool]


@dataclass(frozen=True)
class ToolOutcome:
    """The REST answer to a tool call: its status and its JSON body, as sent over HTTP."""

    status: int
    body: str

    @property
    def is_error(self) -> bool:
        return self.status >= 400

    @property
    def data(self) -> Any:
        return json.loads(self.body)

    @property
    def message(self) -> str:
        """The REST error's detail, the text a client shows for a failed call."""
        try:
            data = self.data
        except ValueError:  # Django's debug pages, with DEBUG on
            return HTTPStatus(self.status).phrase
        return str(data.get("detail", self.body)) if isinstance(data, dict) else self.body


def json_schema(schema: Any, components: Mapping[str, Any]) -> Any:
    """An OpenAPI 3.0 schema as plain JSON Schema: $refs inlined, nullable as a "null" type."""
    if isinstance(schema, list):
        return [json_schema(item, components) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return json_schema(components[name], components)
    out = {key: json_schema(value, components) for key, value in schema.items()}
    if out.pop("nullable", False) and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def _tool(method: str, path: str, operation: dict, components: Mapping[str, Any]) -> Tool:
    properties: dict[str, Any] = {}
    required: list[str] = []
    located: dict[str, list[str]] = {"path": [], "query": []}
    for parameter in operation.get("parameters", []):
        name = parameter["name"]
        located[parameter["in"]].append(name)
        properties[name] = json_schema(parameter["schema"], components)
        if parameter.get("description"):
            properties[name]["description"] = parameter["description"]
        if parameter.get("required"):
            required.append(name)
    body_params: list[str] = []
    request_body = operation.get("requestBody")
    if request_body:
        body = json_schema(request_body["content"]["application/json"]["schema"], components)
        for name, schema in body.get("properties", {}).items():
            if name in properties:
                raise ImproperlyConfigured(f"{operation['operationId']}: {name} is given twice.")
            properties[name] = schema
            body_params.append(name)
        if request_body.get("required"):
            required.extend(body.get("required", []))
    responses = operation["responses"]
    success = next(responses[code] for code in SUCCESS_STATUSES if code in responses)
    output = json_schema(success["content"]["application/json"]["schema"], components)
    summary = operation.get("summary", "")
    detail = operation.get("description", "")
    return Tool(
        name=operation["operationId"],
        title=summary,
        description=f"{summary}\n\n{detail}".strip(),
        method=method,
        path=path,
        path_params=tuple(located["path"]),
        query_params=tuple(located["query"]),
        body_params=tuple(body_params),
        has_body=request_body is not None,
        input_schema={"type": "object", "properties": properties, "required": required},
        output_schema=output,
        annotations={**ANNOTATIONS_BY_METHOD[method], "openWorldHint": False},
    )


def _takes_json(operation: dict) -> bool:
    body = operation.get("requestBody")
    return body is None or "application/json" in body["content"]


@lru_cache(maxsize=16)
def tools_for_kind(kind: str) -> dict[str, Tool]:
    """The tools of a plugin kind by name, built once per process from its spec.

    An operation whose body is not JSON (a file upload) has no JSON arguments to stand for
    it, so it is no tool.
    """
    spec = base_schema(urlconf_for_kind(kind))
    components = spec.get("components", {}).get("schemas", {})
    tools = [
        _tool(method, path, operation, components)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if _takes_json(operation)
    ]
    return {tool.name: tool for tool in tools}


class ArgumentError(ValueError):
    """A tool argument that cannot even be placed into a request; answered like a REST 400."""


def _text(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise ArgumentError(f"{name}: Must be a string, a number or a list of them.")


def _path_value(name: str, arguments: Mapping[str, Any]) -> str:
    if name not in arguments:
        raise ArgumentError(f"{name}: This field is required.")
    return _text(name, arguments[name])


def _query_pairs(tool: Tool, arguments: Mapping[str, Any]) -> list[tuple[str, str]]:
    # Lists become repeated parameters (the spec's explode=true), as a REST client sends them.
    pairs: list[tuple[str, str]] = []
    for name in tool.query_params:
        if name not in arguments or arguments[name] is None:
            continue
        value = arguments[name]
        values = value if isinstance(value, list) else [value]
        pairs.extend((name, _text(name, item)) for item in values)
    return pairs


def operation_request(request, tool: Tool, arguments: Mapping[str, Any]) -> WSGIRequest:
    """The REST request a tool call stands for, on the /mcp request's host and connection."""
    path = tool.path
    for name in tool.path_params:
        path = path.replace(f"{{{name}}}", _path_value(name, arguments))
    body = b""
    if tool.has_body:
        fields = {name: arguments[name] for name in tool.body_params if name in arguments}
        body = json.dumps(fields).encode()
    environ = {k: v for k, v in request.META.items() if k not in NOT_FORWARDED}
    environ.update(
        {
            "REQUEST_METHOD": tool.method.upper(),
            "SCRIPT_NAME": "",
            # WSGI carries the path as latin-1 text of its UTF-8 bytes.
            "PATH_INFO": path.encode("utf-8").decode("iso-8859-1"),
            "QUERY_STRING": urlencode(_query_pairs(tool, arguments)),
            "wsgi.input": io.BytesIO(body),
        }
    )
    if body:
        environ.update({"CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body))})
    operation = WSGIRequest(environ)
    operation.plugin = request.plugin
    operation.urlconf = urlconf_for_kind(request.plugin.kind)
    # The caller was authenticated on /mcp by the same classes; DRF takes this identity as is.
    operation._force_auth_user = request.user
    operation._force_auth_token = request.auth
    # Counted once, on /mcp (MCPRateThrottle): the operation refuses by that verdict.
    verdict = getattr(request._request, VERDICT_ATTRIBUTE, None)
    if verdict is not None:
        setattr(operation, VERDICT_ATTRIBUTE, verdict)
    return operation


def run_tool(request, tool: Tool, arguments: Mapping[str, Any]) -> ToolOutcome:
    """Runs the tool's REST operation for the caller of request (a DRF request on /mcp)."""
    try:
        operation = operation_request(request, tool, arguments)
        match = resolve(operation.path_info, urlconf=operation.urlconf)
    except ArgumentError as exc:
        response = json_error(400, "invalid", str(exc))
    except Resolver404:
        response = json_error(404, "not_found", "Nothing is served at this path.")
    else:
        try:
            response = match.func(operation, *match.args, **match.kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        except Exception as exc:  # answered as the HTTP handler answers it
            response = failed_operation(operation, exc)
    return ToolOutcome(response.status_code, response.content.decode())


def failed_operation(operation: WSGIRequest, exc: Exception) -> HttpResponse:
    """The answer a REST request gets for an exception its view let through.

    DRF's handler has answered what it knows; what is left is answered as over HTTP: a lost
    database as the host middleware does (503), anything else by Django's handler (400 for
    a suspicious request such as too many query parameters, 500 otherwise), each with the
    JSON error views of the plugin's urlconf and nothing of the exception's own text.
    """
    if is_database_outage(exc):
        logger.error("database unreachable", exc_info=exc)
        return database_unavailable()
    return response_for_exception(operation, exc)


def mcp_tool_fields(tool: Tool) -> dict:
    """The tool as tools/list shows it (wire names)."""
    return copy.deepcopy(
        {
            "name": tool.name,
            "title": tool.title,
            "description": tool.description,
            "inputSchema": tool.input_schema,
            "outputSchema": tool.output_schema,
            "annotations": {"title": tool.title, **tool.annotations},
        }
    )
