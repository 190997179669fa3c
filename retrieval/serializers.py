"""Request and response bodies of the retrieval API: OpenAI's retrieval plugin contract, strict
about JSON types, with ISO 8601 dates."""

from datetime import UTC, date, datetime, time

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from retrieval.models import DOCUMENT_ID_MAX_LENGTH, Document
from retrieval.selectors import MODES, DocumentFilter
from retrieval.services import Metadata

MAX_DOCUMENTS_PER_UPSERT = 1000
MAX_QUERIES = 20
MAX_QUERY_LENGTH = 4000
MAX_TOP_K = 100
MAX_IDS = 1000


NO_NUL = RegexValidator(r"^[^\x00]*$", "Must not contain NUL characters.")
NO_CONTROL = RegexValidator(r"^[^\x00-\x1f\x7f]*$", "Must not contain control characters.")
VISIBLE_TEXT = RegexValidator(
    r"^[^\x00]*[^\s\x00][^\x00]*$", "Must contain a visible character and no NUL."
)
ISO_8601 = (
    r"^([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
    r"([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"(Z|[+-][01][0-9]:[0-5][0-9])?)?$"
)


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of turning them into text, and
    NUL characters, which Postgres cannot store (the spec states it as a pattern)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("validators", [NO_NUL])
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, float) and data.is_integer():
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(
    {
        "type": "string",
        "pattern": ISO_8601,
        "description": "ISO 8601: a date (its midnight) or a date-time (UTC if no offset).",
    }
)
class IsoDateTimeField(serializers.Field):
    """An ISO 8601 date or date-time; a date is its midnight, a time without offset is UTC."""

    default_error_messages = {
        "invalid": "Must be an ISO 8601 date or date-time, e.g. 2024-05-01 or 2024-05-01T09:30:00Z."
    }

    def to_internal_value(self, data) -> datetime:
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            value = datetime.fromisoformat(data.strip())
        except ValueError:
            try:
                value = datetime.combine(date.fromisoformat(data.strip()), time())
            except ValueError:
                self.fail("invalid")
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    def to_representation(self, value):
        return value.isoformat() if value else None


class DocumentIdField(StrictCharField):
    def __init__(self, **kwargs) -> None:
        super().__init__(
            max_length=DOCUMENT_ID_MAX_LENGTH,
            trim_whitespace=False,
            validators=[NO_CONTROL],
            **kwargs,
        )


class MetadataSerializer(serializers.Serializer):
    """A document's metadata; keys other than these are ignored, as OpenAI's plugin does."""

    source = serializers.ChoiceField(choices=Document.Source.choices, required=False)
    source_id = StrictCharField(max_length=500, required=False, allow_blank=True)
    url = StrictCharField(max_length=2048, required=False, allow_blank=True)
    created_at = IsoDateTimeField(required=False, allow_null=True)
    author = StrictCharField(max_length=500, required=False, allow_blank=True)
    title = StrictCharField(max_length=500, required=False, allow_blank=True)

    def to_metadata(self) -> Metadata:
        return Metadata(**{k: v for k, v in self.validated_data.items() if v is not None})


class UpsertDocumentSerializer(serializers.Serializer):
    id = DocumentIdField(required=False, help_text="The document's id; a new one if left out.")
    text = StrictCharField(
        trim_whitespace=False, validators=[VISIBLE_TEXT], help_text="The document's full text."
    )
    metadata = MetadataSerializer(required=False)


class UpsertSerializer(serializers.Serializer):
    documents = serializers.ListField(
        child=UpsertDocumentSerializer(), min_length=1, max_length=MAX_DOCUMENTS_PER_UPSERT
    )

    def validate_documents(self, documents: list[dict]) -> list[dict]:
        ids = [document["id"] for document in documents if "id" in document]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError("Each document id may appear only once.")
        return documents


class IdsResponseSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.CharField())


class FilterSerializer(serializers.Serializer):
    document_id = DocumentIdField(required=False)
    source = serializers.ChoiceField(choices=Document.Source.choices, required=False)
    source_id = StrictCharField(max_length=500, required=False)
    author = StrictCharField(max_length=500, required=False)
    start_date = IsoDateTimeField(required=False, help_text="Created at or after (ISO 8601).")
    end_date = IsoDateTimeField(required=False, help_text="Created at or before (ISO 8601).")

    def to_filter(self) -> DocumentFilter:
        return DocumentFilter(**self.validated_data)


def document_filter(data: dict | None) -> DocumentFilter | None:
    return DocumentFilter(**data) if data else None


class QueryItemSerializer(serializers.Serializer):
    query = StrictCharField(max_length=MAX_QUERY_LENGTH, help_text="What to search for.")
    filter = FilterSerializer(required=False)
    top_k = StrictIntegerField(min_value=1, max_value=MAX_TOP_K, default=3)
    mode = serializers.ChoiceField(
        choices=MODES,
        required=False,
        help_text="keyword, vector or hybrid (both, fused); the server's default if left out.",
    )


class QuerySerializer(serializers.Serializer):
    queries = serializers.ListField(
        child=QueryItemSerializer(), min_length=1, max_length=MAX_QUERIES
    )


class ChunkMetadataSerializer(serializers.Serializer):
    source = serializers.CharField(allow_null=True)
    source_id = serializers.CharField(allow_null=True)
    url = serializers.CharField(allow_null=True)
    created_at = serializers.CharField(allow_null=True)
    author = serializers.CharField(allow_null=True)
    title = serializers.CharField(allow_null=True)
    document_id = serializers.CharField()


class ChunkResultSerializer(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()
    metadata = ChunkMetadataSerializer()
    score = serializers.FloatField()


class QueryResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    results = ChunkResultSerializer(many=True)


class QueryResponseSerializer(serializers.Serializer):
    results = QueryResultSerializer(many=True)


class DeleteSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=DocumentIdField(), required=False, max_length=MAX_IDS, help_text="Document ids."
    )
    filter = FilterSerializer(required=False)
    delete_all = StrictBooleanField(required=False, default=False)

    def validate(self, attrs: dict) -> dict:
        if not (attrs.get("ids") or attrs.get("filter") or attrs.get("delete_all")):
            raise serializers.ValidationError(
                "Give ids, a filter with at least one field, or delete_all: true."
            )
        return attrs


class SuccessSerializer(serializers.Serializer):
    success = serializers.BooleanField()


class SearchSerializer(serializers.Serializer):
    query = StrictCharField(max_length=MAX_QUERY_LENGTH, help_text="What to search for.")


class SearchResultSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()


class SearchResponseSerializer(serializers.Serializer):
    results = SearchResultSerializer(many=True)


class DocumentResponseSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    url = serializers.CharField()
    metadata = ChunkMetadataSerializer()
    chunk_count = serializers.IntegerField()


class UpsertFileSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A text, Markdown, CSV, HTML, PDF, DOCX, XLSX or PPTX file."
    )
    metadata = serializers.CharField(
        required=False, help_text="The document's metadata, as a JSON object in text."
    )


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    detail = serializers.CharField()
