"""This project's todo GET and POST against two peers, in one run, on SQLite and Postgres.

The peers (bench/peers/) serve the same wire contract for GET and POST /todos/{username}
on the same database, each as its own documentation recommends, 2 workers each:
- django-ninja (Django + django-ninja, lean): under the same WSGI server as the project;
- FastAPI + SQLAlchemy (sync endpoints, a session per request): under uvicorn workers.
Every list read has 20 items; POSTs go to 50 lists that start with 20 items. Needs wrk and
the `bench` extra (pip install -e ".[bench]").

    .venv/bin/python bench/peers_bench.py [--seconds 8] [--db sqlite postgres]
        [--server granian|gunicorn]
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from http_bench import (
    ANALYZE_ON_POSTGRES,
    POST_LUA,
    PROJECT,
    bench_arguments,
    each_database,
    interleaved_wrk,
    server_command,
    server_env,
    servers_running,
)

PEERS = PROJECT / "bench" / "peers"
PG_NAME = "aips_bench_peers"
PORTS = {"ours": 8767, "ninja": 8768, "fastapi": 8769}
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
    subprocess.run([sys.executable, *code_or_args], cwd=cwd, env=env, check=True)


def contenders(args, env: dict[str, str]) -> list[tuple[str, int, list[str], dict[str, str], Path]]:
    """(name, port, command, environment, working directory) of each server, its data seeded."""
    ours_env = {**env, **server_env(args.server, PORTS["ours"], 2)}
    python(["manage.py", "migrate", "--noinput", "-v0"], env, PROJECT)
    python(["manage.py", "shell", "-c", OURS_SEED], env, PROJECT)

    ninja_env = {**env, "DJANGO_SETTINGS_MODULE": "ninja_todo.settings", "PYTHONPATH": str(PEERS)}
    python(["-m", "django", "migrate", "--run-syncdb", "-v0"], ninja_env, PEERS)
    python(["-m", "django", "shell", "-c", NINJA_SEED], ninja_env, PEERS)
    if args.server == "granian":
        # The same server and threads as the project (config/serve.py, default 1 thread).
        threads = os.environ.get("WEB_THREADS", "1")
        ninja_cmd = [sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", "2",
                     "--blocking-threads", threads, "--host", "127.0.0.1",
                     "--port", str(PORTS["ninja"]), "--log-level", "warning",
                     "ninja_todo.wsgi:application"]  # fmt: skip
    else:
        ninja_cmd = [sys.executable, "-m", "gunicorn", "ninja_todo.wsgi", "-w", "2",
                     "-b", f"127.0.0.1:{PORTS['ninja']}", "--log-level", "warning"]  # fmt: skip

    fastapi_env = {**env, "PYTHONPATH": str(PEERS)}
    python(["-c", FASTAPI_SEED], fastapi_env, PEERS)
    fastapi_cmd = [sys.executable, "-m", "uvicorn", "fastapi_todo:app", "--workers", "2",
                   "--host", "127.0.0.1", "--port", str(PORTS["fastapi"]), "--no-access-log",
                   "--log-level", "warning"]  # fmt: skip
    ours_cmd = server_command(args.server, PORTS["ours"], 2)
    return [
        (f"ours ({args.server})", PORTS["ours"], ours_cmd, ours_env, PROJECT),
        (f"django-ninja ({args.server})", PORTS["ninja"], ninja_cmd, ninja_env, PEERS),
        ("FastAPI + SQLAlchemy (uvicorn)", PORTS["fastapi"], fastapi_cmd, fastapi_env, PEERS),
    ]


def bench(label: str, database_url: str, args) -> dict[str, dict]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "0",
        "API_THROTTLE_RATE": "100000000/min",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    servers = contenders(args, env)
    with servers_running(f"peers-{label}", servers, "/todos/bench"):
        return interleaved_wrk(
            {name: port for name, port, *_rest in servers},
            [("GET", "/todos/bench", None), ("POST", "/todos/post0", POST_LUA)],
            args.rounds,
            args.seconds,
            args.connections,
        )


def main() -> None:
    parser = bench_arguments(__doc__, seconds=4)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--server", choices=["granian", "gunicorn"], default="granian")
    args = parser.parse_args()
    for label, url in each_database(args, "peers-bench"):
        results = bench(label, url, args)
        print(
            f"\n## {label}: 2 workers each, wrk -t2 -c{args.connections} -d{args.seconds}s, "
            f"median of {args.rounds} interleaved rounds\n"
        )
        print("| server | GET req/s | GET p99 ms | POST req/s | POST p99 ms | non-2xx |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, r in results.items():
            print(
                f"| {name} | {r['GET']['rps']:.0f} | {r['GET']['p99']:.2f} "
                f"| {r['POST']['rps']:.0f} | {r['POST']['p99']:.2f} "
                f"| {r['GET']['non2xx'] + r['POST']['non2xx']} |"
            )
        ours, *peers = results
        print()
        for peer in peers:
            for operation in ("GET", "POST"):
                ratio = results[ours][operation]["rps"] / results[peer][operation]["rps"]
                print(f"ours / {peer}, {operation}: {ratio:.2f}x (goal >= 1.5x)")


if __name__ == "__main__":
    main()
