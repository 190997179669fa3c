"""OAuth abuse benchmark: what open registration and wrong client secrets cost everyone else.

Starts the production server (granian, 2 workers, DEBUG off, Django's real password hasher) on
a fresh SQLite file, and in one run prints:

- the p50 and p90 of `GET /todos/bench` on the no-auth host, idle and while 4 threads loop
  `POST /oauth/register` on the OAuth host, with the registration limit off (every request is
  a real registration) and at its default (OAUTH_REGISTER_ADDRESS_RATE), and the ratio of
  each loaded p50 to the idle one; as a control, the same with 4 threads looping the cheapest
  request there is (`GET /healthz`), which shows what any 4 busy clients cost on 2 workers;
- the wall time of one registration, and of a token request with a wrong client_secret for a
  known confidential client and for an unknown client id (with the failure limits off).

    .venv/bin/python bench/oauth_registration_bench.py [--requests 300] [--registrants 4]
"""

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

sys.path[:0] = [str(Path(__file__).resolve().parents[1])]

from tests.server import manage_shell, migrate, running_server, server_env  # noqa: E402

TODO_HOST = "localhost"
OAUTH_HOST = "todo-oauth.localhost"
METADATA = {"client_name": "Bench client", "redirect_uris": ["https://example.com/callback"]}
CONFIDENTIAL_CLIENT = """
from pluginmeta.auth.oauth.services import oauth_plugin_for_host, register_client
client = register_client(oauth_plugin_for_host("todo-oauth.localhost"), ["https://example.com/cb"])
print(client.client_id)
"""


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def todo_latencies(base: str, count: int) -> list[float]:
    """Milliseconds of count sequential GETs of one TODO list."""
    session = requests.Session()
    session.headers["Host"] = TODO_HOST
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        response = session.get(f"{base}/todos/bench", timeout=30)
        samples.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    return samples


def register_loop(base: str, stop: threading.Event, statuses: list[int]) -> None:
    session = requests.Session()
    session.headers["Host"] = OAUTH_HOST
    while not stop.is_set():
        response = session.post(f"{base}/oauth/register", json=METADATA, timeout=30)
        statuses.append(response.status_code)


def health_loop(base: str, stop: threading.Event, statuses: list[int]) -> None:
    """The control: the cheapest request there is, looped as fast."""
    session = requests.Session()
    while not stop.is_set():
        statuses.append(session.get(f"{base}/healthz", timeout=30).status_code)


def under_load(
    base: str, count: int, loopers: int, loop=register_loop
) -> tuple[list[float], list[int]]:
    stop = threading.Event()
    statuses: list[int] = []
    threads = [threading.Thread(target=loop, args=(base, stop, statuses)) for _ in range(loopers)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # the registrants are at full speed before the probes start
    try:
        return todo_latencies(base, count), statuses
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def token_request_ms(base: str, client_id: str, tries: int) -> float:
    """Median milliseconds of a token request with a wrong secret for client_id."""
    body = {"grant_type": "authorization_code", "code": "x", "client_id": client_id,
            "client_secret": "wrong"}  # fmt: skip
    samples = []
    for _ in range(tries):
        start = time.perf_counter()
        response = requests.post(
            f"{base}/auth/oauth_exchange", json=body, headers={"Host": OAUTH_HOST}, timeout=30
        )
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 401:
            raise RuntimeError(f"expected 401, got {response.status_code}: {response.text}")
    return statistics.median(samples)


def registration_ms(base: str, tries: int) -> float:
    samples = []
    for _ in range(tries):
        start = time.perf_counter()
        response = requests.post(
            f"{base}/oauth/register", json=METADATA, headers={"Host": OAUTH_HOST}, timeout=30
        )
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 201:
            raise RuntimeError(f"expected 201, got {response.status_code}: {response.text}")
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="GET probes per phase")
    parser.add_argument("--registrants", type=int, default=4, help="looping registration threads")
    parser.add_argument(
        "--redis-url",
        default="",
        help="share the limits' counts between the workers here (e.g. redis://127.0.0.1:6379/0); "
        "without it each worker counts by itself",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        database = f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"
        # The probes alone would spend the API's per-caller rate.
        env = server_env(
            database, DJANGO_ALLOWED_HOSTS=".localhost,localhost,127.0.0.1", API_THROTTLE_RATE="off"
        )
        if args.redis_url:
            env.update(REDIS_URL=args.redis_url, DJANGO_CACHE_PREFIX=f"bench-{uuid.uuid4().hex}")
        migrate(env)
        client_id = manage_shell(env, CONFIDENTIAL_CLIENT).strip().splitlines()[-1]
        rows: list[tuple[str, list[float], str]] = []
        unlimited = {
            **env,
            "OAUTH_REGISTER_ADDRESS_RATE": "off",
            "OAUTH_CLIENT_FAILURE_ID_RATE": "off",
            "OAUTH_CLIENT_FAILURE_ADDRESS_RATE": "off",
        }
        with running_server(unlimited, workers=2, output=Path(scratch) / "off.log") as base:
            todo_latencies(base, 20)  # warm both workers
            one_registration = registration_ms(base, 10)
            known = token_request_ms(base, client_id, 5)
            unknown = token_request_ms(base, "no-such-client", 5)
            rows.append(("idle", todo_latencies(base, args.requests), ""))
            samples, statuses = under_load(base, args.requests, args.registrants, health_loop)
            rows.append(("control: GET /healthz loops", samples, ""))
            samples, statuses = under_load(base, args.requests, args.registrants)
            rows.append(("registrants, limit off", samples, summary(statuses)))
        with running_server(env, workers=2, output=Path(scratch) / "on.log") as base:
            todo_latencies(base, 20)
            samples, statuses = under_load(base, args.requests, args.registrants)
            rows.append(("registrants, default limit", samples, summary(statuses)))

    idle_p50 = statistics.median(rows[0][1])
    print(f"GET /todos/bench, {args.requests} sequential probes per phase, "
          f"{args.registrants} looping registrants (granian, 2 workers, SQLite, "
          f"{'Redis' if args.redis_url else 'no Redis'})")  # fmt: skip
    print(f"{'phase':28} {'p50 ms':>8} {'p90 ms':>8} {'p50/idle':>9}  registrations answered")
    for label, samples, answered in rows:
        p50 = statistics.median(samples)
        print(f"{label:28} {p50:8.1f} {percentile(samples, 0.9):8.1f} "
              f"{p50 / idle_p50:9.2f}  {answered}")  # fmt: skip
    print(f"one registration: {one_registration:.1f} ms (median of 10, idle)")
    print(f"wrong client_secret: known client {known:.1f} ms, unknown client id "
          f"{unknown:.1f} ms (medians of 5, limits off)")  # fmt: skip
    print(json.dumps({"idle_p50_ms": round(idle_p50, 2)}))


def summary(statuses: list[int]) -> str:
    counts = {status: statuses.count(status) for status in sorted(set(statuses))}
    return ", ".join(f"{count} x {status}" for status, count in counts.items())


if __name__ == "__main__":
    main()
