"""The production server's application: config.wsgi behind a body-buffering ASGI layer.

granian's WSGI interface lets Django read the request body itself, so a client that sends
its body slowly, or stops after the head, holds a Django thread for as long as it likes.
Here the event loop reads the whole body first, within WEB_BODY_TIMEOUT_SECONDS and a size
cap, and Django (the WSGI application, unchanged) only ever sees complete requests, in
WEB_THREADS threads per process. A body still incomplete at the deadline gets a 408, one
larger than the cap a 413; neither reaches Django.

    granian --interface asginl --no-ws config.asgi:application     (python -m config.serve)
"""

import asyncio
import io
import logging
import queue
import sys
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpResponse

from config.wsgi import application as wsgi_application
from pluginmeta.api.errors import json_error

logger = logging.getLogger(__name__)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
WSGIApp = Callable[[dict[str, Any], Callable], Iterable[bytes]]


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class BodyBroken(Exception):
    """granian reports a body it cannot decode as the client's disconnect."""


def body_limit(content_type: str, path: str = "") -> int | None:
    """The most bytes of body held in memory for a request: Django's DATA_UPLOAD_MAX_MEMORY_SIZE,
    or for a file upload (multipart, the admin's logos) FILE_UPLOAD_MAX_MEMORY_SIZE if larger,
    which Django itself would keep in memory too; a path of PLUGIN_SERVER["BODY_LIMITS"]
    (an API taking documents or files) has its own, where larger."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None:
        return None
    if content_type.startswith("multipart/form-data"):
        limit = max(limit, settings.FILE_UPLOAD_MAX_MEMORY_SIZE)
    return max(limit, settings.PLUGIN_SERVER.get("BODY_LIMITS", {}).get(path, 0))


async def read_body(receive: Receive, limit: int | None) -> bytes:
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise BodyBroken
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            raise BodyTooLarge(limit)
        parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts)


def wsgi_environ(scope: Scope, body: bytes) -> dict[str, Any]:
    """The WSGI environ granian's WSGI interface builds for the same request."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": "",
        # PEP 3333: the percent-decoded bytes of the path, as latin-1.
        "PATH_INFO": unquote_to_bytes(scope["raw_path"]).decode("latin-1"),
        "QUERY_STRING": scope["query_string"].decode("latin-1"),
        "SERVER_NAME": str(scope["server"][0]),
        "SERVER_PORT": str(scope["server"][1]),
        "REMOTE_ADDR": str(scope["client"][0]) if scope.get("client") else "",
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope["scheme"],
        "wsgi.input": io.BytesIO(body),
        # The whole body is here, so a chunked one can be read to its end.
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        value = raw_value.decode("latin-1")
        if name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[name] = value
            continue
        key = f"HTTP_{name}"
        if key in environ:
            # Repeated headers join with commas, except cookies, which cannot.
            value = f"{environ[key]}{';' if key == 'HTTP_COOKIE' else ','}{value}"
        environ[key] = value
    return environ


class Answer:
    """What a WSGI application returned: status, headers, and either the whole body or the
    iterator of a streaming one (a file), to be pulled chunk by chunk."""

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""
        self.stream: Iterator[bytes] | None = None
        self.closer: Callable[[], None] | None = None

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        self.status = int(status.split(" ", 1)[0])
        self.headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        return self._write

    def _write(self, data: bytes) -> None:
        # The legacy write() callable of PEP 3333: Django never uses it.
        self.body += data


def run_wsgi(app: WSGIApp, scope: Scope, body: bytes) -> Answer:
    """Runs app in the calling (Django) thread, reading a plain body to its end there; the
    environ is built there too, to leave the event loop's thread as little work as can be."""
    answer = Answer()
    result = app(wsgi_environ(scope, body), answer.start_response)
    if getattr(result, "streaming", False):
        answer.stream = iter(result)
        answer.closer = getattr(result, "close", None)
        return answer
    try:
        answer.body += b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return answer


def next_chunk(stream: Iterator[bytes]) -> bytes | None:
    return next(stream, None)


