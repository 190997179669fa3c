"""The project's todo GET and POST under several environments at once, in one run.

Each variant is the production server with extra environment variables, e.g. a switch
that turns one optimisation off, or CHECKOUT=path to serve another checkout of the project
(a git worktree with one change reverted); all of them serve the same database at the same
time and wrk visits them in turn, round after round, so every ratio comes from one run.

    .venv/bin/python bench/variants_bench.py --variant base= --variant drf PLUGIN_FAST_PATH=0 \\
        [--seconds 4] [--rounds 3] [--db sqlite postgres] [--redis redis://127.0.0.1:6379/4]
"""

import os
import secrets
import sys
from pathlib import Path

from http_bench import (
    POST_LUA,
    PROJECT,
    bench_arguments,
    each_database,
    interleaved_wrk,
    server_command,
    server_env,
    servers_running,
)
from peers_bench import OURS_SEED, python

FIRST_PORT = 8780


def bench(label: str, database_url: str, args) -> dict[str, dict]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "0",
        "API_THROTTLE_RATE": args.rate,
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    if args.redis:
        env.update(REDIS_URL=args.redis, DJANGO_CACHE_PREFIX=f"bench-{secrets.token_hex(4)}")
    python(["manage.py", "migrate", "--noinput", "-v0"], env, PROJECT)
    python(["manage.py", "shell", "-c", OURS_SEED], env, PROJECT)
    servers, ports = [], {}
    for index, (name, *assignments) in enumerate(args.variant):
        port = FIRST_PORT + index
        extra = dict(assignment.split("=", 1) for assignment in assignments)
        # CHECKOUT=path serves another checkout of the project (a git worktree with one
        # change reverted, say) against the same database.
        checkout = Path(extra.pop("CHECKOUT", PROJECT))
        variant_env = {**env, **server_env(args.server, port, 2), **extra}
        servers.append((name, port, server_command(args.server, port, 2), variant_env, checkout))
        ports[name] = port
    with servers_running(f"variants-{label}", servers, "/healthz"):
        return interleaved_wrk(
            ports,
            [("GET", "/todos/bench", None), ("POST", "/todos/post0", POST_LUA)],
            args.rounds,
            args.seconds,
            8,
        )


def main() -> None:
    parser = bench_arguments(__doc__, seconds=4)
    parser.add_argument(
        "--variant",
        nargs="+",
        action="append",
        required=True,
        metavar="NAME [VAR=VALUE ...]",
        help="a name and the environment variables of one variant; give it once per variant",
    )
    parser.add_argument("--server", choices=["granian", "gunicorn"], default="granian")
    parser.add_argument("--redis", help="REDIS_URL for every variant (default: none)")
    parser.add_argument("--rate", default="100000000/min", help="API_THROTTLE_RATE")
    args = parser.parse_args()
    for label, url in each_database(args, "variants-bench", "aips_bench_variants"):
        results = bench(label, url, args)
        print(f"\n## {label}: {args.server}, 2 workers, median of {args.rounds} rounds")
        print(f"(throttle {args.rate}, cache: {'Redis' if args.redis else 'per process'})\n")
        print(
            "| variant | GET req/s | GET p99 ms | POST req/s | POST p99 ms "
            "| GET / first | POST / first |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        first = next(iter(results.values()))
        for name, r in results.items():
            print(
                f"| {name} | {r['GET']['rps']:.0f} | {r['GET']['p99']:.2f} "
                f"| {r['POST']['rps']:.0f} | {r['POST']['p99']:.2f} "
                f"| {r['GET']['rps'] / first['GET']['rps']:.0%} "
                f"| {r['POST']['rps'] / first['POST']['rps']:.0%} |"
            )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
