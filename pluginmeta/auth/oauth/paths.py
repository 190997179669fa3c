"""Where the OAuth endpoints live on an oauth plugin host: one definition for URLs, manifest,
OpenAPI spec and metadata."""

AUTHORIZE_PATH = "/oauth"
TOKEN_PATH = "/auth/oauth_exchange"  # noqa: S105 - a path
AUTHORIZED_APPS_PATH = "/oauth/authorized"
REGISTER_PATH = "/oauth/register"
SERVER_METADATA_PATH = "/.well-known/oauth-authorization-server"
# Shows the code it receives: the redirect URI of the client README's local try-out registers.
CALLBACK_PATH = "/oauth/callback"


def route(url_path: str) -> str:
    """The path as Django's URL patterns write it, without the leading slash."""
    return url_path.removeprefix("/")
