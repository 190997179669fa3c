"""WSGI wrapper that hands Django chunked request bodies, which it would otherwise read as empty.

Django sizes every body by Content-Length, and a request sent with Transfer-Encoding:
chunked has none. Where the server has decoded the whole body and marks the input as ending
with it (wsgi.input_terminated: config.asgi, which also caps its size and answers a malformed
one), the body is read here and given to Django with its length. A server that cannot mark
the end (runserver) gets a 411, so the client can resend with Content-Length; a body is never
silently dropped.
"""

import io
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpResponse

from pluginmeta.api.errors import json_error

WSGIApp = Callable[[dict[str, Any], Callable], Iterable[bytes]]


def is_chunked(environ: dict[str, Any]) -> bool:
    codings = environ.get("HTTP_TRANSFER_ENCODING", "")
    return "chunked" in (coding.strip().lower() for coding in codings.split(","))


class ChunkedBodyMiddleware:
    """Sets CONTENT_LENGTH of a chunked body that the server has read whole, before Django
    sees the request."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if not is_chunked(environ):
            return self.app(environ, start_response)
        if not environ.get("wsgi.input_terminated"):
            return _answer(
                start_response,
                json_error(
                    411,
                    "length_required",
                    "This server cannot read chunked bodies; send Content-Length.",
                ),
            )
        body = environ["wsgi.input"].read()
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)


def _answer(start_response: Callable, response: HttpResponse) -> Iterable[bytes]:
    headers = [*response.items(), ("Content-Length", str(len(response.content)))]
    start_response(f"{response.status_code} {response.reason_phrase}", headers)
    return [response.content]
