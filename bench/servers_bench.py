"""granian against gunicorn, serving this project with 2 workers each, in one run.

For each server and database: todo GET, todo POST and manifest throughput and p99 (wrk),
resident memory per worker after the load, the slowest of 10 normal requests while 8
clients hold half-sent headers, and what a graceful restart (SIGHUP) during load costs.
Needs wrk (Debian package `wrk`).

    .venv/bin/python bench/servers_bench.py [--seconds 5] [--db sqlite postgres]
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from http_bench import (
    POST_LUA,
    PROJECT,
    bench_arguments,
    each_database,
    interleaved_wrk,
    manage,
    seed,
    server_command,
    server_env,
    servers_running,
)

PG_NAME = "aips_bench_servers"
FIRST_PORT = 8770
SLOW_CLIENTS = 8

# name, server, extra environment
# Both with their production logging: gunicorn.conf.py and config/serve.py log every request.
SERVERS: list[tuple[str, str, dict[str, str]]] = [
    ("gunicorn sync", "gunicorn", {}),
    ("granian, 1 thread", "granian", {"WEB_THREADS": "1", "WEB_ACCESS_LOG": "1"}),
    ("granian, 2 threads", "granian", {"WEB_THREADS": "2", "WEB_ACCESS_LOG": "1"}),
]


def worker_rss_mb(master: int) -> list[float]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def slowest_request_beside_slow_clients(port: int) -> str:
    """The slowest of 10 GETs while SLOW_CLIENTS connections hold half-sent headers."""
    held = []
    for _ in range(SLOW_CLIENTS):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"GET /todos/bench HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        held.append(sock)
    time.sleep(0.5)
    slowest = 0.0
    try:
        for _ in range(10):
            started = time.monotonic()
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/todos/bench", headers={"Host": "localhost"}
            )
            try:
                urllib.request.urlopen(request, timeout=10).read()
            except OSError:
                return "timed out (10 s)"
            slowest = max(slowest, time.monotonic() - started)
    finally:
        for sock in held:
            sock.close()
    return f"{slowest * 1000:.0f} ms"


def restart_under_load(master: int, port: int, seconds: int) -> str:
    """wrk on todo GET while the master gets SIGHUP; the requests that failed."""
    timer = threading.Timer(1.0, os.kill, (master, signal.SIGHUP))
    timer.start()
    cmd = ["wrk", "-t2", "-c8", f"-d{seconds}s", "-H", "Host: localhost",
           f"http://127.0.0.1:{port}/todos/bench"]  # fmt: skip
    output = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    timer.join()
    errors = [line.strip() for line in output.splitlines() if "errors" in line or "Non-2xx" in line]
    return "; ".join(errors) or "none"


def bench(label: str, database_url: str, args) -> dict[str, dict]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "0",
        "API_THROTTLE_RATE": "100000000/min",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    manage(env, "migrate", "--noinput", "-v0")
    seed(env)
    ports = {name: FIRST_PORT + index for index, (name, _server, _extra) in enumerate(SERVERS)}
    servers = [
        (name, ports[name], server_command(server, ports[name], 2),
         {**env, **server_env(server, ports[name], 2), **extra}, PROJECT)
        for name, server, extra in SERVERS
    ]  # fmt: skip
    with servers_running(f"servers-{label}", servers, "/healthz") as processes:
        rows = interleaved_wrk(
            ports,
            [
                ("GET", "/todos/bench", None),
                ("POST", "/todos/post0", POST_LUA),
                ("manifest", "/.well-known/ai-plugin.json", None),
            ],
            args.rounds,
            args.seconds,
            8,
        )
        for name, port in ports.items():
            rows[name]["rss"] = worker_rss_mb(processes[name].pid)
            rows[name]["slow"] = slowest_request_beside_slow_clients(port)
            rows[name]["restart"] = restart_under_load(processes[name].pid, port, 8)
            print(f"  {label} {name}: {rows[name]}", file=sys.stderr)
    return rows


def main() -> None:
    args = bench_arguments(__doc__, seconds=4).parse_args()
    for label, url in each_database(args, "servers-bench"):
        rows = bench(label, url, args)
        print(
            f"\n## {label}: 2 workers each, wrk -t2 -c8 -d{args.seconds}s, "
            f"median of {args.rounds} interleaved rounds\n"
        )
        print(
            "| server | GET req/s | GET p99 ms | POST req/s | POST p99 ms | manifest req/s "
            "| RSS per worker MB | slowest GET beside 8 slow clients | errors in a SIGHUP restart |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---|---|")
        for name, r in rows.items():
            rss = "/".join(f"{size:.0f}" for size in r["rss"])
            print(
                f"| {name} | {r['GET']['rps']:.0f} | {r['GET']['p99']:.1f} "
                f"| {r['POST']['rps']:.0f} | {r['POST']['p99']:.1f} | {r['manifest']['rps']:.0f} "
                f"| {rss} | {r['slow']} | {r['restart']} |"
            )


if __name__ == "__main__":
    main()
