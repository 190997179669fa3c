"""HTTP benchmark: the production server (2 workers) driven by wrk, on SQLite and on Postgres.

Prints req/s and p50/p99 latency for the TODO operations, the Sport Stats endpoints (when the
app serves them) and a bare Django JsonResponse served by the same server in the same run,
plus the ratios the project aims for. Needs wrk (Debian package `wrk`).

    .venv/bin/python bench/http_bench.py [--seconds 8] [--connections 8] [--db sqlite postgres]
        [--server granian|gunicorn]
"""

import argparse
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psycopg

PROJECT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# BENCH_PG_NAME and BENCH_PORT let two benchmarks run side by side on one machine.
PG_NAME = os.environ.get("BENCH_PG_NAME", "aips_bench_http")

# Each request appends to one of 50 lists that start with 20 items, like the GET list; one
# list taking every POST would grow by thousands of items a run, and the todo_idx count
# grows with the list (docs/records/benchmarks.md measures that separately).
POST_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"todo": "benchmark item"}'
request = function()
  return wrk.format(nil, "/todos/post" .. math.random(0, 49))
end
"""
# Each request deletes the first item of one of 50 pre-filled lists, so lists stay non-empty.
DELETE_LUA = """
wrk.method = "DELETE"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"todo_idx": 0}'
request = function()
  return wrk.format(nil, "/todos/del" .. math.random(0, 49))
end
"""


ANALYZE_ON_POSTGRES = (
    "from django.db import connection\n"
    "if connection.vendor == 'postgresql':\n"
    "    connection.cursor().execute('ANALYZE')\n"
)


def run(cmd: list[str], env: dict[str, str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=PROJECT, env=env, check=True, **kw)


def manage(env: dict[str, str], *args: str) -> None:
    run([sys.executable, "manage.py", *args], env)


def seed(env: dict[str, str]) -> None:
    code = (
        "from pluginmeta.models import Plugin; from todos.models import Todo;"
        "p = Plugin.objects.get(slug='todo');"
        "Todo.objects.filter(plugin=p).delete();"
        "Todo.objects.bulk_create([Todo(plugin=p, owner='bench', text=f'item {i}') "
        "for i in range(20)]);"
        "Todo.objects.bulk_create([Todo(plugin=p, owner=f'post{n}', text=f'item {i}') "
        "for n in range(50) for i in range(20)]);"
        "Todo.objects.bulk_create([Todo(plugin=p, owner=f'del{n}', text=f'x{i}') "
        "for n in range(50) for i in range(4000)], batch_size=5000)"
    )
    manage(env, "shell", "-c", code)
    if (
        "load_sportstats_demo"
        in subprocess.run(
            [sys.executable, "manage.py", "help", "--commands"],
            cwd=PROJECT,
            env=env,
            capture_output=True,
            text=True,
        ).stdout.split()
    ):
        manage(env, "load_sportstats_demo", "-v0")
    # What autovacuum would do in production (this machine's Postgres runs without it):
    # statements prepared before the tables have statistics keep plans made for empty tables.
    manage(env, "shell", "-c", ANALYZE_ON_POSTGRES)


def parse_wrk(output: str) -> dict[str, float]:
    def millis(value: str) -> float:
        number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
        return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
    }
    for pct in ("50", "99"):
        result[f"p{pct}"] = millis(re.search(rf"\s{pct}%\s+(\S+)", output).group(1))
    statuses = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non2xx"] = int(statuses.group(1)) if statuses else 0
    return result


def wrk(
    url: str, host: str, seconds: int, connections: int, lua: str | None, threads: int = 2
) -> dict:
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-H",
        f"Host: {host}",
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua or "")
    cmd += ["-s", script.name, url]
    output = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    return parse_wrk(output)


def process_tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and all its descendants."""
    clock_ticks = os.sysconf("SC_CLK_TCK")
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / clock_ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return total


