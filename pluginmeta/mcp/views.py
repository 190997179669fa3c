"""/mcp: host routing and REST authentication first, then the SDK's Streamable HTTP handler."""

import json
import logging
from http import HTTPStatus
from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.parsers import BaseParser
from rest_framework.views import APIView

from pluginmeta.api.errors import JSON_RPC_SERVICE_UNAVAILABLE, is_database_outage
from pluginmeta.api.jsonbody import strict_loads
from pluginmeta.api.throttling import PluginRateThrottle
from pluginmeta.mcp.auth import MCPAuthentication
from pluginmeta.mcp.origin import is_allowed_origin

logger = logging.getLogger(__name__)

# JSON-RPC's code for a request that is not acceptable as sent.
INVALID_REQUEST = -32600
# Codes of the range JSON-RPC leaves to servers (-32000 to -32099) that MCP does not use:
# the caller is over its rate, and the database cannot be reached.
RATE_LIMITED = -32029
SERVICE_UNAVAILABLE = JSON_RPC_SERVICE_UNAVAILABLE
JSON_RPC_CODES = {429: RATE_LIMITED, 503: SERVICE_UNAVAILABLE}
# Headers of the SDK's answer that a WSGI response may carry (hop-by-hop ones may not).
HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length"})
# The SDK's refusal of a message it cannot validate quotes the message back.
SDK_VALIDATION_ERROR = "Validation error:"
NOT_A_MESSAGE = "Invalid Request: the body is not a JSON-RPC 2.0 request or notification."


class ForeignOrigin(exceptions.PermissionDenied):
    default_detail = "Requests from this Origin are not accepted."
    default_code = "forbidden_origin"


class UnreadBody(BaseParser):
    """Leaves the body to the SDK, which answers a malformed one with JSON-RPC's own errors.

    Authentication may look at request.data (django-oauth-toolkit does); with this parser
    that finds it empty instead of failing with the REST API's parse error.
    """

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None) -> dict:
        return {}


def json_rpc_error(status: int, code: int, message: str, request_id: Any = None) -> HttpResponse:
    error = {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}
    return HttpResponse(json.dumps(error), status=status, content_type="application/json")


def as_json_rpc_error(status: int, body: bytes) -> bytes:
    """A refusal the SDK wrote as plain text (bad Content-Type, Accept...), as JSON-RPC."""
    message = body.decode("utf-8", "replace").strip() or HTTPStatus(status).phrase
    error = {"code": INVALID_REQUEST, "message": message}
    return json.dumps({"jsonrpc": "2.0", "id": None, "error": error}).encode()


def parsed_message(body: bytes) -> Any:
    """The body's JSON, or None when it is not JSON (the SDK answers that with -32700)."""
    try:
        return strict_loads(body)
    except ValueError:
        return None


def is_valid_id(value: Any) -> bool:
    # MCP: a request id is a string or an integer, never null (JSON-RPC would allow it).
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def envelope_problem(message: Any) -> str | None:
    """Why message is not one JSON-RPC request or notification, or None if it may be one.

    The SDK would take a request with a null, fractional or object id for a notification
    and answer 202, and its refusal of a batch quotes the batch back; both are answered
    here with -32600 instead.
    """
    if isinstance(message, list):
        return "Invalid Request: batches are not accepted; send one message per request."
    if not isinstance(message, dict):
        return NOT_A_MESSAGE
    if message.get("jsonrpc") != "2.0":
        return 'Invalid Request: "jsonrpc" must be "2.0".'
    if "method" not in message and ("result" in message or "error" in message):
        return None  # a response to the server: the SDK's to judge
    if not isinstance(message.get("method"), str):
        return 'Invalid Request: "method" must be a string.'
    if "id" in message and not is_valid_id(message["id"]):
        return 'Invalid Request: "id" must be a string or an integer.'
    return None


def request_id_of(message: Any) -> Any:
    """The id to answer message with: its own when valid, else null."""
    if isinstance(message, dict) and is_valid_id(message.get("id")):
        return message["id"]
    return None


class MCPRateThrottle(PluginRateThrottle):
    """The REST API's count, for every MCP request, tool calls included.

    A tool call over the rate is let through: its operation reads the verdict (the request
    is counted once) and refuses as the REST call would, so the model reads a tool error.
    """

    def allow_request(self, request, view) -> bool:
        allowed = super().allow_request(request, view)
        message = getattr(view, "message", None)
        is_tool_call = isinstance(message, dict) and message.get("method") == "tools/call"
        return allowed or is_tool_call


class MCPView(APIView):
    """The plugin's MCP server: stateless Streamable HTTP, one JSON answer per POST."""

    authentication_classes = [MCPAuthentication]
    parser_classes = [UnreadBody]
    throttle_classes = [MCPRateThrottle]

    def initial(self, request, *args, **kwargs) -> None:
        # Before authentication: a foreign page learns nothing, not even whether it needs a key.
        if not is_allowed_origin(request):
            raise ForeignOrigin()
        # Kept before authentication, which may read the body stream.
        self.raw_body = request._request.body
        self.message = parsed_message(self.raw_body)
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc: Exception) -> HttpResponse:
        """DRF's answer; a lost database or a spent rate as a JSON-RPC error the client reads.

        Refusals of the caller (401, 403, 413) keep the REST API's shape and headers, which
        MCP clients act on by status; these two are the server's, and answer the request.
        """
        if is_database_outage(exc):
            logger.error("database unreachable", exc_info=exc)
        response = super().handle_exception(exc)
        code = JSON_RPC_CODES.get(response.status_code)
        if code is None:
            return response
        request_id = request_id_of(getattr(self, "message", None))
        detail = str(response.data.get("detail", "")) or HTTPStatus(response.status_code).phrase
        answer = json_rpc_error(response.status_code, code, detail, request_id)
        if "Retry-After" in response:
            answer["Retry-After"] = response["Retry-After"]
        return answer

    @extend_schema(exclude=True)  # MCP, not part of the plugin's REST API
    def post(self, request) -> HttpResponse:
        if self.message is not None and (problem := envelope_problem(self.message)):
            return json_rpc_error(400, INVALID_REQUEST, problem)
        # The SDK takes seconds to import: loaded by the first MCP request, not by every worker
        # at its first REST request.
        from pluginmeta.mcp.bridge import serve_mcp
        from pluginmeta.mcp.server import server_for

        answer = serve_mcp(server_for(request.plugin), request, self.raw_body)
        headers = {k: v for k, v in answer.headers if k.lower() not in HOP_BY_HOP}
        body = answer.body
        if answer.status >= 400:
            if not headers.get("content-type", "").startswith("application/json"):
                body = as_json_rpc_error(answer.status, body)
                headers["content-type"] = "application/json"
            elif SDK_VALIDATION_ERROR.encode() in body:
                body = json_rpc_error(answer.status, INVALID_REQUEST, NOT_A_MESSAGE).content
        response = HttpResponse(body, status=answer.status)
        for name, value in headers.items():
            response[name] = value
        return response
