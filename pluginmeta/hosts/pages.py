"""Django's session, sign-in and messages middleware, run for the pages people click through.

The session, the signed-in user and messages serve the admin and the OAuth sign-in,
consent and authorized-apps pages, all under PLUGIN_SERVER["PAGE_PATH_PREFIXES"].
Everything else a plugin host serves (its API, /mcp, the manifest, the spec, the token and
registration endpoints) authenticates each request by its headers and neither reads nor sets
a cookie, so there these layers only cost time (docs/performance.md).
tests/pluginmeta/hosts/test_pages.py checks that every view outside the prefixes is
CSRF-exempt, i.e. relies on no cookie.

Each class is Django's own, so the admin's checks still find it; only its __call__ passes a
request for anything but a page straight on. CSRF and CommonMiddleware stay on every
request: CSRF still refuses a cookie-less POST to any view that is not exempt, wherever it
is, and CommonMiddleware gives every response its Content-Length.
"""

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.contrib.messages import middleware as messages_middleware
from django.contrib.sessions import middleware as sessions_middleware
from django.http import HttpRequest, HttpResponse


def is_page(request: HttpRequest) -> bool:
    return request.path_info.startswith(settings.PLUGIN_SERVER["PAGE_PATH_PREFIXES"])


class PagesOnly:
    """Runs the middleware it is mixed into for page requests; others go straight on."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_page(request):
            return super().__call__(request)
        return self.get_response(request)


class SessionMiddleware(PagesOnly, sessions_middleware.SessionMiddleware):
    pass


class AuthenticationMiddleware(PagesOnly, auth_middleware.AuthenticationMiddleware):
    pass


class MessageMiddleware(PagesOnly, messages_middleware.MessageMiddleware):
    pass
