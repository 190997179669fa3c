"""Hands one /mcp request from the WSGI worker to the SDK's Streamable HTTP handler (ASGI).

Stateless and answering in JSON: every request carries all it needs, so any worker answers
any request and nothing outlives the request. A session manager runs once, so each request
gets its own.
"""

import logging
from dataclasses import dataclass, field

import anyio
from asgiref.sync import async_to_sync
from mcp.server.lowlevel.server import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

from pluginmeta.mcp.server import REQUEST_SCOPE_KEY

# The SDK logs a session's start and end at INFO, which here is every request.
for _name in ("mcp.server.streamable_http_manager", "mcp.server.streamable_http"):
    logging.getLogger(_name).setLevel(logging.WARNING)


@dataclass
class ASGIResponse:
    status: int = 500
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def asgi_scope(request, body: bytes) -> dict:
    """The ASGI http scope of a DRF request, carrying the request itself for the tools."""
    django_request = request._request
    meta = django_request.META
    headers = [(b"host", django_request.get_host().encode("latin-1"))]
    for key, value in meta.items():
        if key.startswith("HTTP_") and key != "HTTP_HOST":
            name = key[5:].replace("_", "-").lower()
            headers.append((name.encode("latin-1"), str(value).encode("latin-1")))
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if meta.get(key):
            headers.append((key.replace("_", "-").lower().encode(), meta[key].encode("latin-1")))
    server_port = int(meta.get("SERVER_PORT") or 80)
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": django_request.method,
        "scheme": request.scheme,
        "path": django_request.path_info,
        "raw_path": django_request.path_info.encode(),
        "root_path": "",
        "query_string": meta.get("QUERY_STRING", "").encode("latin-1"),
        "headers": headers,
        "client": (meta.get("REMOTE_ADDR", ""), 0),
        "server": (meta.get("SERVER_NAME", ""), server_port),
        "state": {},
        REQUEST_SCOPE_KEY: request,
    }


async def _serve(server: Server, scope: dict, body: bytes) -> ASGIResponse:
    response = ASGIResponse()
    delivered = False
    answered = anyio.Event()

    async def receive() -> dict:
        nonlocal delivered
        if delivered:
            # As a server does: the client is gone only once the answer is out.
            await answered.wait()
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            response.status = message["status"]
            response.headers = [
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, value in message.get("headers", [])
            ]
        elif message["type"] == "http.response.body":
            response.body += message.get("body", b"")
            if not message.get("more_body", False):
                answered.set()

    manager = StreamableHTTPSessionManager(server, json_response=True, stateless=True)
    async with manager.run():
        await manager.handle_request(scope, receive, send)
    return response


def serve_mcp(server: Server, request, body: bytes) -> ASGIResponse:
    """Runs one MCP HTTP exchange for request (a DRF request) and returns the SDK's answer."""
    return async_to_sync(_serve)(server, asgi_scope(request, body), body)