def interleaved_wrk(
    ports: dict[str, int],
    operations: list[tuple[str, str, str | None]],
    rounds: int,
    seconds: int,
    connections: int,
    pids: dict[str, int] | None = None,
    threads: int = 2,
) -> dict[str, dict[str, dict]]:
    """wrk on each (operation, path, lua script) against every server, round after round.

    The servers take turns within each round, so load from elsewhere on a shared machine
    falls on all of them alike; each figure is the median over the rounds. With the servers'
    pids, also the server's CPU time per request in µs ("cpu_us"), which other load on the
    machine moves far less than req/s.
    """
    runs: dict[str, dict[str, list[dict]]] = {name: {} for name in ports}
    for port in ports.values():
        for _operation, path, lua in operations:
            url = f"http://127.0.0.1:{port}{path}"
            wrk(url, "localhost", 1, connections, lua, threads)  # warm-up
    for _ in range(rounds):
        for operation, path, lua in operations:
            for name, port in ports.items():
                cpu_before = process_tree_cpu_seconds(pids[name]) if pids else 0.0
                url = f"http://127.0.0.1:{port}{path}"
                result = wrk(url, "localhost", seconds, connections, lua, threads)
                if pids:
                    cpu = process_tree_cpu_seconds(pids[name]) - cpu_before
                    result["cpu_us"] = cpu * 1e6 / max(result["requests"], 1)
                runs[name].setdefault(operation, []).append(result)
    return {
        name: {
            operation: {
                key: statistics.median(result[key] for result in results)
                for key in ("rps", "p50", "p99", "non2xx", "cpu_us")
                if key in results[0]
            }
            for operation, results in by_operation.items()
        }
        for name, by_operation in runs.items()
    }


ENDPOINTS: list[tuple[str, str, str, str | None]] = [
    ("raw JsonResponse", "localhost", "/bench/raw", None),
    ("raw + SELECT 1", "localhost", "/bench/raw-query", None),
    ("todo GET", "localhost", "/todos/bench", None),
    ("todo POST", "localhost", "/todos/post0", POST_LUA),
    ("todo DELETE", "localhost", "/todos/del0", DELETE_LUA),
    ("manifest", "localhost", "/.well-known/ai-plugin.json", None),
    ("sports teams", "sports.localhost", "/teams", None),
    ("sports players?query", "sports.localhost", "/players?query=an", None),
    ("sports games", "sports.localhost", "/games?seasons=2025&per_page=25", None),
    ("sports stats", "sports.localhost", "/stats?player_ids=1&per_page=25", None),
    ("sports averages", "sports.localhost", "/season_averages?player_ids=1&player_ids=2", None),
]


def server_command(server: str, port: int, workers: int) -> list[str]:
    """The command that serves the project on 127.0.0.1:port: granian (config/serve.py, the
    production server, on config.asgi) or gunicorn (gunicorn.conf.py, on config.wsgi) with
    the given number of processes."""
    if server == "granian":
        return [sys.executable, "-m", "config.serve"]
    return [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", str(workers), "-b",
            f"127.0.0.1:{port}", "--log-level", "warning"]  # fmt: skip


def server_env(server: str, port: int, workers: int) -> dict[str, str]:
    """What the command of server_command() reads from the environment."""
    if server == "granian":
        return {"HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": str(workers),
                "WEB_ACCESS_LOG": "0", "WEB_LOG_LEVEL": "warning"}  # fmt: skip
    return {}


