"""A web host of MCP Apps, for the browser tests and the docs screenshots.

Its page (mcp_apps_host/host.html, with the official AppBridge) and the spec's sandbox proxy
(mcp_apps_host/sandbox.html) are served on two origins by one small server, whose backend
speaks to a plugin's real /mcp with the official SDK client: it reads the view and calls the
tool as a host does when the model calls it, and runs every tools/call the view sends through
the page, with the host's credentials (the view never sees them).
"""

import asyncio
import json
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mcp import Client
from mcp.client.extension import ClientExtension
from mcp.client.streamable_http import streamable_http_client
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID

from tests.pluginmeta.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.pluginmeta.mcp.conftest import command_output, loopback_client
from tests.retrieval.conftest import RETRIEVAL_HOST

HOST_FILES = Path(__file__).resolve().parent / "mcp_apps_host"
FILES = {
    "/host.html": ("host.html", "text/html; charset=utf-8"),
    "/ext-apps-host.js": ("ext-apps-host.js", "text/javascript; charset=utf-8"),
    "/sandbox.html": ("sandbox.html", "text/html; charset=utf-8"),
}


def retrieval_headers(live) -> dict[str, str]:
    """The Authorization header of a new key of alice's on the live server's retrieval host."""
    key = command_output(live.env, "plugin_user_key", "alice", "--host", RETRIEVAL_HOST)
    return {"Authorization": f"Bearer {key}"}


class UiExtension(ClientExtension):
    """What a host that renders MCP Apps advertises in its capabilities."""

    identifier = EXTENSION_ID

    def settings(self) -> dict[str, Any]:
        return {"mimeTypes": [APP_MIME_TYPE]}


def with_client(
    url: str, headers: dict[str, str], action: Callable[[Client], Awaitable[Any]]
) -> Any:
    """action(client) on a session of the SDK's Client with url, as a host that renders views."""

    async def session() -> Any:
        async with loopback_client(headers=headers) as http:
            transport = streamable_http_client(url, http_client=http)
            async with Client(transport, extensions=[UiExtension()], cache=None) as client:
                return await action(client)

    # In a thread of its own: Playwright's sync API keeps an event loop on the test's thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, session()).result()


def wire(model) -> dict:
    """An SDK model as it travels (camelCase names, nothing unset)."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


@dataclass
class Shown:
    """A tool call the model made and the view it is shown in, as the host read them."""

    tool: dict
    html: str
    resource_meta: dict
    tool_input: dict
    tool_result: dict


def model_call(url: str, headers: dict[str, str], name: str, arguments: dict) -> Shown:
    """What a host does when the model calls the tool name: find the tool's view in tools/list,
    read it with resources/read, and call the tool."""

    async def action(client: Client) -> Shown:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        uri = tools[name].meta["ui"]["resourceUri"]
        (contents,) = (await client.read_resource(uri)).contents
        result = await client.call_tool(name, arguments)
        assert not result.is_error, result.content
        return Shown(wire(tools[name]), contents.text, contents.meta or {}, arguments, wire(result))

    return with_client(url, headers, action)


def sandbox_policy(csp: dict) -> str:
    """The Content-Security-Policy a host puts on the view, from its _meta.ui.csp (the spec's
    construction: nothing beyond the declared origins)."""

    def origins(key: str) -> str:
        return " ".join(csp.get(key) or [])

    resources = origins("resourceDomains")
    frames = origins("frameDomains") or "'none'"
    bases = origins("baseUriDomains") or "'self'"
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src 'self' 'unsafe-inline' {resources}".strip(),
            f"style-src 'self' 'unsafe-inline' {resources}".strip(),
            f"connect-src 'self' {origins('connectDomains')}".strip(),
            f"img-src 'self' data: {resources}".strip(),
            f"font-src 'self' {resources}".strip(),
            f"media-src 'self' data: {resources}".strip(),
            f"frame-src {frames}",
            "object-src 'none'",
            f"base-uri {bases}",
        ]
    )


@dataclass
class AppsHost:
    """The host's server: its page on 127.0.0.1, the sandbox on localhost (another origin)."""

    mcp_url: str
    headers: dict[str, str]
    calls: list[dict] = field(default_factory=list)
    port: int = 0

    @property
    def host_origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sandbox_origin(self) -> str:
        return f"http://localhost:{self.port}"

    def call_tool(self, name: str, arguments: dict) -> dict:
        """A view's tools/call, run on the plugin's /mcp; the result as it travels."""
        self.calls.append({"name": name, "arguments": arguments})

        async def action(client: Client) -> dict:
            return wire(await client.call_tool(name, arguments))

        return with_client(self.mcp_url, self.headers, action)

    def __enter__(self) -> "AppsHost":
        host = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # the tests read what they assert, not logs
                pass

            def send(self, status: int, body: bytes, content_type: str, **headers) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path not in FILES:
                    self.send(404, b"not found", "text/plain")
                    return
                on_sandbox = self.headers["Host"].startswith("localhost:")
                if on_sandbox != (url.path == "/sandbox.html"):
                    # The page and the sandbox each on their own origin, as the spec asks.
                    self.send(404, b"not on this origin", "text/plain")
                    return
                name, content_type = FILES[url.path]
                extra = {}
                if url.path == "/sandbox.html":
                    csp = json.loads(parse_qs(url.query).get("csp", ["{}"])[0])
                    extra["Content_Security_Policy"] = sandbox_policy(csp)
                self.send(200, (HOST_FILES / name).read_bytes(), content_type, **extra)

            def do_POST(self) -> None:
                if self.path != "/tools/call" or self.headers["Host"].startswith("localhost:"):
                    self.send(404, b"not found", "text/plain")
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                result = host.call_tool(body["name"], body.get("arguments") or {})
                self.send(200, json.dumps(result).encode(), "application/json")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def show(self, page, shown: Shown, theme: str = "light"):
        """Loads the host page in page and shows the call in its view; the view's frame."""
        page.goto(f"{self.host_origin}/host.html")
        page.evaluate(
            "shown => render(shown)",
            {
                "tool": shown.tool,
                "html": shown.html,
                "resourceMeta": shown.resource_meta,
                "toolInput": shown.tool_input,
                "toolResult": shown.tool_result,
                "sandboxOrigin": self.sandbox_origin,
                "theme": theme,
            },
        )
        page.wait_for_function("window.viewReady === true", timeout=30_000)
        return page.frame_locator("#sandbox").frame_locator("iframe")


@contextmanager
def chromium_page(width: int = 720, scale: float = 2) -> Iterator[Any]:
    """A page of Debian's chromium (a fresh profile), width CSS pixels wide, through Playwright."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="aips-apps-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": width, "height": 900},
            device_scale_factor=scale,
        )
        try:
            yield context.new_page()
        finally:
            context.close()
