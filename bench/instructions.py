"""Instructions per request, counted by valgrind's callgrind: repeatable on a noisy machine.

Runs Django's WSGI handler in-process (all middleware, host routing, DRF, the database) for
N and 3N requests of each path and prints (count(3N) - count(N)) / 2N, which removes start-up
and warm-up. Needs valgrind (Debian package) and a database with the demo rows, e.g. the
SQLite file bench/http_bench.py leaves in bench/out/.

    DATABASE_URL=sqlite:///bench/out/http-bench.sqlite3 .venv/bin/python \\
        bench/instructions.py /bench/raw /todos/bench POST:/todos/x sports.localhost/teams
"""

import argparse
import io
import os
import re
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def parse_target(target: str) -> tuple[str, str, str]:
    """ "POST:/todos/x" or "sports.localhost/teams" -> (method, host, path)."""
    method = "POST" if target.startswith("POST:") else "GET"
    target = target.removeprefix("POST:")
    if target.startswith("/"):
        return method, "localhost", target
    host, _, path = target.partition("/")
    return method, host, "/" + path


def serve(path: str, count: int) -> None:
    """The child: count requests of path through the WSGI handler, after 30 warm-up calls."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ["PLUGIN_BENCH_BASELINE"] = "1"
    os.environ.setdefault("API_THROTTLE_RATE", "100000000/min")
    os.environ["DJANGO_LOG_LEVEL"] = "ERROR"
    sys.path.insert(0, str(PROJECT))
    from config.wsgi import application

    method, host, path = parse_target(path)
    if method == "POST":
        # A list of its own for each run: the position count grows with the list, so runs
        # appending to one shared list would each pay for the ones before.
        path = f"{path}-{os.getpid()}"
    body = b'{"todo": "instruction count"}' if method == "POST" else b""
    for _ in range(30 + count):
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path.partition("?")[0],
            "QUERY_STRING": path.partition("?")[2],
            "SERVER_NAME": host,
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": host,
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
        }
        response = application(environ, lambda status, headers: None)
        b"".join(response)
        response.close()


def instructions(path: str, count: int) -> int:
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--child",
            path,
            str(count),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(re.search(r"Collected : (\d+)", result.stderr).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["/bench/raw", "/todos/bench"])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        serve(args.child[0], int(args.child[1]))
        return
    baseline = None
    print("| path | instructions per request | vs first |")
    print("|---|---:|---:|")
    for path in args.paths:
        n = args.requests
        per_request = (instructions(path, 3 * n) - instructions(path, n)) // (2 * n)
        baseline = baseline or per_request
        print(f"| {path} | {per_request:,} | {baseline / per_request:.0%} |")


if __name__ == "__main__":
    main()
