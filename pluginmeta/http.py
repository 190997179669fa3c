"""What a request tells about itself: the origin it was sent to and the client's address."""

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

_DRF_IDENTITY = BaseThrottle()


def request_origin(request: HttpRequest) -> str:
    """scheme://host[:port] from the proxy-aware scheme and the ALLOWED_HOSTS-validated host."""
    return f"{request.scheme}://{request.get_host()}"


def client_address(request: HttpRequest) -> str:
    """The client's address, read as DRF's throttles read it.

    REMOTE_ADDR; behind REST_FRAMEWORK["NUM_PROXIES"] trusted proxies, the X-Forwarded-For
    entry the nearest of them added. NUM_PROXIES is an integer: DRF reads None as "trust the
    whole X-Forwarded-For header".
    """
    return _DRF_IDENTITY.get_ident(request)
