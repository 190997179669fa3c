"""Keyset pages: PageQuery's hand-built SQL against ORM versions of the same page, in one run.

Each variant swaps in its own selectors.keyset_page (and the views' render functions when its
rows are model instances); all of them must answer every URL with the same bytes, which is
checked before anything is measured.

- hand-built: the shipped code (PageQuery, the ORM's id query spliced in);
- orm: `filter(id__in=Subquery(ids)).select_related(...)`, model instances;
- orm-direct: the filters, `select_related(...)` and a slice, model instances;
- orm-values: the `orm` query as `values_list()`, reshaped into PageQuery's row dicts.

    # instructions per request (callgrind; one run per variant), on a database with demo rows
    DATABASE_URL=sqlite:///bench/out/pq.sqlite3 .venv/bin/python bench/pagequery_bench.py \\
        instructions [--requests 10]
    # p50 on Postgres at ~1M stat rows (creates and drops aips_bench_pagequery), the variants
    # taking turns round after round
    .venv/bin/python bench/pagequery_bench.py latency [--players 450 --seasons 27 --rounds 4]
"""

import argparse
import glob
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sportstats_bench import call, pg_admin, workloads  # noqa: E402

VARIANTS = ["hand-built", "orm", "orm-direct", "orm-values"]
# Page endpoints only: getTeams and getSeasonAverages do not use keyset_page.
PAGES = [
    "getPlayers query",
    "getGames season+team",
    "getStats 2 players+season",
    "getStats game_ids",
    "getStats date week",
    "getStats unfiltered p100",
]
PG_DB = "aips_bench_pagequery"


# --- The ORM versions ---------------------------------------------------------------------------


def orm_page(queryset, cursor: int, per_page: int, shape, direct: bool = False):
    from django.db.models import Subquery

    from sportstats.selectors import Page

    related = [join.alias for join in shape.joins]  # each alias is the foreign key's name
    if direct:
        page = queryset.filter(id__gt=cursor).select_related(*related).order_by("id")
        rows = list(page[: per_page + 1])
    else:
        ids = queryset.filter(id__gt=cursor).order_by("id").values("id")[: per_page + 1]
        page = shape.model.objects.filter(id__in=Subquery(ids)).select_related(*related)
        rows = list(page.order_by("id"))
    more = len(rows) > per_page
    rows = rows[:per_page]
    return Page(rows=rows, next_cursor=rows[-1].id if more else None, per_page=per_page)


def values_page(queryset, cursor: int, per_page: int, shape):
    from django.db.models import Subquery

    from sportstats.selectors import Page

    lookups, layout = [], []
    for alias, model in [("", shape.model)] + [(j.alias, j.model) for j in shape.joins]:
        fields = model._meta.concrete_fields
        lookups += [f"{alias}__{f.name}" if alias else f.name for f in fields]
        layout.append((alias, [f.attname for f in fields]))
    ids = queryset.filter(id__gt=cursor).order_by("id").values("id")[: per_page + 1]
    records = shape.model.objects.filter(id__in=Subquery(ids)).order_by("id")
    rows = []
    for record in records.values_list(*lookups):
        row, start = {}, 0
        for alias, names in layout:
            row[alias] = dict(zip(names, record[start : start + len(names)], strict=True))
            start += len(names)
        rows.append(row)
    more = len(rows) > per_page
    rows = rows[:per_page]
    return Page(rows=rows, next_cursor=rows[-1][""]["id"] if more else None, per_page=per_page)


