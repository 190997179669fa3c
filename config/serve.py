"""The production server: granian serving config.asgi, each setting read from the environment.

    python -m config.serve

granian reads request heads in its Rust runtime, and config.asgi reads each body in the
event loop, so Django runs only complete requests: clients that send their head or body
slowly, or stop, hold no Django thread (docs/performance.md, "Body buffering in the
production server").
"""

import os
import sys

from granian import Granian
from granian.constants import Interfaces, Loops
from granian.http import HTTP1Settings
from granian.log import LogLevels

from config.ports import busy_port_message


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def server(host: str, port: int) -> Granian:
    workers = env_int("WEB_CONCURRENCY", os.cpu_count() or 1)
    return Granian(
        "config.asgi:application",
        # The application has nothing to start or stop, so no lifespan events.
        interface=Interfaces.ASGINL,
        websockets=False,
        # The standard library's loop, whatever else is installed (uvloop comes with the
        # bench extras): the measured figures in docs/performance.md are for this one.
        loop=Loops.asyncio,
        address=host,
        port=port,
        workers=workers,
        http1_settings=HTTP1Settings(
            header_read_timeout=env_int("WEB_HEADER_TIMEOUT_SECONDS", 10) * 1000
        ),
        # A worker that crashes is replaced; one stuck past the timeout at shutdown is killed.
        respawn_failed_workers=True,
        workers_kill_timeout=env_int("WEB_SHUTDOWN_TIMEOUT", 30),
        log_access=os.environ.get("WEB_ACCESS_LOG", "1") != "0",
        log_level=LogLevels(os.environ.get("WEB_LOG_LEVEL", "info")),
    )


def main() -> int:
    host = os.environ.get("HOST", "0.0.0.0")  # noqa: S104 - a server in a container
    port = env_int("PORT", 8000)
    # granian's own bind failure is a Rust panic with a 70-line backtrace.
    message = busy_port_message(host, port, "PORT={port} python -m config.serve")
    if message:
        print(message, file=sys.stderr)
        return 1
    server(host, port).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
