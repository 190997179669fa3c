"""Builds a large synthetic league (for load tests) with bulk upserts and a progress bar."""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sportstats import synthetic
from sportstats.selectors import current_season


class Command(BaseCommand):
    """generate_sportstats --players N --seasons S"""

    help = (
        "Generate a synthetic league: N players on the 30 real teams and S completed seasons "
        "of games and box scores (rows = S * 15 * games-per-team * 2 * N/30). Marked demo."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--players", type=int, default=450)
        parser.add_argument("--seasons", type=int, default=1)
        parser.add_argument("--games-per-team", type=int, default=82)
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--last-season", type=int, default=None, help="Default: last one.")

    def handle(self, *args, **options) -> None:
        players, seasons = options["players"], options["seasons"]
        games = options["games_per_team"]
        if not 30 <= players <= 30 * 99:
            raise CommandError("--players must be between 30 and 2970 (at most 99 a team).")
        if not 1 <= seasons <= 100 or not 1 <= games <= 500:
            raise CommandError("--seasons must be 1..100 and --games-per-team 1..500.")
        last = options["last_season"] or current_season() - 1
        spec = synthetic.LeagueSpec(
            players=players,
            seasons=tuple(range(last - seasons + 1, last + 1)),
            games_per_team=games,
            seed=options["seed"],
        )
        per_team = -(-players // 30)
        expected = seasons * 15 * games * 2 * per_team
        # The bar goes to the terminal only; in logs and pipes it would be noise.
        with tqdm(
            total=expected, unit="stat", disable=not sys.stderr.isatty(), file=sys.stderr
        ) as bar:
            totals = synthetic.write(spec, progress=lambda batch: bar.update(len(batch.stats)))
        if options["verbosity"]:
            self.stdout.write(
                "Generated (demo data): " + ", ".join(f"{n} {k}" for k, n in totals.items())
            )
