"""Turns a plugin's auth type into DRF authentication, permission and the owner of the data."""

from functools import cache

from django.http import HttpRequest
from django.utils.module_loading import import_string
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission

from pluginmeta.models import Plugin

AuthType = Plugin.AuthType

# One DRF authentication class per auth type that takes a credential; each lives in its own
# module of pluginmeta so the types stay independent.
AUTH_BACKENDS: dict[str, str] = {
    AuthType.SERVICE_HTTP: "pluginmeta.service_auth.ServiceKeyAuthentication",
    AuthType.USER_HTTP: "pluginmeta.user_auth.UserKeyAuthentication",
    AuthType.OAUTH: "pluginmeta.oauth.OAuthAuthentication",
}


@cache
def backend_for(auth_type: str) -> BaseAuthentication | None:
    try:
        return import_string(AUTH_BACKENDS[auth_type])()
    except (KeyError, ImportError):
        return None


def plugin_of(request: HttpRequest) -> Plugin:
    return request.plugin


class PluginAuthentication(BaseAuthentication):
    """Authenticates a request the way its plugin's auth type demands."""

    def authenticate(self, request):
        plugin = plugin_of(request)
        if plugin.auth_type == AuthType.NONE:
            return None
        backend = backend_for(plugin.auth_type)
        if backend is None:
            raise exceptions.AuthenticationFailed(
                f"Authentication of type {plugin.auth_type} is not available on this server."
            )
        return backend.authenticate(request)

    def authenticate_header(self, request) -> str | None:
        auth_type = plugin_of(request).auth_type
        if auth_type == AuthType.NONE:
            return None
        # The type's own challenge may name the error (RFC 6750: error="invalid_token").
        backend = backend_for(auth_type)
        header = backend.authenticate_header(request) if backend is not None else None
        return header or 'Bearer realm="api"'


class PluginPermission(BasePermission):
    """No-auth plugins are open; every other auth type needs a credential that authenticated."""

    def has_permission(self, request, view) -> bool:
        if plugin_of(request).auth_type == AuthType.NONE:
            return True
        return request.auth is not None


# Auth types where the path names the owner: nobody, or one shared service, signs in.
PATH_NAMES_OWNER = frozenset({AuthType.NONE.value, AuthType.SERVICE_HTTP.value})


def resolve_owner(request, claimed_owner: str) -> str:
    """The owner whose data this request may touch; refuses a path name that is not the caller's."""
    plugin = plugin_of(request)
    if plugin.auth_type in PATH_NAMES_OWNER:
        return claimed_owner
    username = request.user.get_username() if request.user else ""
    if not username or username != claimed_owner:
        raise exceptions.PermissionDenied("You can only access your own data.")
    return username


def openapi_security(plugin: Plugin, origin: str = "") -> tuple[dict, list]:
    """securitySchemes and the security requirement for this plugin's generated spec."""
    if plugin.auth_type in {AuthType.SERVICE_HTTP, AuthType.USER_HTTP}:
        return {"bearerAuth": {"type": "http", "scheme": "bearer"}}, [{"bearerAuth": []}]
    if plugin.auth_type == AuthType.OAUTH:
        return _oauth_security(plugin, origin)
    return {}, []


def _oauth_security(plugin: Plugin, origin: str) -> tuple[dict, list]:
    from oauth2_provider.settings import oauth2_settings

    scopes = plugin.oauth_scope.split()
    flow = {
        "authorizationUrl": f"{origin}/oauth",
        "tokenUrl": f"{origin}/auth/oauth_exchange",
        "refreshUrl": f"{origin}/auth/oauth_exchange",
        "scopes": {scope: oauth2_settings.SCOPES.get(scope, scope) for scope in scopes},
    }
    scheme = {"type": "oauth2", "flows": {"authorizationCode": flow}}
    return {"oauth2": scheme}, [{"oauth2": scopes}]


def manifest_auth(plugin: Plugin, origin: str) -> dict:
    """The manifest's "auth" object, as the plugin manifest spec defines it for each type."""
    if plugin.auth_type == AuthType.SERVICE_HTTP:
        # The token exists only after the key was entered in ChatGPT; until then none is listed.
        tokens = {"openai": plugin.verification_token} if plugin.verification_token else {}
        return {
            "type": "service_http",
            "authorization_type": plugin.authorization_type or "bearer",
            "verification_tokens": tokens,
        }
    if plugin.auth_type == AuthType.USER_HTTP:
        return {"type": "user_http", "authorization_type": plugin.authorization_type or "bearer"}
    if plugin.auth_type == AuthType.OAUTH:
        return {
            "type": "oauth",
            "client_url": f"{origin}/oauth",
            "scope": plugin.oauth_scope,
            "authorization_url": f"{origin}/auth/oauth_exchange",
            "authorization_content_type": "application/json",
            "verification_tokens": {"openai": plugin.verification_token},
        }
    return {"type": "none"}
