"""Pulls teams, players, games and stats from a balldontlie-compatible API into our tables."""

import os
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sportstats import upstream
from sportstats.selectors import current_season


class Command(BaseCommand):
    """sync_sportstats --base-url URL [--api-key KEY] [--seasons 2023 2024]"""

    help = (
        "Fetch teams, players, and the games and stats of the given seasons (default: the "
        "current one) from a balldontlie-compatible API, upserting by id. The API key may "
        "also come from BALLDONTLIE_API_KEY."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--base-url", required=True, help="e.g. https://api.balldontlie.io/v1")
        parser.add_argument("--api-key", default=os.environ.get("BALLDONTLIE_API_KEY"))
        parser.add_argument("--seasons", type=int, nargs="+", default=None)
        parser.add_argument("--per-page", type=int, default=100)
        parser.add_argument("--timeout", type=float, default=10.0, help="Seconds per request.")
        parser.add_argument("--retries", type=int, default=5, help="Retries on 429/5xx/network.")
        parser.add_argument("--backoff", type=float, default=1.0, help="First retry delay (s).")

    def handle(self, *args, **options) -> None:
        if not options["base_url"].startswith(("http://", "https://")):
            raise CommandError("--base-url must be an http:// or https:// URL.")
        seasons = options["seasons"] or [current_season()]
        bars: dict[str, tqdm] = {}
        show = sys.stderr.isatty()

        def progress(resource: str, count: int) -> None:
            if resource not in bars:
                bars[resource] = tqdm(desc=resource, unit="row", disable=not show)
            bars[resource].update(count)

        client = upstream.BalldontlieClient(
            options["base_url"],
            api_key=options["api_key"],
            timeout=options["timeout"],
            retries=options["retries"],
            backoff=options["backoff"],
        )
        try:
            with client:
                totals = upstream.sync(client, seasons, options["per_page"], progress)
        except upstream.UpstreamError as exc:
            raise CommandError(f"Sync failed: {exc}") from None
        finally:
            for bar in bars.values():
                bar.close()
        if options["verbosity"]:
            self.stdout.write(
                f"Synced seasons {', '.join(map(str, seasons))}: "
                + ", ".join(f"{n} {name}" for name, n in totals.items())
            )
