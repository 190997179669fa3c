"""This project's todo GET and POST against its peers, in one run, on SQLite and Postgres.

The peers (bench/peers/) serve the same wire contract for GET and POST /todos/{username},
2 workers each, each under the servers its users would pick:
- django-ninja (Django + django-ninja, lean): granian's WSGI interface (its defaults, and
  with 1 thread like the project) and gunicorn (sync workers);
- FastAPI + SQLAlchemy (sync endpoints, a session per request): uvicorn and granian's ASGI
  interface.
Each server has a fresh database of its own (a SQLite file, or a Postgres database on one
server), seeded alike and ANALYZEd: every list read has 20 items, POSTs go to 50 lists that
start with 20 items. wrk (1 thread, 16 connections) visits the servers in turn, round after
round, and each figure is the median of the rounds (CPU µs: the server's CPU time per
request, which other load moves less than req/s); ours is compared with the best peer of
each cell. --ours NAME VAR=VALUE... also serves the project with other settings, or from
another checkout (CHECKOUT=path, a git worktree at an older commit, say), for a
before-and-after in the same run. All servers stay up through the run, each holding its
Postgres connections (ours one per Django thread, the peers' pools as they grow): past
Postgres' max_connections (100 by default) requests fail, which the non-2xx column shows.
Needs wrk and the `bench` extra (pip install -e ".[bench]").

    .venv/bin/python bench/peers_bench.py [--seconds 4] [--rounds 3] [--db sqlite postgres]
        [--ours before CHECKOUT=/path/to/worktree] [--ours threads WEB_THREADS=2]
"""

import os
import secrets
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

from http_bench import (
    ANALYZE_ON_POSTGRES,
    POST_LUA,
    PROJECT,
    bench_arguments,
    interleaved_wrk,
    scratch_database,
    server_command,
    server_env,
    servers_running,
)

PEERS = PROJECT / "bench" / "peers"
PG_NAME = "aips_bench_peers"
FIRST_PORT = 8790
# Every seed makes the same lists: "bench" to read, post0..post49 to append to.
OWNERS = 'owners = ["bench"] + [f"post{n}" for n in range(50)]\n'
# Each seed ends with ANALYZE on Postgres, which autovacuum would run in production (this
# machine's Postgres runs without it). A server whose connections prepare their statements
# before the table has statistics keeps plans made for an empty table: the first server
# started used to measure 5x slower than the same code started after it.
OURS_SEED = (
    OWNERS
    + """
from pluginmeta.models import Plugin
from todos.models import Todo
plugin = Plugin.objects.get(slug="todo")
Todo.objects.filter(plugin=plugin).delete()
Todo.objects.bulk_create(
    [Todo(plugin=plugin, owner=o, text=f"item {i}") for o in owners for i in range(20)]
)
"""
    + ANALYZE_ON_POSTGRES
)
NINJA_SEED = (
    OWNERS
    + """
from ninja_todo.models import Todo
Todo.objects.all().delete()
Todo.objects.bulk_create([Todo(owner=o, text=f"item {i}") for o in owners for i in range(20)])
"""
    + ANALYZE_ON_POSTGRES
)
FASTAPI_SEED = (
    OWNERS
    + """
from datetime import UTC, datetime
from sqlalchemy import delete, text
from sqlalchemy.orm import Session
from fastapi_todo import Base, Todo, engine
Base.metadata.create_all(engine)
with Session(engine) as session:
    session.execute(delete(Todo))
    now = datetime.now(UTC)
    session.add_all(
        [Todo(owner=o, text=f"item {i}", created_at=now) for o in owners for i in range(20)]
    )
    session.commit()
if engine.dialect.name == "postgresql":
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
"""
)


def python(code_or_args: list[str], env: dict[str, str], cwd: Path) -> None:
    # What the seeds print is a log, not a result.
    subprocess.run([sys.executable, *code_or_args], cwd=cwd, env=env, check=True, stdout=sys.stderr)


def granian(interface: str, target: str, port: int, *options: str) -> list[str]:
    return [sys.executable, "-m", "granian", "--interface", interface, "--workers", "2",
            *options, "--host", "127.0.0.1", "--port", str(port), "--no-ws",
            "--log-level", "warning", target]  # fmt: skip


def ninja(env: dict[str, str], port: int, server: str) -> tuple[list[str], dict, Path]:
    env = {**env, "DJANGO_SETTINGS_MODULE": "ninja_todo.settings", "PYTHONPATH": str(PEERS)}
    python(["-m", "django", "migrate", "--run-syncdb", "-v0"], env, PEERS)
    python(["-m", "django", "shell", "-c", NINJA_SEED], env, PEERS)
    if server == "gunicorn":
        command = [sys.executable, "-m", "gunicorn", "ninja_todo.wsgi", "-w", "2",
                   "-b", f"127.0.0.1:{port}", "--log-level", "warning"]  # fmt: skip
    elif server == "granian-1":
        # The project's own thread count (WEB_THREADS' default).
        command = granian("wsgi", "ninja_todo.wsgi:application", port, "--blocking-threads", "1")
    else:
        command = granian("wsgi", "ninja_todo.wsgi:application", port)
    return command, env, PEERS