def error_answer(response: HttpResponse) -> Answer:
    answer = Answer()
    answer.status = response.status_code
    answer.headers = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in response.items()
    ]
    # The client is misbehaving or gone: it gets no second request on this connection.
    answer.headers.append((b"connection", b"close"))
    answer.body = response.content
    return answer


class DjangoThreads:
    """The threads Django runs in, fed by a queue; each result is handed to the event loop.

    Leaner than loop.run_in_executor (no concurrent.futures.Future, lock or callback chain per
    call), which shows at thousands of requests a second. Started on first use, in the worker
    process that serves.
    """

    def __init__(self, count: int) -> None:
        self.count = count
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.started = False
        self.starting = threading.Lock()

    def run(self, function: Callable[..., Any], *args: Any) -> asyncio.Future:
        if not self.started:
            self.start()
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.jobs.put((loop, future, function, args))
        return future

    def start(self) -> None:
        with self.starting:
            if self.started:
                return
            for number in range(self.count):
                threading.Thread(target=self.work, name=f"django-{number}", daemon=True).start()
            self.started = True

    def work(self) -> None:
        while True:
            loop, future, function, args = self.jobs.get()
            try:
                result = function(*args)
            except Exception as error:
                loop.call_soon_threadsafe(settle, future, None, error)
            else:
                loop.call_soon_threadsafe(settle, future, result, None)


def settle(future: asyncio.Future, result: Any, error: Exception | None) -> None:
    if future.cancelled():
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


class BufferedWSGI:
    """An ASGI application that reads each request body in the event loop, then runs the WSGI
    application on it in a pool of `threads` threads."""

    def __init__(self, app: WSGIApp, threads: int, body_timeout: float) -> None:
        self.app = app
        self.body_timeout = body_timeout
        self.threads = DjangoThreads(threads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
            return
        try:
            body = await self.body(scope, receive)
        except BodyBroken:
            # A malformed chunk or a client gone mid-body; if it is still there, it learns why.
            detail = "The request body is malformed or ended early."
            await self.respond(error_answer(json_error(400, "bad_request", detail)), send)
            return
        except BodyTooLarge as error:
            detail = f"The request body is larger than {error.limit} bytes."
            await self.respond(error_answer(json_error(413, "payload_too_large", detail)), send)
            return
        except TimeoutError:
            detail = f"The request body did not arrive within {self.body_timeout:g} seconds."
            await self.respond(error_answer(json_error(408, "request_timeout", detail)), send)
            return
        try:
            answer = await self.threads.run(run_wsgi, self.app, scope, body)
        except Exception:
            # Django answers its own errors; this is a failure around it, logged like one.
            logger.exception("The WSGI application failed")
            answer = error_answer(
                json_error(500, "server_error", "The server failed to handle this request.")
            )
        await self.respond(answer, send)

    async def body(self, scope: Scope, receive: Receive) -> bytes:
        content_type, declared_length, framed = "", 0, False
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value.decode("latin-1").lower()
            elif name == b"content-length":
                framed = True
                declared_length = int(value) if value.isdigit() else 0
            elif name == b"transfer-encoding":
                framed = True
        if not framed and scope["http_version"].startswith("1"):
            # HTTP/1 gives a request without either header no body (RFC 9112, 6.3); most
            # requests are such GETs, which then skip the wait below.
            return b""
        limit = body_limit(content_type, scope["path"])
        if limit is not None and declared_length > limit:
            raise BodyTooLarge(limit)
        async with asyncio.timeout(self.body_timeout):
            return await read_body(receive, limit)

    async def respond(self, answer: Answer, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": answer.status, "headers": answer.headers}
        )
        if answer.stream is None:
            await send({"type": "http.response.body", "body": answer.body})
            return
        try:
            if answer.body:
                await send({"type": "http.response.body", "body": answer.body, "more_body": True})
            while (chunk := await self.threads.run(next_chunk, answer.stream)) is not None:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            if answer.closer is not None:
                await self.threads.run(answer.closer)

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


application = BufferedWSGI(
    wsgi_application,
    threads=settings.WEB_THREADS,
    body_timeout=settings.WEB_BODY_TIMEOUT_SECONDS,
)
