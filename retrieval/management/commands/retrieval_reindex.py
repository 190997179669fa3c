"""retrieval_reindex HOST: re-embeds the chunks of a retrieval plugin made by another embedder."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from retrieval.commands import retrieval_plugin_for_host
from retrieval.embedders import EmbedderUnavailable, current_embedder
from retrieval.models import Chunk
from retrieval.services import reindex


class Command(BaseCommand):
    help = (
        "Re-embed the chunks of the retrieval plugin served on HOST with the configured "
        "embedder (RETRIEVAL_EMBEDDER), after a change of embedder. Progress on stderr, "
        "the summary on stdout."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("host", help="A hostname of the retrieval plugin.")
        parser.add_argument(
            "--all", action="store_true", help="Re-embed every chunk, not only the outdated."
        )

    def handle(self, *args, host: str, all: bool, **options) -> None:
        plugin = retrieval_plugin_for_host(host)
        embedder = current_embedder()
        chunks = Chunk.objects.filter(document__plugin=plugin)
        total = chunks.count() if all else chunks.exclude(embedder=embedder.name).count()
        with tqdm(
            total=total, unit="chunk", file=self.stderr._out, disable=total == 0, leave=False
        ) as bar:
            try:
                done = reindex(plugin, embedder, all_chunks=all, progress=bar.update)
            except EmbedderUnavailable as exc:
                raise CommandError(f"{exc} Chunks embedded so far are kept.") from None
        self.stdout.write(
            f"re-embedded {done} chunks of {plugin.slug} with {embedder.name}; "
            f"{chunks.count() - done} were up to date"
        )