def instance_renderers() -> dict:
    """render_player, render_game and render_stat for model instances, same output."""
    from sportstats.serializers import (
        GAME_KEYS,
        GAME_SCORES,
        PLAYER_KEYS,
        STAT_NUMBERS,
        STAT_REBOUNDS,
        TEAM_KEYS,
        format_minutes,
        ratio,
    )

    def team(t) -> dict:
        return {key: getattr(t, key) for key in TEAM_KEYS}

    def player_fields(p) -> dict:
        return {**{key: getattr(p, key) for key in PLAYER_KEYS}, "demo": p.demo}

    def game_fields(g) -> dict:
        return {
            **{key: getattr(g, key) for key in GAME_KEYS},
            "date": g.date.isoformat(),
            "postseason": g.postseason,
            **{key: getattr(g, key) for key in GAME_SCORES},
            "demo": g.demo,
        }

    def render_player(p) -> dict:
        return {**player_fields(p), "team": team(p.team) if p.team is not None else None}

    def render_game(g) -> dict:
        return {
            **game_fields(g),
            "home_team": team(g.home_team),
            "visitor_team": team(g.visitor_team),
        }

    def render_stat(s) -> dict:
        return {
            "id": s.id,
            "min": format_minutes(s.seconds),
            **{key: getattr(s, key) for key in STAT_NUMBERS},
            "fgm": s.fgm,
            "fga": s.fga,
            "fg_pct": ratio(s.fgm, s.fga),
            "fg3m": s.fg3m,
            "fg3a": s.fg3a,
            "fg3_pct": ratio(s.fg3m, s.fg3a),
            "ftm": s.ftm,
            "fta": s.fta,
            "ft_pct": ratio(s.ftm, s.fta),
            **{key: getattr(s, key) for key in STAT_REBOUNDS},
            "player": {**player_fields(s.player), "team_id": s.player.team_id},
            "team": team(s.team),
            "game": {
                **game_fields(s.game),
                "home_team_id": s.game.home_team_id,
                "visitor_team_id": s.game.visitor_team_id,
            },
        }

    return {"render_player": render_player, "render_game": render_game, "render_stat": render_stat}


def switcher():
    """A function that puts one variant in place (call after django.setup())."""
    from sportstats import selectors, views

    shipped_page = selectors.keyset_page
    shipped_renderers = {name: getattr(views, name) for name in instance_renderers()}
    for_instances = instance_renderers()
    choices = {
        "hand-built": (shipped_page, shipped_renderers),
        "orm": (orm_page, for_instances),
        "orm-direct": (partial(orm_page, direct=True), for_instances),
        "orm-values": (values_page, shipped_renderers),
    }

    def use(variant: str) -> None:
        page, renderers = choices[variant]
        selectors.keyset_page = page
        for name, render in renderers.items():
            setattr(views, name, render)

    return use


def setup_django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ.setdefault("API_THROTTLE_RATE", "100000000/min")
    os.environ["DJANGO_LOG_LEVEL"] = "ERROR"
    django.setup()


def same_bytes(handler, use, urls: list[str]) -> None:
    for url in urls:
        bodies = {}
        for variant in VARIANTS:
            use(variant)
            bodies[variant] = call(handler, url)[1]
        if len(set(bodies.values())) != 1:
            raise SystemExit(f"{url}: the variants answer differently")
    use("hand-built")


# --- Instructions per request -------------------------------------------------------------------

INSTRUCTION_URLS = [
    "/players?query=bro",
    "/games?seasons[]={season}&team_ids[]=5",
    "/stats?player_ids[]=3&player_ids[]=17&seasons[]={season}",
    "/stats?game_ids[]={game}",
    "/stats?per_page=100",
]


def instruction_child(variant: str, requests: int) -> None:
    """Under callgrind: getppid() marks where each path's timed requests begin and end."""
    setup_django()
    from django.core.handlers.wsgi import WSGIHandler

    from sportstats.models import Game

    season = Game.objects.order_by("-season").values_list("season", flat=True).first()
    game = Game.objects.filter(season=season).order_by("id").values_list("id", flat=True)[100]
    urls = [url.format(season=season, game=game) for url in INSTRUCTION_URLS]
    handler = WSGIHandler()
    use = switcher()
    same_bytes(handler, use, urls)
    use(variant)
    for url in urls:
        for _ in range(30):
            call(handler, url)
        os.getppid()
        for _ in range(requests):
            call(handler, url)
        os.getppid()
    print(json.dumps(urls))


