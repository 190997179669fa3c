"""Loads the demo corpus shipped in retrieval/data into the demo retrieval plugin, idempotently."""

from pathlib import Path

from django.core.management.base import BaseCommand

from pluginmeta.models import Plugin
from retrieval.services import files_under, ingest_paths

DEMO_DATA = Path(__file__).resolve().parents[2] / "data"
DEMO_PLUGIN = "retrieval"
DEMO_USER = "demo"


class Command(BaseCommand):
    help = (
        f"Load the retrieval demo corpus (retrieval/data) for user {DEMO_USER!r} of the "
        f"{DEMO_PLUGIN!r} plugin. Safe to run again: unchanged files are skipped."
    )

    def handle(self, *args, **options) -> None:
        plugin = Plugin.objects.filter(slug=DEMO_PLUGIN, kind="retrieval").first()
        if plugin is None:
            self.stderr.write(f"No retrieval plugin with the slug {DEMO_PLUGIN!r}; nothing loaded.")
            return
        report = ingest_paths(plugin, DEMO_USER, files_under([DEMO_DATA]), base=DEMO_DATA)
        for name, reason in report.refused:
            self.stderr.write(f"refused {name}: {reason}")
        if options["verbosity"]:
            self.stdout.write(
                f"Retrieval DEMO corpus for user {DEMO_USER!r}: {len(report.added)} added, "
                f"{len(report.replaced)} replaced, {len(report.unchanged)} unchanged"
            )
