"""DRF authentication for service_http plugins: the plugin's one service key as a bearer token."""

from django.contrib.auth.models import AnonymousUser
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from pluginmeta.keys import InvalidCredential, bearer_token, check_service_key


class ServiceKeyAuthentication(BaseAuthentication):
    """Accepts only "Authorization: Bearer <service key>" with the key of this request's plugin."""

    def authenticate(self, request):
        authorization = request.META.get("HTTP_AUTHORIZATION")
        if authorization is None:
            return None  # DRF then answers 401 not_authenticated with WWW-Authenticate.
        try:
            key = check_service_key(request.plugin, bearer_token(authorization))
        except InvalidCredential as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from None
        # The caller is ChatGPT acting for the plugin, not a user of ours.
        return AnonymousUser(), key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
