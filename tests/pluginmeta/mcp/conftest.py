"""A live production server for the MCP tests, and the official MCP SDK client pointed at it."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest
import requests
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.conftest import NOAUTH_HOST, OAUTH_HOST, SERVICE_HOST, SPORTS_HOST, USER_HOST
from tests.pluginmeta.conftest import PASSWORD
from tests.server import (
    manage_shell,
    migrate,
    running_server,
    scratch_database,
    server_env,
)

MODES = ["auto", "legacy"]


class LoopbackTransport(httpx2.AsyncBaseTransport):
    """Sends requests for *.localhost names to 127.0.0.1; the Host header keeps the name.

    The SDK's HTTP stack resolves names through getaddrinfo, which does not know *.localhost
    on every machine (browsers and curl map those names themselves).
    """

    def __init__(self) -> None:
        self._inner = httpx2.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.host.endswith("localhost"):
            request.url = request.url.copy_with(host="127.0.0.1")
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def loopback_client(**kwargs) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=LoopbackTransport(), timeout=60, **kwargs)


def run_client(
    url: str,
    action: Callable[[Client], Awaitable[Any]],
    mode: str = "auto",
    headers: dict[str, str] | None = None,
    auth: httpx2.Auth | None = None,
    **client_options,
) -> Any:
    """Connects the SDK's Client to url over Streamable HTTP and returns action(client)."""

    async def session() -> Any:
        async with loopback_client(headers=headers, auth=auth, **client_options) as http:
            transport = streamable_http_client(url, http_client=http)
            async with Client(transport, mode=mode, cache=None) as client:
                return await action(client)

    return asyncio.run(session())


@dataclass
class LiveServer:
    """The running server: its port, and the credentials made for the tests."""

    port: int
    env: dict[str, str]
    service_key: str = ""
    user_keys: dict[str, str] = field(default_factory=dict)
    oauth_token: str = ""

    def credentials(self, host: str) -> dict[str, str]:
        """The Authorization header that admits a call on host (alice's, where a user is asked)."""
        key = {
            SERVICE_HOST: self.service_key,
            USER_HOST: self.user_keys.get("alice", ""),
            OAUTH_HOST: self.oauth_token,
        }.get(host)
        return {"Authorization": f"Bearer {key}"} if key else {}

    def origin(self, host: str) -> str:
        return f"http://{host}:{self.port}"

    def mcp_url(self, host: str) -> str:
        return f"{self.origin(host)}/mcp"

    def rest(self, method: str, host: str, path: str, **kwargs) -> requests.Response:
        """A REST call to host, sent to 127.0.0.1 with the Host header."""
        headers = {"Host": f"{host}:{self.port}", **kwargs.pop("headers", {})}
        url = f"http://127.0.0.1:{self.port}{path}"
        return requests.request(method, url, headers=headers, timeout=30, **kwargs)

    def post_mcp(self, host: str, body, **headers) -> requests.Response:
        """A raw POST to /mcp, for what the SDK client would never send."""
        base = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        data = body if isinstance(body, str | bytes) else None
        return self.rest(
            "POST",
            host,
            "/mcp",
            headers={**base, **headers},
            data=data,
            json=None if data is not None else body,
        )


def command_output(env: dict[str, str], *args: str) -> str:
    """The last stdout line of a management command run against the server's database."""
    code = f"from django.core.management import call_command; call_command(*{args!r})"
    return manage_shell(env, code).strip().splitlines()[-1]


@pytest.fixture(scope="session")
def live(tmp_path_factory) -> LiveServer:
    """One server (granian, 2 workers) on a fresh database with demo data, keys and users."""
    tmp_path = tmp_path_factory.mktemp("mcp-server")
    with scratch_database(tmp_path) as database_url:
        # A short list limit, so a test can fill a list (and still outgrow the text block).
        env = server_env(database_url, API_THROTTLE_RATE="off", TODO_MAX_ITEMS_PER_LIST="100")
        migrate(env)
        command_output(env, "load_sportstats_demo")
        manage_shell(
            env,
            "from django.contrib.auth import get_user_model; User = get_user_model()\n"
            f"[User.objects.create_user(name, password={PASSWORD!r}) for name in ('alice', 'bob')]",
        )
        server = LiveServer(port=0, env=env)
        server.service_key = command_output(env, "plugin_service_key", SERVICE_HOST)
        for name in ("alice", "bob"):
            server.user_keys[name] = command_output(
                env, "plugin_user_key", name, "--host", USER_HOST
            )
        with running_server(env, workers=2, output=tmp_path / "server.log") as base:
            server.port = int(base.rsplit(":", 1)[1])
            issued = manage_shell(env, mcp_token_code(server.mcp_url(OAUTH_HOST)))
            server.oauth_token = issued.strip().splitlines()[-1]
            yield server


def mcp_token_code(resource: str) -> str:
    """Code for manage.py shell that issues alice a token for resource and prints it."""
    return (
        "import secrets; from datetime import timedelta\n"
        "from django.contrib.auth import get_user_model; from django.utils import timezone\n"
        "from oauth2_provider.models import AccessToken, get_application_model\n"
        "from pluginmeta.auth.oauth.services import register_client\n"
        "from pluginmeta.models import Plugin\n"
        "client = register_client(Plugin.objects.get(slug='todo-oauth'), "
        "['https://chatgpt.com/connector/oauth/mcp-tests'])\n"
        "token = AccessToken.objects.create(user=get_user_model().objects.get(username='alice'), "
        "application=get_application_model().objects.get(client_id=client.client_id), "
        "token=secrets.token_urlsafe(30), expires=timezone.now() + timedelta(hours=2), "
        f"scope='todos', resource=[{resource!r}])\n"
        "print(token.token, end='')"
    )


__all__ = [
    "MODES",
    "NOAUTH_HOST",
    "OAUTH_HOST",
    "PASSWORD",
    "SERVICE_HOST",
    "SPORTS_HOST",
    "USER_HOST",
]
