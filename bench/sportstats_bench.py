"""Sport Stats benchmark: loads a ~1M-row synthetic league, then times each endpoint in-process.

Usage (from the project root, after `make test` has built .venv):

    .venv/bin/python bench/sportstats_bench.py                  # Postgres and SQLite
    .venv/bin/python bench/sportstats_bench.py --db postgres --players 450 --seasons 27

Postgres gets its own database (aips_bench, created and dropped here; --pg-url names the
server); SQLite a file under bench/out/. Latency is server time: each request is one call of
Django's WSGI handler (middleware, view, queries, JSON), with no socket and no client.
Every phase is bounded (--max-seconds per endpoint, a timeout per database).
"""

import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BENCH_DB = "aips_bench"
HOST = "sports.localhost"
AVERAGE_COLUMNS = [
    "seconds", "pts", "reb", "ast", "stl", "blk", "turnover", "pf",
    "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb",
]  # fmt: skip


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", nargs="+", choices=["postgres", "sqlite"], default=None)
    parser.add_argument("--players", type=int, default=450, help="15 a team")
    parser.add_argument("--seasons", type=int, default=27, help="27 x 36,900 = 996,300 rows")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per endpoint")
    parser.add_argument("--max-seconds", type=float, default=20.0, help="cap per endpoint")
    parser.add_argument("--timeout", type=int, default=1200, help="cap per database (s)")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--child", choices=["postgres", "sqlite"], help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- Child: one database ------------------------------------------------------------------------


def environ_for(url: str) -> dict:
    path, _, query = url.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": HOST,
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": HOST,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def call(handler, url: str) -> tuple[float, bytes]:
    status = []
    started = time.perf_counter()
    body = b"".join(handler(environ_for(url), lambda s, h, exc=None: status.append(s)))
    elapsed = time.perf_counter() - started
    if not status[0].startswith("200"):
        raise RuntimeError(f"{url}: {status[0]} {body[:200]!r}")
    return elapsed, body


def workloads(
    rng: random.Random, players: int, seasons: list[int], games: list[int], stat_ids: list[int]
) -> dict:
    """Endpoint name -> a function giving a fresh URL each call (so caches cannot help)."""
    from sportstats.synthetic import LAST_NAMES

    def some_players(k: int) -> str:
        return "&".join(f"player_ids={p}" for p in rng.sample(range(1, players + 1), k))

    def week() -> str:
        season = rng.choice(seasons)
        start = f"{season + 1}-0{rng.randint(1, 3)}-{rng.randint(10, 20)}"
        return f"start_date={start}&end_date={start[:8]}{int(start[8:]) + 6}"

    return {
        "getTeams": lambda: "/teams",
        "getPlayers query": lambda: f"/players?query={rng.choice(LAST_NAMES)[:4].lower()}",
        "getGames season+team": lambda: (
            f"/games?seasons={rng.choice(seasons)}&team_ids={rng.randint(1, 30)}"
        ),
        "getStats 2 players+season": lambda: (
            f"/stats?{some_players(2)}&seasons[]={rng.choice(seasons)}"
        ),
        "getStats game_ids": lambda: f"/stats?game_ids[]={rng.choice(games)}",
        "getStats date week": lambda: f"/stats?{week()}",
        "getStats unfiltered p100": lambda: f"/stats?per_page=100&cursor={rng.choice(stat_ids)}",
        "getSeasonAverages 5 players": lambda: (
            f"/season_averages?season={rng.choice(seasons)}&{some_players(5)}"
        ),
    }


def measure(handler, make_url, requests: int, max_seconds: float) -> dict:
    from django.db import connection

    for _ in range(10):  # warm-up: connections, caches, the plugin host map
        call(handler, make_url())
    captured = []

    def count(execute, sql, params, many, context):
        captured.append(sql)
        return execute(sql, params, many, context)

    # Counted with a wrapper: Django clears connection.queries at every request start.
    with connection.execute_wrapper(count):
        call(handler, make_url())
    times = []
    started = time.perf_counter()
    while len(times) < requests and time.perf_counter() - started < max_seconds:
        times.append(call(handler, make_url())[0])
    wall = time.perf_counter() - started
    times.sort()
    return {
        "n": len(times),
        "p50_ms": statistics.median(times) * 1000,
        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))] * 1000,
        "rps": len(times) / wall,
        "queries": len(captured),
    }


