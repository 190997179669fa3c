"""A document of one owner on one plugin, and the chunks it is searched by."""

from django.db import models

OWNER_MAX_LENGTH = 150
DOCUMENT_ID_MAX_LENGTH = 256


class Document(models.Model):
    """One document; upserting its id again replaces its text, metadata and chunks."""

    class Source(models.TextChoices):
        EMAIL = "email"
        FILE = "file"
        CHAT = "chat"

    plugin = models.ForeignKey("pluginmeta.Plugin", on_delete=models.CASCADE, related_name="+")
    # "" is the one shared corpus of none and service_http plugins.
    owner = models.CharField(max_length=OWNER_MAX_LENGTH, blank=True)
    document_id = models.CharField(max_length=DOCUMENT_ID_MAX_LENGTH)
    text = models.TextField()
    title = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, blank=True)
    source_id = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=2048, blank=True)
    author = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    # SHA-256 of the file or text it was made from: retrieval_ingest skips unchanged files.
    content_hash = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plugin", "owner", "document_id"], name="retrieval_document_unique_id"
            )
        ]
        indexes = [
            models.Index(fields=["plugin", "owner", "created_at"], name="retrieval_doc_date")
        ]

    def __str__(self) -> str:
        return self.title or self.document_id


class Chunk(models.Model):
    """A passage of a document, with its embedding as little-endian float32 bytes.

    The keyword index follows the text in the database itself: an FTS5 table kept in step by
    triggers on SQLite, a generated tsvector column with a GIN index on Postgres (both made by
    the migrations, on their own database only).
    """

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="chunks")
    position = models.PositiveIntegerField()
    text = models.TextField()
    embedding = models.BinaryField(null=True, blank=True)
    embedder = models.CharField(max_length=200, blank=True)
    dimension = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "position"], name="retrieval_chunk_unique_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id}:{self.position}"
