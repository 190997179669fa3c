"""retrieval_ingest HOST PATH... [--user NAME]: files and folders into a retrieval plugin."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from pluginmeta.models import Plugin
from retrieval.commands import retrieval_plugin_for_host
from retrieval.services import files_under, ingest_paths

SHARED_CORPUS_TYPES = {Plugin.AuthType.NONE, Plugin.AuthType.SERVICE_HTTP}


class Command(BaseCommand):
    help = (
        "Ingest files, and the files inside folders, into the retrieval plugin served on HOST: "
        "each file one document whose id is its absolute path. Unchanged files are skipped, "
        "unreadable ones reported. Progress on stderr, the summary on stdout."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("host", help="A hostname of the retrieval plugin.")
        parser.add_argument("paths", nargs="+", type=Path, help="Files and folders to ingest.")
        parser.add_argument(
            "--user",
            default="",
            help="The username whose documents these become; required on plugins with user "
            "keys or OAuth, refused on those with one shared corpus.",
        )

    def handle(self, *args, host: str, paths: list[Path], user: str, **options) -> None:
        plugin = retrieval_plugin_for_host(host)
        shared = plugin.auth_type in SHARED_CORPUS_TYPES
        if shared and user:
            raise CommandError(f"{plugin.slug} has one shared corpus; leave out --user.")
        if not shared and not user:
            raise CommandError(f"{plugin.slug} keeps documents per user; name one with --user.")
        missing = [str(path) for path in paths if not path.exists()]
        if missing:
            raise CommandError("No such file or folder: " + ", ".join(missing))
        files = files_under(paths)
        with tqdm(total=len(files), unit="file", file=self.stderr._out, leave=False) as bar:
            report = ingest_paths(plugin, user, files, progress=lambda _: bar.update())
        self.stdout.write(
            f"added {len(report.added)}, replaced {len(report.replaced)}, "
            f"unchanged {len(report.unchanged)}, refused {len(report.refused)}"
        )
        for name, reason in report.refused:
            self.stdout.write(f"refused {name}: {reason}")