def run_child(args: argparse.Namespace) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection

    from sportstats.models import Game, Stat

    result: dict = {"db": args.child}
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("generate_sportstats", players=args.players, seasons=args.seasons, verbosity=0)
    result["load_s"] = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    result["stats_rows"] = Stat.objects.count()
    result["indexes"] = sorted(
        name
        for name, info in connection.introspection.get_constraints(
            connection.cursor(), Stat._meta.db_table
        ).items()
        if info["index"]
    )
    seasons = sorted(set(Game.objects.values_list("season", flat=True).distinct()))
    games = list(Game.objects.filter(season__in=seasons[-3:]).values_list("id", flat=True))

    handler = WSGIHandler()
    rng = random.Random(7)
    stat_ids = list(Stat.objects.filter(game_id__in=games[:50]).values_list("id", flat=True))
    loads = workloads(rng, args.players, seasons, games, stat_ids)
    result["endpoints"] = {
        name: measure(handler, make_url, args.requests, args.max_seconds)
        for name, make_url in loads.items()
    }

    if connection.vendor == "postgresql":
        # What does the covering index of migration 0002 buy? Measure without it too.
        averages = loads["getSeasonAverages 5 players"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_relation_size('stat_averages_covering')")
            result["covering_index_mb"] = cursor.fetchone()[0] / 2**20
            cursor.execute("DROP INDEX stat_averages_covering")
        result["averages_without_covering_index"] = measure(
            handler, averages, args.requests, args.max_seconds
        )
    return result


# --- Parent: one child process per database -----------------------------------------------------


def pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{url}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def run_database(db: str, args: argparse.Namespace) -> dict | None:
    env = {**os.environ, "DJANGO_SECRET_KEY": "bench-only-not-a-secret", "DJANGO_DEBUG": "0"}
    env["DJANGO_LOG_LEVEL"] = "WARNING"
    # Counted like production, but high enough that the benchmark is never throttled.
    env["API_THROTTLE_RATE"] = "100000000/min"
    sqlite_file = OUT / "bench.sqlite3"
    if db == "postgres":
        pg_admin(args.pg_url, f"DROP DATABASE IF EXISTS {BENCH_DB}")
        pg_admin(args.pg_url, f"CREATE DATABASE {BENCH_DB}")
        env["DATABASE_URL"] = f"{args.pg_url}/{BENCH_DB}"
    else:
        OUT.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{sqlite_file}"
    command = [sys.executable, __file__, "--child", db, *sys.argv[1:]]
    try:
        done = subprocess.run(
            command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=args.timeout
        )
        if done.returncode:
            print(done.stderr[-3000:], file=sys.stderr)
            return None
        return json.loads(done.stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        print(f"{db}: gave up after {args.timeout}s", file=sys.stderr)
        return None
    finally:
        if db == "postgres":
            pg_admin(args.pg_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)


def report(result: dict) -> str:
    lines = [
        f"### {result['db']}: {result['stats_rows']:,} stat rows "
        f"(generated and loaded in {result['load_s']:.0f} s)",
        "",
        "| endpoint | p50 ms | p99 ms | req/s | queries |",
        "|---|---:|---:|---:|---:|",
    ]
    rows = dict(result["endpoints"])
    if "averages_without_covering_index" in result:
        rows["getSeasonAverages 5 players, no covering index"] = result[
            "averages_without_covering_index"
        ]
    for name, m in rows.items():
        lines.append(
            f"| {name} | {m['p50_ms']:.2f} | {m['p99_ms']:.2f} | {m['rps']:.0f} | {m['queries']} |"
        )
    lines.append(f"\nIndexes on sportstats_stat: {', '.join(result['indexes'])}")
    if "covering_index_mb" in result:
        lines.append(f"\nCovering index size: {result['covering_index_mb']:.0f} MB")
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        print(json.dumps(run_child(args)))
        return
    for db in args.db or ["postgres", "sqlite"]:
        result = run_database(db, args)
        if result:
            print(report(result), flush=True)
            print(flush=True)


if __name__ == "__main__":
    main()
