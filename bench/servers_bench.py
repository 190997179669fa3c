"""The ways of serving this project side by side, 2 workers each, in one run.

gunicorn; granian's WSGI interface on config.wsgi; the production server (granian's ASGI
interface on config.asgi, which reads bodies in the event loop); and granian's ASGI interface
on asgiref's WsgiToAsgi and on Django's own ASGI handler (bench/server_targets.py).

For each server and database: todo GET, todo POST and manifest throughput, p99 (wrk) and
the servers' CPU time per request,
resident memory per worker after the load, the slowest of 10 normal requests while 8
clients hold half-sent headers, the same while 50 clients trickle a POST body and 10 send
none after the head, whether those 10 were cut off within 12 s, and what a graceful restart
(SIGHUP) during load costs. Needs wrk (Debian package `wrk`).

    .venv/bin/python bench/servers_bench.py [--seconds 5] [--db sqlite postgres]
"""

import contextlib
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
SLOW_BODIES = 50
SILENT_BODIES = 10
# How long after the head a silent body may hold its connection before it counts as kept.
SILENT_BODY_GRACE = 12

OPERATIONS: dict[str, tuple[str, str | None]] = {
    "GET": ("/todos/bench", None),
    "POST": ("/todos/post0", POST_LUA),
    "manifest": ("/.well-known/ai-plugin.json", None),
}

# name, server, extra environment; "granian" is the production server (config/serve.py),
# "granian:<interface>:<target>" granian's command line with the production's settings.
# All with their production logging: an access line per request.
SERVERS: list[tuple[str, str, dict[str, str]]] = [
    ("gunicorn sync", "gunicorn", {}),
    ("granian WSGI, config.wsgi", "granian:wsgi:config.wsgi:application", {}),
    ("granian ASGI, config.asgi (production)", "granian", {"WEB_ACCESS_LOG": "1"}),
    ("granian ASGI, asgiref WsgiToAsgi", "granian:asginl:bench.server_targets:wsgi_to_asgi", {}),
    ("granian ASGI, Django ASGIHandler", "granian:asginl:bench.server_targets:django_asgi", {}),
]


def granian_cli(interface: str, target: str, port: int) -> list[str]:
    """granian's command line with the settings config/serve.py gives the production server."""
    return [sys.executable, "-m", "granian", "--interface", interface, "--workers", "2",
            "--blocking-threads", "1", "--host", "127.0.0.1", "--port", str(port),
            "--http1-header-read-timeout", "10000", "--no-ws", "--respawn-failed-workers",
            "--workers-kill-timeout", "30", "--access-log", "--log-level", "warning",
            target]  # fmt: skip


def command_and_env(server: str, port: int) -> tuple[list[str], dict[str, str]]:
    if server.startswith("granian:"):
        _, interface, target = server.split(":", 2)
        return granian_cli(interface, target, port), {}
    return server_command(server, port, 2), server_env(server, port, 2)


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


def slowest_request_beside_slow_bodies(port: int) -> tuple[str, str]:
    """The slowest of 10 GETs while SLOW_BODIES connections send a POST body a byte a second
    and SILENT_BODIES send none after the head; and how many of the silent ones the server
    had answered or closed SILENT_BODY_GRACE seconds after they opened."""
    head = (
        b"POST /todos/slowbody HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n"
    )
    opened = time.monotonic()
    trickling, silent = [], []
    for _ in range(SLOW_BODIES):
        trickling.append(socket.create_connection(("127.0.0.1", port)))
        trickling[-1].sendall(head + b"{")
    for _ in range(SILENT_BODIES):
        silent.append(socket.create_connection(("127.0.0.1", port)))
        silent[-1].sendall(head)
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(1.0):
            for sock in trickling:
                with contextlib.suppress(OSError):
                    sock.sendall(b" ")

    trickler = threading.Thread(target=trickle, daemon=True)
    trickler.start()
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
                slowest = float("inf")
                break
            slowest = max(slowest, time.monotonic() - started)
        time.sleep(max(0.0, opened + SILENT_BODY_GRACE - time.monotonic()))
        cut_off = []
        for sock in silent:
            sock.setblocking(False)
            try:
                answer = sock.recv(64)
                cut_off.append(answer[9:12].decode() if answer else "closed")
            except BlockingIOError:
                pass
    finally:
        stop.set()
        trickler.join()
        for sock in trickling + silent:
            sock.close()
    probes = "timed out (10 s)" if slowest == float("inf") else f"{slowest * 1000:.0f} ms"
    statuses = ", ".join(sorted(set(cut_off)))
    return probes, f"{len(cut_off)}/{SILENT_BODIES}" + (f" ({statuses})" if cut_off else "")


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
        # Every POST of a run lands in 50 lists; none may fill up and answer 409 instead.
        "TODO_MAX_ITEMS_PER_LIST": "100000000",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    manage(env, "migrate", "--noinput", "-v0")
    seed(env)
    ports = {name: FIRST_PORT + index for index, (name, _server, _extra) in enumerate(SERVERS)}
    servers = []
    for name, server, extra in SERVERS:
        command, server_vars = command_and_env(server, ports[name])
        servers.append((name, ports[name], command, {**env, **server_vars, **extra}, PROJECT))
    with servers_running(f"servers-{label}", servers, "/healthz") as processes:
        rows = interleaved_wrk(
            ports,
            [(op, *OPERATIONS[op]) for op in OPERATIONS],
            args.rounds,
            args.seconds,
            8,
            {name: process.pid for name, process in processes.items()},
        )
        for name, port in ports.items():
            rows[name]["rss"] = worker_rss_mb(processes[name].pid)
            rows[name]["slow"] = slowest_request_beside_slow_clients(port)
            rows[name]["slow body"], rows[name]["silent body"] = slowest_request_beside_slow_bodies(
                port
            )
            rows[name]["restart"] = restart_under_load(processes[name].pid, port, 8)
            print(f"  {label} {name}: {rows[name]}", file=sys.stderr)
    return rows


def main() -> None:
    args = bench_arguments(__doc__, seconds=4).parse_args()
    # Stopped with SIGTERM, the run still stops its servers and drops its database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    for label, url in each_database(args, "servers-bench", PG_NAME):
        rows = bench(label, url, args)
        print(
            f"\n## {label}: 2 workers each, wrk -t2 -c8 -d{args.seconds}s, "
            f"median of {args.rounds} interleaved rounds\n"
        )
        print("| server | " + " | ".join(f"{op} req/s | {op} CPU µs/req | {op} p99 ms"
                                        for op in OPERATIONS) + " |")  # fmt: skip
        print("|---" + "|---:" * 3 * len(OPERATIONS) + "|")
        for name, r in rows.items():
            cells = [
                f"{r[op]['rps']:.0f} | {r[op]['cpu_us']:.0f} | {r[op]['p99']:.1f}"
                for op in OPERATIONS
            ]
            print(f"| {name} | " + " | ".join(cells) + " |")
        print(
            "\n| server | RSS per worker MB | slowest GET beside 8 slow heads "
            f"| slowest GET beside {SLOW_BODIES} slow bodies + {SILENT_BODIES} silent "
            f"| silent bodies cut off within {SILENT_BODY_GRACE} s "
            "| errors in a SIGHUP restart |"
        )
        print("|---|---:|---|---|---|---|")
        for name, r in rows.items():
            rss = "/".join(f"{size:.0f}" for size in r["rss"])
            print(
                f"| {name} | {rss} | {r['slow']} | {r['slow body']} | {r['silent body']} "
                f"| {r['restart']} |"
            )


if __name__ == "__main__":
    main()
