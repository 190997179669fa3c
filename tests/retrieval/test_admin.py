"""The retrieval admin: documents listed, searched and filtered, chunks inline and read-only,
and the upload page ingesting through the same service as /upsert-file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from retrieval.models import Chunk, Document
from tests.retrieval.conftest import snapshot, upsert
from tests.retrieval.files import pdf_bytes

HOST = {"HTTP_HOST": "retrieval.localhost"}


@pytest.fixture
def documents(alice, bob):
    upsert(alice, {"id": "alpha", "text": "Alpha notes.", "metadata": {"author": "Ann"}})
    upsert(bob, {"id": "beta", "text": "Beta notes.", "metadata": {"source": "chat"}})


def page(admin_client, path: str) -> str:
    response = admin_client.get(path, **HOST)
    assert response.status_code == 200
    return response.content.decode()


def test_documents_are_listed_with_owner_chunks_and_embedder(admin_client, documents):
    html = page(admin_client, "/admin/retrieval/document/")
    assert "alpha" in html
    assert "beta" in html
    assert "wordllama-l2-supercat-256" in html
    assert "Upload files" in html
    assert "alpha" not in page(admin_client, "/admin/retrieval/document/?q=bob")
    assert "alpha" not in page(admin_client, "/admin/retrieval/document/?source__exact=chat")


def test_chunks_are_inline_and_read_only(admin_client, documents):
    document = Document.objects.get(document_id="alpha")
    html = page(admin_client, f"/admin/retrieval/document/{document.pk}/change/")
    assert "Alpha notes." in html
    assert 'name="chunks-0-text"' not in html


def test_the_upload_page_ingests_files_and_reports_refusals(admin_client, retrieval_plugin):
    assert "Upload files" in page(admin_client, "/admin/retrieval/document/upload/")
    files = [
        SimpleUploadedFile("report.pdf", pdf_bytes("Admin uploaded comet report")),
        SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00"),
    ]
    response = admin_client.post(
        "/admin/retrieval/document/upload/",
        {"plugin": retrieval_plugin.pk, "owner": "alice", "files": files},
        **HOST,
    )
    assert response.status_code == 302
    html = page(admin_client, response["Location"])
    assert "Added report.pdf as" in html
    assert "Refused photo.png: This is a PNG image" in html
    (document,) = Document.objects.all()
    assert (document.owner, document.title, document.source) == ("alice", "report.pdf", "file")
    assert Chunk.objects.get().text == "Admin uploaded comet report"


def test_the_upload_page_refuses_a_form_without_files(admin_client, retrieval_plugin):
    before = snapshot()
    response = admin_client.post(
        "/admin/retrieval/document/upload/", {"plugin": retrieval_plugin.pk}, **HOST
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert snapshot() == before
