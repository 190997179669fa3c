"""DRF authentication for user_http plugins: a user's own key for this plugin as a bearer token."""

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from pluginmeta.keys import InvalidCredential, bearer_token, check_user_key


class UserKeyAuthentication(BaseAuthentication):
    """Accepts "Authorization: Bearer <user key>" for a key issued on this request's plugin."""

    def authenticate(self, request):
        authorization = request.META.get("HTTP_AUTHORIZATION")
        if authorization is None:
            return None  # DRF then answers 401 not_authenticated with WWW-Authenticate.
        try:
            key = check_user_key(request.plugin, bearer_token(authorization))
        except InvalidCredential as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from None
        return key.user, key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
