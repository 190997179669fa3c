"""Loads the Sport Stats demo league (real teams, generated players and games), idempotently."""

import datetime

from django.core.management.base import BaseCommand

from sportstats import synthetic
from sportstats.selectors import current_season

DEMO_SEED = 2024
DEMO_PLAYERS = 300  # ten a team
DEMO_GAMES_PER_TEAM = 30


class Command(BaseCommand):
    """Writes the demo league; running it again rewrites the same rows."""

    help = (
        "Load the Sport Stats DEMO data: the 30 real NBA teams plus generated players, games "
        "and box scores for the last and the current season (up to today). Safe to run again."
    )

    def handle(self, *args, **options) -> None:
        today = datetime.date.today()
        season = current_season(today)
        spec = synthetic.LeagueSpec(
            players=DEMO_PLAYERS,
            seasons=(season - 1, season),
            games_per_team=DEMO_GAMES_PER_TEAM,
            seed=DEMO_SEED,
            until=today,
        )
        totals = synthetic.write(spec)
        if options["verbosity"]:
            self.stdout.write(
                "Sport Stats DEMO data (generated players and games, marked demo=true): "
                + ", ".join(f"{count} {name}" for name, count in totals.items())
            )
