"""The MCP SDK's OAuth client provider, with a user who signs in and allows in the "browser"."""

import anyio
from mcp.client.auth import OAuthClientProvider
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientMetadata

from tests.helpers.browser import sign_in_and_approve
from tests.pluginmeta.conftest import query_of

CALLBACK = "http://127.0.0.1:9/callback"


class MemoryStorage:
    """The SDK's TokenStorage, kept in memory; the test reads the tokens from it."""

    def __init__(self) -> None:
        self.tokens = None
        self.client_info = None

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens) -> None:
        self.tokens = tokens

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, client_info) -> None:
        self.client_info = client_info


class SigningInUser:
    """The person at the browser: signs in as username and presses Allow.

    origin is where the pages' relative redirects lead (the plugin's host, or the host it is
    reached on by path).
    """

    def __init__(self, origin: str, username: str) -> None:
        self.origin = origin
        self.username = username
        self.callback = ""
        self.authorization_urls: list[str] = []

    async def open(self, authorization_url: str) -> None:
        self.authorization_urls.append(authorization_url)
        self.callback = await anyio.to_thread.run_sync(
            sign_in_and_approve, self.origin, authorization_url, self.username
        )

    async def redirected(self) -> AuthorizationCodeResult:
        assert self.callback.startswith(CALLBACK + "?")
        params = query_of(self.callback)
        return AuthorizationCodeResult(
            code=params["code"], state=params["state"], iss=params["iss"]
        )


def sdk_oauth_provider(
    server_url: str, origin: str, username: str = "alice"
) -> tuple[OAuthClientProvider, MemoryStorage, SigningInUser]:
    """The SDK's provider for the MCP server at server_url: discovery, registration as a
    public client, PKCE and the token exchange, with username approving in the browser."""
    user = SigningInUser(origin, username)
    storage = MemoryStorage()
    provider = OAuthClientProvider(
        server_url=server_url,
        client_metadata=OAuthClientMetadata(
            client_name="SDK test client",
            redirect_uris=[CALLBACK],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
        ),
        storage=storage,
        redirect_handler=user.open,
        callback_handler=user.redirected,
    )
    return provider, storage, user
