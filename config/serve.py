"""The production server: granian serving config.wsgi, each setting read from the environment.

    python -m config.serve

granian reads and buffers every request in its Rust runtime and hands Django only complete
ones, so clients that send their headers slowly hold no Python thread (bench/RESULTS.md
compares it with gunicorn).
"""

import os

from granian import Granian
from granian.constants import Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def server() -> Granian:
    workers = env_int("WEB_CONCURRENCY", os.cpu_count() or 1)
    threads = env_int("WEB_THREADS", 1)
    return Granian(
        "config.wsgi:application",
        interface=Interfaces.WSGI,
        address=os.environ.get("HOST", "0.0.0.0"),  # noqa: S104 - a server in a container
        port=env_int("PORT", 8000),
        workers=workers,
        # One Django thread per process by default, as with gunicorn's sync workers: the
        # throttle's per-process leases and caches are written for processes.
        blocking_threads=threads,
        http1_settings=HTTP1Settings(
            header_read_timeout=env_int("WEB_HEADER_TIMEOUT_SECONDS", 10) * 1000
        ),
        # A worker that crashes is replaced; one stuck past the timeout at shutdown is killed.
        respawn_failed_workers=True,
        workers_kill_timeout=env_int("WEB_SHUTDOWN_TIMEOUT", 30),
        log_access=os.environ.get("WEB_ACCESS_LOG", "1") != "0",
        log_level=LogLevels(os.environ.get("WEB_LOG_LEVEL", "info")),
    )


if __name__ == "__main__":
    server().serve()
