"""Imports balldontlie-format JSON (teams, players, games, stats), upserting by id."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

from sportstats.importer import ImportDataError, batch_from_document, upsert


def read_document(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path} is not valid JSON: {exc}") from None
    try:
        # NaN and Infinity are parsed here and refused by the record that holds them.
        return json.loads(text)
    except RecursionError:
        raise CommandError(f"{path} is not valid JSON: it is nested too deeply.") from None
    except ValueError as exc:
        raise CommandError(f"{path} is not valid JSON: {exc}") from None


class Command(BaseCommand):
    """import_sportstats FILE [FILE ...]"""

    help = (
        'Import balldontlie-format JSON: {"teams": [...], "players": [...], "games": [...], '
        '"stats": [...]} (each list may also be {"data": [...]}). Rows are upserted by id, so '
        "importing a file again changes nothing; fields a record leaves out keep their values. "
        "All files are imported in one transaction: any bad record and nothing is written."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", type=Path, help="JSON files to import.")

    def handle(self, *args, files: list[Path], **options) -> None:
        documents = [(path, read_document(path)) for path in files]
        results = []
        try:
            with transaction.atomic():
                for path, document in documents:
                    try:
                        results.append((path, upsert(batch_from_document(document))))
                    except ImportDataError as exc:
                        raise CommandError(f"{path}: {exc}") from None
        except DatabaseError as exc:
            # The checks above should leave the database nothing to refuse; if it still does,
            # say so without a traceback (the transaction is rolled back).
            raise CommandError(f"The database refused the import: {exc}") from None
        if options["verbosity"]:
            for path, counts in results:
                summary = ", ".join(f"{n} {name}" for name, n in counts.items())
                self.stdout.write(f"{path}: upserted {summary}")
