"""The retrieval API: OpenAI's retrieval plugin operations, plus search and fetch by id."""

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from pluginmeta.api.errors import PayloadTooLarge
from pluginmeta.api.jsonbody import strict_loads
from pluginmeta.auth.drf import caller_owner
from retrieval import selectors, services
from retrieval.embedders import EmbedderUnavailable
from retrieval.files import UnreadableFile, UnsupportedFile
from retrieval.models import Document
from retrieval.serializers import (
    DeleteSerializer,
    DocumentResponseSerializer,
    ErrorSerializer,
    IdsResponseSerializer,
    MetadataSerializer,
    QueryResponseSerializer,
    QuerySerializer,
    SearchResponseSerializer,
    SearchSerializer,
    SuccessSerializer,
    UpsertFileSerializer,
    UpsertSerializer,
    document_filter,
)
from retrieval.services import Metadata, NewDocument

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer}
# Any JSON body may be too large or not JSON at all.
BODY_ERRORS = {**ERRORS, 413: ErrorSerializer, 415: ErrorSerializer}
# The embedder (the HTTP one) may be down.
EMBEDDER_ERRORS = {**BODY_ERRORS, 503: ErrorSerializer}
READ_ONLY = {"x-openai-isConsequential": False}
# How many documents search answers.
SEARCH_RESULTS = 10


class UnsupportedFileType(exceptions.APIException):
    status_code = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
    default_detail = "This type of file is not supported."
    default_code = "unsupported_file_type"


class UnreadableUpload(exceptions.APIException):
    """A file of a supported type that cannot be used; its code says why (corrupt_pdf, ...)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The file could not be read."
    default_code = "unreadable_file"


class EmbeddingsUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The embedder is unavailable; try again shortly."
    default_code = "embedder_unavailable"


class UpsertJSONParser(BaseParser):
    """Strict JSON, capped at RETRIEVAL["MAX_UPSERT_BYTES"]: documents are larger than calls.

    Not a JSONParser: DRF reads a JSONParser's body through request.body, which Django caps at
    DATA_UPLOAD_MAX_MEMORY_SIZE; this parser reads the stream itself, up to its own cap.
    """

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.RETRIEVAL["MAX_UPSERT_BYTES"]
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        try:
            return strict_loads(raw)
        except ValueError as exc:
            raise exceptions.ParseError(f"The request body is not valid JSON: {exc}") from None


def valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def default_mode() -> str:
    mode = settings.RETRIEVAL["DEFAULT_MODE"]
    return mode if mode in selectors.MODES else "hybrid"


def metadata_of(document: Document | selectors.ChunkHit) -> dict:
    return {
        "source": document.source or None,
        "source_id": document.source_id or None,
        "url": document.url or None,
        "created_at": document.created_at.isoformat() if document.created_at else None,
        "author": document.author or None,
        "title": document.title or None,
        "document_id": document.document_id,
    }


def title_of(document: Document) -> str:
    return document.title or document.source_id or document.document_id


def new_documents(documents: list[dict]) -> list[NewDocument]:
    out = []
    for document in documents:
        metadata = document.get("metadata") or {}
        out.append(
            NewDocument(
                text=document["text"],
                document_id=document.get("id", ""),
                metadata=Metadata(**{k: v for k, v in metadata.items() if v is not None}),
                content_hash=services.content_hash(document["text"].encode()),
            )
        )
    return out


class UpsertView(APIView):
    """The caller's documents, added or replaced whole by id (JSON)."""

    parser_classes = [UpsertJSONParser]

    @extend_schema(
        operation_id="upsert",
        summary="Add or replace documents",
        description=(
            "Stores each document, cut into chunks for search. A document whose id exists "
            "already is replaced as a whole. Answers the documents' ids."
        ),
        request=UpsertSerializer,
        responses={200: IdsResponseSerializer, **EMBEDDER_ERRORS},
    )
    def post(self, request):
        owner = caller_owner(request)
        data = valid(UpsertSerializer, request.data)
        try:
            ids = services.upsert_documents(request.plugin, owner, new_documents(data["documents"]))
        except EmbedderUnavailable as exc:
            raise EmbeddingsUnavailable(str(exc)) from None
        return Response({"ids": ids})


