"""Turns a plugin's auth type into DRF authentication, permission and the owner of the data."""

from functools import cache

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission

from pluginmeta.auth.bearer import ServiceKeyAuthentication, UserKeyAuthentication
from pluginmeta.auth.oauth.authentication import OAuthAuthentication
from pluginmeta.models import Plugin

AuthType = Plugin.AuthType

# The DRF authentication of each auth type that takes a credential.
AUTH_BACKENDS: dict[str, type[BaseAuthentication]] = {
    AuthType.SERVICE_HTTP: ServiceKeyAuthentication,
    AuthType.USER_HTTP: UserKeyAuthentication,
    AuthType.OAUTH: OAuthAuthentication,
}


@cache
def backend_for(auth_type: str) -> BaseAuthentication | None:
    """The authentication of an auth type; None for a type this server does not know."""
    backend = AUTH_BACKENDS.get(auth_type)
    return backend() if backend is not None else None


class PluginAuthentication(BaseAuthentication):
    """Authenticates a request the way its plugin's auth type demands."""

    def authenticate(self, request):
        plugin = request.plugin
        if plugin.auth_type == AuthType.NONE:
            return None
        backend = backend_for(plugin.auth_type)
        if backend is None:
            raise exceptions.AuthenticationFailed(
                f"Authentication of type {plugin.auth_type} is not available on this server."
            )
        return backend.authenticate(request)

    def authenticate_header(self, request) -> str | None:
        auth_type = request.plugin.auth_type
        if auth_type == AuthType.NONE:
            return None
        # The type's own challenge may name the error (RFC 6750: error="invalid_token").
        backend = backend_for(auth_type)
        header = backend.authenticate_header(request) if backend is not None else None
        return header or 'Bearer realm="api"'


class PluginPermission(BasePermission):
    """No-auth plugins are open; every other auth type needs a credential that authenticated."""

    def has_permission(self, request, view) -> bool:
        if request.plugin.auth_type == AuthType.NONE:
            return True
        return request.auth is not None


# Auth types where no end user signs in (nobody, or one shared service): the data is the
# plugin's, shared, or named by the path.
SHARED_OWNER_TYPES = frozenset({AuthType.NONE.value, AuthType.SERVICE_HTTP.value})
# The owner of a plugin's shared data, for APIs whose path names no owner.
SHARED_OWNER = ""


def resolve_owner(request, claimed_owner: str) -> str:
    """The owner whose data this request may touch; refuses a path name that is not the caller's."""
    plugin = request.plugin
    if plugin.auth_type in SHARED_OWNER_TYPES:
        return claimed_owner
    username = request.user.get_username() if request.user else ""
    if not username or username != claimed_owner:
        raise exceptions.PermissionDenied("You can only access your own data.")
    return username


def caller_owner(request) -> str:
    """The owner of the data an API without an owner in its path reads and writes.

    The signed-in caller on user_http and oauth plugins (each user sees only their own data);
    SHARED_OWNER, one corpus per plugin, on none and service_http plugins.
    """
    if request.plugin.auth_type in SHARED_OWNER_TYPES:
        return SHARED_OWNER
    username = request.user.get_username() if request.user else ""
    if not username:
        raise exceptions.NotAuthenticated()
    return username