def fastapi(env: dict[str, str], port: int, server: str) -> tuple[list[str], dict, Path]:
    env = {**env, "PYTHONPATH": str(PEERS)}
    python(["-c", FASTAPI_SEED], env, PEERS)
    if server == "uvicorn":
        command = [sys.executable, "-m", "uvicorn", "fastapi_todo:app", "--workers", "2",
                   "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
                   "--log-level", "warning"]  # fmt: skip
    else:
        command = granian("asgi", "fastapi_todo:app", port)
    return command, env, PEERS


def ours(env: dict[str, str], port: int, variant: dict[str, str]) -> tuple[list[str], dict, Path]:
    extra = dict(variant)
    # CHECKOUT=path serves another checkout of the project (a git worktree at another commit).
    checkout = Path(extra.pop("CHECKOUT", PROJECT))
    python(["manage.py", "migrate", "--noinput", "-v0"], env, checkout)
    python(["manage.py", "shell", "-c", OURS_SEED], env, checkout)
    env = {**env, **server_env("granian", port, 2), **extra}
    return server_command("granian", port, 2), env, checkout


# (name, key of its database, how to seed it and the command that serves it, argument)
PEER_SERVERS = [
    ("django-ninja (granian WSGI)", "ninja_granian", ninja, "granian"),
    ("django-ninja (granian WSGI, 1 thread)", "ninja_granian1", ninja, "granian-1"),
    ("django-ninja (gunicorn)", "ninja_gunicorn", ninja, "gunicorn"),
    ("FastAPI + SQLAlchemy (uvicorn)", "fastapi_uvicorn", fastapi, "uvicorn"),
    ("FastAPI + SQLAlchemy (granian ASGI)", "fastapi_granian", fastapi, "granian"),
]


def bench(label: str, args) -> dict[str, dict]:
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "0",
        "API_THROTTLE_RATE": "100000000/min",
        # Every POST of a run lands in 50 lists; none may fill up and answer 409 instead.
        "TODO_MAX_ITEMS_PER_LIST": "100000000",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    entries = [("ours", "ours", ours, {})]
    for index, (name, *assignments) in enumerate(args.ours):
        variant = dict(assignment.split("=", 1) for assignment in assignments)
        entries.append((f"ours {name}", f"ours{index}", ours, variant))
    entries += PEER_SERVERS
    with ExitStack() as stack:
        servers = []
        for index, (name, key, prepare, argument) in enumerate(entries):
            url = stack.enter_context(scratch_database(label, f"{PG_NAME}_{key}"))
            port = FIRST_PORT + index
            command, server_env_, cwd = prepare({**env, "DATABASE_URL": url}, port, argument)
            servers.append((name, port, command, server_env_, cwd))
        with servers_running(f"peers-{label}", servers, "/todos/bench") as processes:
            return interleaved_wrk(
                {name: port for name, port, *_rest in servers},
                [("GET", "/todos/bench", None), ("POST", "/todos/post0", POST_LUA)],
                args.rounds,
                args.seconds,
                args.connections,
                pids={name: process.pid for name, process in processes.items()},
                threads=args.threads,
            )


def main() -> None:
    parser = bench_arguments(__doc__, seconds=4)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk's threads")
    parser.add_argument(
        "--ours",
        action="append",
        nargs="+",
        default=[],
        metavar="NAME [VAR=VALUE ...]",
        help="also serve the project with these environment variables (CHECKOUT=path: "
        "from another checkout)",
    )
    args = parser.parse_args()
    (PROJECT / "bench" / "out").mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    for label in args.db:
        results = bench(label, args)
        print(
            f"\n## {label}: 2 workers each, wrk -t{args.threads} -c{args.connections} "
            f"-d{args.seconds}s, median of {args.rounds} interleaved rounds "
            f"(load average before: {load[0]:.2f}, after: {os.getloadavg()[0]:.2f})\n"
        )
        print(
            "| server | GET req/s | GET p99 ms | GET CPU µs | POST req/s | POST p99 ms "
            "| POST CPU µs | non-2xx |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, r in results.items():
            get, post = r["GET"], r["POST"]
            print(
                f"| {name} | {get['rps']:.0f} | {get['p99']:.2f} | {get['cpu_us']:.0f} "
                f"| {post['rps']:.0f} | {post['p99']:.2f} | {post['cpu_us']:.0f} "
                f"| {get['non2xx'] + post['non2xx']} |"
            )
        peers = [name for name, *_rest in PEER_SERVERS]
        print()
        for operation in ("GET", "POST"):
            best = max(peers, key=lambda peer: results[peer][operation]["rps"])
            for name in results:
                if name.startswith("ours"):
                    ratio = results[name][operation]["rps"] / results[best][operation]["rps"]
                    print(f"{name} / best peer, {operation} ({best}): {ratio:.2f}x (goal >= 1.5x)")


if __name__ == "__main__":
    main()
