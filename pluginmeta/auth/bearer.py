"""DRF authentication of the two key auth types: a service key or a user key as a bearer token."""

from django.contrib.auth.models import AnonymousUser
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication

from pluginmeta.auth.services import (
    InvalidCredential,
    bearer_token,
    check_service_key,
    check_user_key,
)


class InvalidKey(exceptions.AuthenticationFailed):
    """A key was sent after "Bearer" but it is not a key of this plugin."""

    status_code = status.HTTP_401_UNAUTHORIZED
    # One answer whatever is wrong with it, so a caller learns nothing about which keys exist.
    default_detail = "The key is not valid for this plugin."
    default_code = "invalid_key"


def sends_a_key(authorization: str) -> bool:
    """Whether the header is "Bearer <one word>": a key was sent, well-formed or not."""
    scheme, space, rest = authorization.partition(" ")
    one_word = bool(rest) and not any(char.isspace() for char in rest)
    return scheme.lower() == "bearer" and bool(space) and one_word


class BearerKeyAuthentication(BaseAuthentication):
    """Base for key auth: subclasses check the token against their kind of key."""

    def check(self, plugin, token: str):
        raise NotImplementedError

    def authenticate(self, request):
        authorization = request.META.get("HTTP_AUTHORIZATION")
        if authorization is None:
            return None  # DRF then answers 401 not_authenticated with WWW-Authenticate.
        try:
            return self.check(request.plugin, bearer_token(authorization))
        except InvalidCredential as exc:
            if sends_a_key(authorization):
                raise InvalidKey() from None
            # No key at all, or another scheme: say how to send one.
            raise exceptions.AuthenticationFailed(str(exc)) from None

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class ServiceKeyAuthentication(BearerKeyAuthentication):
    """Accepts only "Authorization: Bearer <service key>" with the key of this request's plugin."""

    def check(self, plugin, token: str):
        key = check_service_key(plugin, token)
        # The caller is ChatGPT acting for the plugin, not a user of ours.
        return AnonymousUser(), key


class UserKeyAuthentication(BearerKeyAuthentication):
    """Accepts "Authorization: Bearer <user key>" for a key issued on this request's plugin."""

    def check(self, plugin, token: str):
        key = check_user_key(plugin, token)
        return key.user, key
