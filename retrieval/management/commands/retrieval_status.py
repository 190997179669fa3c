"""retrieval_status HOST: the documents and chunks of a retrieval plugin, and how its vectors
are searched."""

from django.core.management.base import BaseCommand
from django.db.models import Count

from retrieval.commands import retrieval_plugin_for_host
from retrieval.embedders import current_embedder
from retrieval.models import Chunk, Document
from retrieval.pgvector import has_pgvector


class Command(BaseCommand):
    help = (
        "Print the documents and chunks of the retrieval plugin served on HOST, their "
        "embedders, and whether vector search uses pgvector or exact search."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("host", help="A hostname of the retrieval plugin.")

    def handle(self, *args, host: str, **options) -> None:
        plugin = retrieval_plugin_for_host(host)
        documents = Document.objects.filter(plugin=plugin)
        self.stdout.write(
            f"{plugin.slug}: {documents.count()} documents of "
            f"{documents.values('owner').distinct().count()} owners"
        )
        embedders = (
            Chunk.objects.filter(document__plugin=plugin)
            .values_list("embedder")
            .annotate(total=Count("pk"))
            .order_by("embedder")
        )
        configured = current_embedder().name
        for name, total in embedders:
            note = "" if name == configured else " (outdated: run retrieval_reindex)"
            self.stdout.write(f"chunks by {name}: {total}{note}")
        if has_pgvector():
            self.stdout.write("vector search: pgvector (HNSW, cosine)")
        else:
            self.stdout.write("vector search: exact (numpy; pgvector not available)")