def instructions(args: argparse.Namespace) -> None:
    table: dict[str, list[int]] = {}
    urls = []
    for variant in VARIANTS:
        with tempfile.TemporaryDirectory() as tmp:
            out = f"{tmp}/callgrind.out"
            command = [
                *["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"],
                "--dump-before=getppid",
                *[sys.executable, __file__, "instruction-child", variant],
                f"--requests={args.requests}",
            ]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            urls = json.loads(done.stdout.strip().splitlines()[-1])
            parts = sorted(glob.glob(f"{out}.*"), key=lambda name: int(name.rsplit(".", 1)[1]))
            totals = [
                int(re.search(r"^totals: (\d+)", Path(p).read_text(), re.M)[1]) for p in parts
            ]
        # Part 0 is start-up and the first warm-up; then each path's timed requests, each
        # followed by the next path's warm-up.
        table[variant] = [totals[2 * i + 1] // args.requests for i in range(len(urls))]
        print(f"{variant}: {table[variant]}", file=sys.stderr, flush=True)
    print("| path | " + " | ".join(VARIANTS) + " |")
    print("|---|" + "---:|" * len(VARIANTS))
    for i, url in enumerate(urls):
        base = table["hand-built"][i]
        cells = [f"{base:,}"] + [
            f"{table[v][i]:,} ({table[v][i] / base:.0%})" for v in VARIANTS if v != "hand-built"
        ]
        print(f"| {url} | " + " | ".join(cells) + " |")


# --- p50 latency at ~1M rows on Postgres --------------------------------------------------------


def latency(args: argparse.Namespace) -> None:
    pg_admin(args.pg_url, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    pg_admin(args.pg_url, f"CREATE DATABASE {PG_DB}")
    os.environ["DATABASE_URL"] = f"{args.pg_url}/{PG_DB}"
    setup_django()
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection, connections

    try:
        from sportstats.models import Game, Stat

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        call_command("generate_sportstats", players=args.players, seasons=args.seasons)
        loaded = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        rows = Stat.objects.count()
        seasons = sorted(set(Game.objects.values_list("season", flat=True)))
        games = list(Game.objects.filter(season__in=seasons[-3:]).values_list("id", flat=True))
        stat_ids = list(Stat.objects.filter(game_id__in=games[:50]).values_list("id", flat=True))
        handler = WSGIHandler()
        use = switcher()

        def urls(seed: int) -> dict:
            made = workloads(random.Random(seed), args.players, seasons, games, stat_ids)
            return {name: made[name] for name in PAGES}

        same_bytes(handler, use, [make() for make in urls(0).values() for _ in range(5)])
        times: dict[str, dict[str, list[float]]] = {v: {n: [] for n in PAGES} for v in VARIANTS}
        for variant in VARIANTS:  # warm-up: each variant's statements prepared, caches filled
            use(variant)
            for make in urls(0).values():
                for _ in range(10):
                    call(handler, make())
        for round_ in range(args.rounds):
            order = VARIANTS if round_ % 2 == 0 else VARIANTS[::-1]
            for variant in order:
                use(variant)
                # Every variant gets the same URLs within a round.
                for name, make in urls(round_ + 1).items():
                    times[variant][name] += [call(handler, make())[0] for _ in range(args.requests)]
            print(f"round {round_ + 1} done", file=sys.stderr, flush=True)
    finally:
        connections.close_all()
        pg_admin(args.pg_url, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    print(
        f"{rows:,} stat rows (loaded in {loaded:.0f} s); {args.rounds} rounds x "
        f"{args.requests} requests per endpoint and variant; p50 ms (ratio to hand-built)\n"
    )
    print("| endpoint | " + " | ".join(VARIANTS) + " |")
    print("|---|" + "---:|" * len(VARIANTS))
    for name in PAGES:
        p50 = {v: statistics.median(times[v][name]) * 1000 for v in VARIANTS}
        base = p50["hand-built"]
        cells = [f"{base:.2f}"] + [
            f"{p50[v]:.2f} ({p50[v] / base:.0%})" for v in VARIANTS if v != "hand-built"
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["instructions", "latency", "instruction-child"])
    parser.add_argument("variant", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--requests", type=int, default=None, help="per path (and round)")
    parser.add_argument("--players", type=int, default=450)
    parser.add_argument("--seasons", type=int, default=27, help="27 x 36,900 = 996,300 rows")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    if args.mode == "instruction-child":
        instruction_child(args.variant, args.requests)
    elif args.mode == "instructions":
        args.requests = args.requests or 10
        instructions(args)
    else:
        args.requests = args.requests or 100
        latency(args)


if __name__ == "__main__":
    main()
