"""Admin for retrieval: documents with their chunks, and an upload page that goes through the
same ingest service as /upsert-file."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from pluginmeta.models import Plugin
from retrieval.embedders import EmbedderUnavailable
from retrieval.files import UnreadableFile, UnsupportedFile
from retrieval.models import Chunk, Document
from retrieval.services import ingest_file


class ChunkInline(admin.TabularInline):
    """A document's chunks as stored: read-only, since the document's text is their source."""

    model = Chunk
    fields = ["position", "text", "embedder", "dimension"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class UploadForm(forms.Form):
    plugin = forms.ModelChoiceField(queryset=Plugin.objects.filter(kind="retrieval"))
    owner = forms.CharField(
        required=False,
        max_length=150,
        help_text="The username whose documents these become; empty for the shared corpus of "
        "a plugin without user keys.",
    )
    files = MultipleFileField(
        help_text="Text, Markdown, CSV, HTML, PDF, DOCX, XLSX or PPTX; each one document."
    )


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Every document of every retrieval plugin, with its chunks."""

    list_display = [
        "document_id",
        "title",
        "owner",
        "plugin",
        "source",
        "author",
        "created_at",
        "chunk_count",
        "embedder",
    ]
    list_filter = ["plugin", "source", "created_at"]
    search_fields = ["document_id", "title", "owner", "author", "source_id"]
    list_select_related = ["plugin"]
    date_hierarchy = "created_at"
    list_per_page = 50
    readonly_fields = ["content_hash", "updated_at"]
    inlines = [ChunkInline]
    change_list_template = "admin/retrieval/document/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(chunk_total=Count("chunks"), chunk_embedder=Max("chunks__embedder"))
        )

    @admin.display(description="chunks", ordering="chunk_total")
    def chunk_count(self, document: Document) -> int:
        return document.chunk_total

    @admin.display(description="embedder", ordering="chunk_embedder")
    def embedder(self, document: Document) -> str:
        return document.chunk_embedder or ""

    def get_urls(self):
        upload = self.admin_site.admin_view(self.upload_view)
        return [path("upload/", upload, name="retrieval_document_upload"), *super().get_urls()]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            self._ingest(request, form.cleaned_data)
            return HttpResponseRedirect(reverse("admin:retrieval_document_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Upload files",
            "form": form,
            "max_file_bytes": settings.RETRIEVAL["MAX_FILE_BYTES"],
        }
        return TemplateResponse(request, "admin/retrieval/document/upload.html", context)

    def _ingest(self, request: HttpRequest, data: dict) -> None:
        limit = settings.RETRIEVAL["MAX_FILE_BYTES"]
        for upload in data["files"]:
            if upload.size > limit:
                self.message_user(
                    request, f"Refused {upload.name}: larger than {limit} bytes.", messages.ERROR
                )
                continue
            try:
                document_id = ingest_file(
                    data["plugin"],
                    data["owner"],
                    upload.name,
                    upload.read(),
                    upload.content_type or "",
                )
            except (UnsupportedFile, UnreadableFile, EmbedderUnavailable) as exc:
                self.message_user(request, f"Refused {upload.name}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"Added {upload.name} as {document_id}.")