def wait_until_up(port: int, path: str = "/healthz") -> None:
    for _ in range(150):
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", headers={"Host": "localhost"}
            )
            urllib.request.urlopen(request, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


def bench_database(label: str, database_url: str, args) -> list[tuple[str, dict]]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "0",
        "PLUGIN_BENCH_BASELINE": "1",
        # Counted like production, but high enough that wrk is never throttled.
        "API_THROTTLE_RATE": "100000000/min",
        # Every POST of a run lands in 50 lists; none may fill up and answer 409 instead.
        "TODO_MAX_ITEMS_PER_LIST": "100000000",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    manage(env, "migrate", "--noinput", "-v0")
    seed(env)
    port = args.port
    log = open(PROJECT / "bench" / "out" / f"{args.server}-{label}.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(
        server_command(args.server, port, args.workers),
        cwd=PROJECT,
        env={**env, **server_env(args.server, port, args.workers)},
        stdout=log,
        stderr=log,
    )
    results = []
    try:
        wait_until_up(port)
        for name, host, path, lua in ENDPOINTS:
            if args.only and not any(word in name for word in args.only):
                continue
            url = f"http://127.0.0.1:{port}{path}"
            wrk(url, host, 1, args.connections, lua)  # warm-up: connections, caches
            results.append((name, wrk(url, host, args.seconds, args.connections, lua)))
            print(f"  {label:8} {name:22} {results[-1][1]}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    return results


@contextmanager
def servers_running(
    label: str, servers: list[tuple[str, int, list[str], dict[str, str], Path]], probe: str
) -> Iterator[dict[str, subprocess.Popen]]:
    """Starts each (name, port, command, environment, working directory) and waits until
    it answers GET probe; yields the processes by name, and stops them all afterwards.
    Each server's output goes to bench/out/<label>-<port>.log."""
    processes: dict[str, subprocess.Popen] = {}
    with ExitStack() as stack:
        try:
            for name, port, command, env, cwd in servers:
                log = stack.enter_context(
                    open(PROJECT / "bench" / "out" / f"{label}-{port}.log", "wb")
                )
                processes[name] = subprocess.Popen(
                    command, cwd=cwd, env=env, stdout=log, stderr=log
                )
                wait_until_up(port, probe)
            yield processes
        finally:
            for process in processes.values():
                process.terminate()
                process.wait(timeout=60)


@contextmanager
def scratch_database(label: str, name: str) -> Iterator[str]:
    """The URL of a new, empty database: a SQLite file in bench/out, or a Postgres database
    (dropped again afterwards)."""
    if label == "sqlite":
        db_file = PROJECT / "bench" / "out" / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm", ".writelock"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        yield f"sqlite:///{db_file}"
        return
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def bench_arguments(doc: str, seconds: int, rounds: bool = True) -> argparse.ArgumentParser:
    """The options the wrk benchmarks share: seconds per run, rounds, the databases."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=seconds)
    if rounds:
        parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"])
    return parser


def each_database(
    args, sqlite_name: str, postgres_name: str = PG_NAME
) -> Iterator[tuple[str, str]]:
    """(label, URL) of a scratch database for each database of --db, dropped after its turn."""
    (PROJECT / "bench" / "out").mkdir(parents=True, exist_ok=True)
    for label in args.db:
        name = sqlite_name if label == "sqlite" else postgres_name
        with scratch_database(label, name) as url:
            yield label, url


def main() -> None:
    parser = bench_arguments(__doc__, seconds=8, rounds=False)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="server processes (the goal: 2)")
    parser.add_argument("--server", choices=["granian", "gunicorn"], default="granian")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("BENCH_PORT", "8765")), help="server port"
    )
    parser.add_argument(
        "--only", nargs="+", help="endpoints whose name contains one of these words (raw, todo...)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    for label, url in each_database(args, "http-bench"):
        results = dict(bench_database(label, url, args))
        print(
            f"\n## {label}: {args.server}, {args.workers} workers, "
            f"wrk -t2 -c{args.connections} -d{args.seconds}s\n"
        )
        print("| endpoint | req/s | p50 ms | p99 ms | non-2xx |")
        print("|---|---:|---:|---:|---:|")
        for name, r in results.items():
            print(f"| {name} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['non2xx']} |")
        rps = {name: r["rps"] for name, r in results.items()}
        print()
        if {"raw JsonResponse", "todo GET"} <= rps.keys():
            ratio = rps["todo GET"] / rps["raw JsonResponse"]
            print(f"todo GET / raw baseline = {ratio:.0%} (goal >= 90%)")
        if {"raw + SELECT 1", "todo GET"} <= rps.keys():
            ratio = rps["todo GET"] / rps["raw + SELECT 1"]
            print(f"todo GET / (raw + SELECT 1) = {ratio:.0%} (our overhead past one round trip)")
        if {"raw + SELECT 1", "raw JsonResponse"} <= rps.keys():
            ratio = rps["raw + SELECT 1"] / rps["raw JsonResponse"]
            print(f"(raw + SELECT 1) / raw = {ratio:.0%} (what one database round trip leaves)")
        if {"todo GET", "todo POST"} <= rps.keys():
            print(f"todo POST / todo GET = {rps['todo POST'] / rps['todo GET']:.0%} (goal >= 60%)")
        if label == "postgres":
            # PGOPTIONS="-c synchronous_commit=off" shows what the commit's WAL flush costs.
            print(f"Postgres synchronous_commit: {os.environ.get('PGOPTIONS') or 'on (default)'}")


if __name__ == "__main__":
    main()