class UpsertFileView(APIView):
    """One uploaded file, read in memory and added or replaced as a document."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="upsertFile",
        summary="Add a file as a document",
        description=(
            "Reads the text of a text, Markdown, CSV, HTML, PDF, DOCX, XLSX or PPTX file and "
            "stores it as one new document. Answers its id."
        ),
        request={"multipart/form-data": UpsertFileSerializer},
        responses={200: IdsResponseSerializer, **EMBEDDER_ERRORS},
    )
    def post(self, request):
        owner = caller_owner(request)
        limit = settings.RETRIEVAL["MAX_FILE_BYTES"]
        # The form's other fields and boundaries need a little room beside the file.
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit + 64 * 1024:
            raise PayloadTooLarge(f"The file is larger than {limit} bytes.")
        upload = request.FILES.get("file")
        if upload is None:
            raise exceptions.ValidationError({"file": ["This field is required."]})
        if upload.size > limit:
            raise PayloadTooLarge(f"The file is larger than {limit} bytes.")
        metadata = file_metadata(request.data.get("metadata"))
        try:
            document_id = services.ingest_file(
                request.plugin,
                owner,
                upload.name or "upload",
                upload.read(),
                upload.content_type or "",
                metadata,
            )
        except UnsupportedFile as exc:
            raise UnsupportedFileType(str(exc)) from None
        except UnreadableFile as exc:
            raise UnreadableUpload(str(exc), code=exc.code) from None
        except EmbedderUnavailable as exc:
            raise EmbeddingsUnavailable(str(exc)) from None
        return Response({"ids": [document_id]})


def file_metadata(text) -> Metadata:
    if text in (None, ""):
        return Metadata()
    try:
        data = strict_loads(text.encode() if isinstance(text, str) else text)
    except (ValueError, AttributeError):
        data = None
    if not isinstance(data, dict):
        raise exceptions.ValidationError({"metadata": ["Must be a JSON object."]})
    serializer = MetadataSerializer(data=data)
    if not serializer.is_valid():
        raise exceptions.ValidationError({"metadata": serializer.errors})
    return serializer.to_metadata()


class QueryView(APIView):
    """The passages of the caller's documents that best match each query."""

    @extend_schema(
        operation_id="query",
        summary="Search the documents",
        description=(
            "Answers, for each query, the top_k passages (1 to 100, default 3) of the "
            "user's documents that best match it, optionally filtered by document metadata. "
            "Dates are ISO 8601; start_date and end_date are inclusive."
        ),
        request=QuerySerializer,
        responses={200: QueryResponseSerializer, **EMBEDDER_ERRORS},
        extensions=READ_ONLY,
    )
    def post(self, request):
        owner = caller_owner(request)
        data = valid(QuerySerializer, request.data)
        results = []
        try:
            for query in data["queries"]:
                hits = selectors.query_chunks(
                    request.plugin,
                    owner,
                    query["query"],
                    document_filter(query.get("filter")),
                    query["top_k"],
                    query.get("mode") or default_mode(),
                )
                results.append({"query": query["query"], "results": [hit_body(h) for h in hits]})
        except EmbedderUnavailable as exc:
            raise EmbeddingsUnavailable(str(exc)) from None
        return Response({"results": results})


def hit_body(hit: selectors.ChunkHit) -> dict:
    return {
        "id": f"{hit.document_id}_{hit.position}",
        "text": hit.text,
        "metadata": metadata_of(hit),
        "score": hit.score,
    }


DELETE_DESCRIPTION = (
    "Deletes the user's documents named by ids (document ids), those matching filter, or all "
    "of them with delete_all: true. One of the three is required."
)


class DeleteView(APIView):
    """The caller's documents removed by id, by filter, or all of them."""

    @extend_schema(
        operation_id="delete",
        summary="Delete documents",
        description=DELETE_DESCRIPTION,
        request=DeleteSerializer,
        responses={200: SuccessSerializer, **BODY_ERRORS},
    )
    def delete(self, request):
        return self._delete(request)

    # Served for clients that send no body with DELETE; left out of the spec, so MCP clients
    # and GPT Actions see one delete operation, not two.
    @extend_schema(exclude=True)
    def post(self, request):
        return self._delete(request)

    def _delete(self, request):
        owner = caller_owner(request)
        data = valid(DeleteSerializer, request.data)
        services.delete_documents(
            request.plugin,
            owner,
            data.get("ids") or [],
            document_filter(data.get("filter")),
            data["delete_all"],
        )
        return Response({"success": True})


class SearchView(APIView):
    """The caller's documents that best match a query, for connectors' search tool."""

    @extend_schema(
        operation_id="search",
        summary="Find documents",
        description=(
            "Answers the user's documents that best match the query, best first: their ids, "
            "titles and URLs. Read one in full with fetch."
        ),
        request=SearchSerializer,
        responses={200: SearchResponseSerializer, **EMBEDDER_ERRORS},
        extensions=READ_ONLY,
    )
    def post(self, request):
        owner = caller_owner(request)
        data = valid(SearchSerializer, request.data)
        try:
            documents = selectors.search_documents(
                request.plugin, owner, data["query"], default_mode(), SEARCH_RESULTS
            )
        except EmbedderUnavailable as exc:
            raise EmbeddingsUnavailable(str(exc)) from None
        results = [{"id": d.document_id, "title": title_of(d), "url": d.url} for d in documents]
        return Response({"results": results})


class DocumentView(APIView):
    """One of the caller's documents in full, for connectors' fetch tool."""

    @extend_schema(
        operation_id="fetch",
        summary="Read a document",
        description="Answers the document with this id in full: its text and metadata.",
        parameters=[
            OpenApiParameter("id", str, OpenApiParameter.PATH, description="The document id.")
        ],
        responses={200: DocumentResponseSerializer, 404: ErrorSerializer, **ERRORS},
        extensions=READ_ONLY,
    )
    def get(self, request, id: str):
        owner = caller_owner(request)
        document = selectors.get_document(request.plugin, owner, id)
        if document is None:
            raise exceptions.NotFound(f"There is no document with id {id!r}.")
        return Response(
            {
                "id": document.document_id,
                "title": title_of(document),
                "text": document.text,
                "url": document.url,
                "metadata": metadata_of(document),
                "chunk_count": document.chunk_count,
            }
        )
