"""Imports balldontlie-format JSON (teams, players, games, stats), upserting by id."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sportstats.importer import ImportDataError, batch_from_document, upsert


class Command(BaseCommand):
    """import_sportstats FILE [FILE ...]"""

    help = (
        'Import balldontlie-format JSON: {"teams": [...], "players": [...], "games": [...], '
        '"stats": [...]} (each list may also be {"data": [...]}). Rows are upserted by id, so '
        "importing a file again changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", type=Path, help="JSON files to import.")

    def handle(self, *args, files: list[Path], **options) -> None:
        for path in files:
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except OSError as exc:
                raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from None
            except (UnicodeDecodeError, ValueError) as exc:
                raise CommandError(f"{path} is not valid JSON: {exc}") from None
            try:
                counts = upsert(batch_from_document(document))
            except ImportDataError as exc:
                raise CommandError(f"{path}: {exc}") from None
            if options["verbosity"]:
                summary = ", ".join(f"{n} {name}" for name, n in counts.items())
                self.stdout.write(f"{path}: upserted {summary}")
