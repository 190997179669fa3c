"""WSGI wrapper that hands Django chunked request bodies, which it would otherwise read as empty.

Django sizes every body by Content-Length, and a request sent with Transfer-Encoding:
chunked has none. Where the server decodes the chunks and marks the input as ending with the
body (wsgi.input_terminated, as gunicorn does), the body is read here, up to the size limit,
and given to Django with its length. A server that cannot mark the end (runserver) gets a 411,
so the client can resend with Content-Length; a body is never silently dropped.
"""

import io
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.http import HttpResponse

from pluginmeta.api.errors import json_error

WSGIApp = Callable[[dict[str, Any], Callable], Iterable[bytes]]


def is_chunked(environ: dict[str, Any]) -> bool:
    codings = environ.get("HTTP_TRANSFER_ENCODING", "")
    return "chunked" in (coding.strip().lower() for coding in codings.split(","))


class ChunkedBodyMiddleware:
    """Reads a chunked body into memory and sets CONTENT_LENGTH before Django sees the request."""

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
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        stream = environ["wsgi.input"]
        try:
            body = stream.read() if limit is None else stream.read(limit + 1)
        except Exception:
            # The server's own errors for a broken body (a bad chunk size, a cut connection),
            # whose classes belong to whichever server runs this.
            return _answer(
                start_response,
                json_error(400, "bad_request", "The chunked request body is malformed."),
            )
        if limit is not None and len(body) > limit:
            return _answer(
                start_response,
                json_error(
                    413, "payload_too_large", f"The request body is larger than {limit} bytes."
                ),
            )
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)


def _answer(start_response: Callable, response: HttpResponse) -> Iterable[bytes]:
    headers = [*response.items(), ("Content-Length", str(len(response.content)))]
    start_response(f"{response.status_code} {response.reason_phrase}", headers)
    return [response.content]
