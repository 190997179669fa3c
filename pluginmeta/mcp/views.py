"""/mcp: host routing and REST authentication first, then the SDK's Streamable HTTP handler."""

import json
from http import HTTPStatus

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.views import APIView

from pluginmeta.mcp.auth import MCPAuthentication
from pluginmeta.mcp.origin import is_allowed_origin

# JSON-RPC's code for a request that is not acceptable as sent.
INVALID_REQUEST = -32600
# Headers of the SDK's answer that a WSGI response may carry (hop-by-hop ones may not).
HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length"})


class ForeignOrigin(exceptions.PermissionDenied):
    default_detail = "Requests from this Origin are not accepted."
    default_code = "forbidden_origin"


def as_json_rpc_error(status: int, body: bytes) -> bytes:
    """A refusal the SDK wrote as plain text (bad Content-Type, Accept...), as JSON-RPC."""
    message = body.decode("utf-8", "replace").strip() or HTTPStatus(status).phrase
    error = {"code": INVALID_REQUEST, "message": message}
    return json.dumps({"jsonrpc": "2.0", "id": None, "error": error}).encode()


class MCPView(APIView):
    """The plugin's MCP server: stateless Streamable HTTP, one JSON answer per POST."""

    authentication_classes = [MCPAuthentication]
    # A tool call is counted by its operation's own view, exactly like the REST call it is.
    throttle_classes = []

    def initial(self, request, *args, **kwargs) -> None:
        # Before authentication: a foreign page learns nothing, not even whether it needs a key.
        if not is_allowed_origin(request):
            raise ForeignOrigin()
        # Kept before authentication, which may parse (and so consume) the body stream.
        self.raw_body = request._request.body
        super().initial(request, *args, **kwargs)

    @extend_schema(exclude=True)  # MCP, not part of the plugin's REST API
    def post(self, request) -> HttpResponse:
        # The SDK takes seconds to import: loaded by the first MCP request, not by every worker
        # at its first REST request.
        from pluginmeta.mcp.bridge import serve_mcp
        from pluginmeta.mcp.server import server_for

        answer = serve_mcp(server_for(request.plugin), request, self.raw_body)
        headers = {k: v for k, v in answer.headers if k.lower() not in HOP_BY_HOP}
        body = answer.body
        if answer.status >= 400 and not headers.get("content-type", "").startswith(
            "application/json"
        ):
            body = as_json_rpc_error(answer.status, body)
            headers["content-type"] = "application/json"
        response = HttpResponse(body, status=answer.status)
        for name, value in headers.items():
            response[name] = value
        return response
