"""Starts the production server (`python -m config.serve`) in a subprocess on its own database."""

import atexit
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import dj_database_url
import psycopg
import requests
from django.conf import settings

PROJECT_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def scratch_database(tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL for a new, empty database on the engine the tests run on."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        yield f"sqlite:///{tmp_path / 'server.sqlite3'}"
        return
    name = f"aips_e2e_{uuid.uuid4().hex[:12]}"
    params = {
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        auth = params["user"] + (f":{params['password']}" if params["password"] else "")
        yield f"postgres://{auth}@{params['host']}:{params['port']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_DEBUG="0",
        **extra,
    )
    return env


def manage_shell(env: dict[str, str], code: str) -> str:
    """Runs code with `manage.py shell -c` in env; its standard output."""
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout


def run_migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
        timeout=180,
    )


def migrate(env: dict[str, str]) -> None:
    """Brings env's database to the project's migrations.

    An empty database becomes a copy of one this test process migrated once: running the
    migrations takes seconds (tens on a busy Postgres), copying their result a fraction of
    one. A database that holds anything is migrated as it is.
    """
    config = dj_database_url.parse(env["DATABASE_URL"])
    with _templates_lock:
        if config["ENGINE"] == "django.db.backends.sqlite3":
            target = Path(config["NAME"])
            if target.exists() and target.stat().st_size > 0:
                run_migrate(env)
                return
            source = sqlite3.connect(_template_for(env, config))
            with closing(source), closing(sqlite3.connect(target)) as copy:
                source.backup(copy)
            return
        if config["ENGINE"] != "django.db.backends.postgresql" or _has_tables(config):
            run_migrate(env)
            return
        template = _template_for(env, config)
        with psycopg.connect(**_server_params(config), dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{config["NAME"]}" TEMPLATE "{template}"')


# Migrated databases to copy, one per database server, made on first use and removed when the
# test process ends.
_templates: dict[tuple, str] = {}
_templates_lock = threading.Lock()


def _server_params(config: dict) -> dict:
    return {
        "host": config.get("HOST") or "127.0.0.1",
        "port": config.get("PORT") or 5432,
        "user": config.get("USER") or "postgres",
        "password": config.get("PASSWORD") or None,
    }


def _has_tables(config: dict) -> bool:
    with psycopg.connect(**_server_params(config), dbname=config["NAME"]) as conn:
        row = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    return row[0] > 0


def _template_for(env: dict[str, str], config: dict) -> str:
    """The name of a freshly migrated database on config's server (a file for SQLite)."""
    if config["ENGINE"] == "django.db.backends.sqlite3":
        key: tuple = ("sqlite",)
    else:
        params = _server_params(config)
        key = (params["host"], params["port"], params["user"])
    if key in _templates:
        return _templates[key]
    if key == ("sqlite",):
        folder = Path(tempfile.mkdtemp(prefix="aips-migrated-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        name = str(folder / "migrated.sqlite3")
        run_migrate({**env, "DATABASE_URL": f"sqlite:///{name}"})
    else:
        name = f"aips_e2e_migrated_{uuid.uuid4().hex[:12]}"
        params = _server_params(config)
        with psycopg.connect(**params, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        atexit.register(_drop_database, params, name)
        auth = params["user"] + (f":{params['password']}" if params["password"] else "")
        run_migrate(
            {**env, "DATABASE_URL": f"postgres://{auth}@{params['host']}:{params['port']}/{name}"}
        )
    _templates[key] = name
    return name


def _drop_database(params: dict, name: str) -> None:
    with psycopg.connect(**params, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_command(
    server: str, port: int, workers: int, access_log: bool = False
) -> tuple[list[str], dict[str, str]]:
    """The command that serves the project on 127.0.0.1:port, and what it reads from the env:
    the production server (config/serve.py), or Django's development server for "runserver"."""
    if server == "runserver":
        return [sys.executable, "manage.py", "runserver", "--noreload", "--insecure",
                f"127.0.0.1:{port}"], {}  # fmt: skip
    if server != "granian":
        raise ValueError(f"unknown server {server!r}")
    env = {
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "WEB_ACCESS_LOG": "1" if access_log else "0",
        # granian writes its access lines at level info.
        "WEB_LOG_LEVEL": "info" if access_log else "warning",
        # Tests stop the server as soon as they are done with it.
        "WEB_SHUTDOWN_TIMEOUT": "5",
    }
    return [sys.executable, "-m", "config.serve"], env


@contextmanager
def running_server(
    env: dict[str, str],
    workers: int = 1,
    output: Path | None = None,
    server: str = "granian",
    access_log: bool = False,
) -> Iterator[str]:
    """The production server on a free port; yields its base URL.

    With output, the server's stdout and stderr go to that file, with an access line per
    request if access_log. Django's development server (what `make run` starts) serves with
    server="runserver".
    """
    port = free_port()
    sink = output.open("wb") if output else None
    command, server_env_vars = server_command(server, port, workers, access_log)
    process = subprocess.Popen(
        command,
        cwd=PROJECT_DIR,
        env={**env, **server_env_vars},
        stdout=sink,
        stderr=sink,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/healthz", timeout=5)
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        if sink:
            sink.close()


@contextmanager
def silent_listener() -> Iterator[int]:
    """A TCP port that accepts every connection and never sends a byte; yields the port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for sock in held:
            sock.close()
        server.close()
