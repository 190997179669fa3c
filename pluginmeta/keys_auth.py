"""What the two key auth types share: reading the bearer header and answering 401."""

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from pluginmeta.keys import InvalidCredential, bearer_token


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
            raise exceptions.AuthenticationFailed(str(exc)) from None

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
