"""/upsert-file: every file type it reads, the type taken from the content, and every refusal
answered with a JSON error and nothing written."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from retrieval.models import Document
from tests.retrieval.conftest import query, snapshot
from tests.retrieval.files import (
    docx_bytes,
    encrypted_pdf_bytes,
    pdf_bytes,
    pptx_bytes,
    xlsx_bytes,
    zip_bytes,
)

OCTET = "application/octet-stream"


def upload(client, name: str, data: bytes, content_type: str = OCTET, metadata=None):
    form = {"file": SimpleUploadedFile(name, data, content_type=content_type)}
    if metadata is not None:
        form["metadata"] = metadata if isinstance(metadata, str) else json.dumps(metadata)
    return client.post("/upsert-file", data=form)


FILES = [
    ("notes.txt", b"Plain notes about the lighthouse keeper.", "lighthouse keeper", "notes.txt"),
    (
        "guide.md",
        b"# Sailing guide\n\nTrim the **jib** before the squall.",
        "jib squall",
        "Sailing guide",
    ),
    ("people.csv", b"name,city\nAnn,Oslo\nBo,Reykjavik\n", "Reykjavik", "people.csv"),
    (
        "page.html",
        b"<html><head><title>Harbour page</title><script>var hidden='tugboat';</script></head>"
        b"<body><p>Ferries leave at <b>noon</b>.</p></body></html>",
        "ferries noon",
        "Harbour page",
    ),
    ("report.pdf", pdf_bytes("Glacier melt report for the fjord"), "glacier fjord", "report.pdf"),
    (
        "memo.docx",
        docx_bytes(["Memo about the orchard", "Apples ripen late"]),
        "orchard",
        "memo.docx",
    ),
    (
        "budget.xlsx",
        xlsx_bytes([["item", "cost"], ["telescope", 1200]]),
        "telescope",
        "budget.xlsx",
    ),
    ("deck.pptx", pptx_bytes(["Quarterly kayak sales", "Paddles too"]), "kayak", "deck.pptx"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data", "words", "title"), FILES, ids=[f[0] for f in FILES])
def test_each_file_type_becomes_a_searchable_document(alice, name, data, words, title):
    # application/octet-stream: the type comes from the content and the name.
    response = upload(alice, name, data, metadata={"author": "Ann", "created_at": "2024-02-01"})
    assert response.status_code == 200, response.content
    (document_id,) = response.json()["ids"]
    hits = query(alice, words, mode="keyword")
    assert [hit["metadata"]["document_id"] for hit in hits] == [document_id]
    fetched = alice.get(f"/documents/{document_id}").json()
    assert fetched["title"] == title
    assert fetched["metadata"]["source"] == "file"
    assert fetched["metadata"]["author"] == "Ann"
    assert fetched["metadata"]["created_at"] == "2024-02-01T00:00:00+00:00"


@pytest.mark.django_db
def test_html_keeps_text_only(alice):
    upload(alice, "page.html", FILES[3][1])
    (document,) = Document.objects.all()
    assert "tugboat" not in document.text
    assert "<" not in document.text


@pytest.mark.django_db
def test_a_text_file_without_a_known_name_is_read_as_text(alice):
    response = upload(alice, "README", b"Notes on the weather station.", content_type="text/plain")
    assert response.status_code == 200
    assert Document.objects.get().text == "Notes on the weather station."


@pytest.mark.django_db
def test_two_uploads_of_one_file_are_two_documents(alice):
    first = upload(alice, "a.txt", b"Same text.").json()["ids"]
    second = upload(alice, "a.txt", b"Same text.").json()["ids"]
    assert first != second
    assert Document.objects.count() == 2


REFUSALS = [
    ("image.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, None, 415, "unsupported_file_type"),
    ("program.bin", b"\x00\x01\x02\x03binary", None, 415, "unsupported_file_type"),
    ("archive.zip", zip_bytes({"a.txt": b"hello"}), None, 415, "unsupported_file_type"),
    ("broken.pdf", b"%PDF-1.4\n garbage without objects", None, 400, "corrupt_pdf"),
    ("fake.pdf", b"this is not a pdf", None, 400, "corrupt_pdf"),
    ("locked.pdf", encrypted_pdf_bytes("Secret plans", "pw"), None, 400, "encrypted_pdf"),
    ("broken.docx", b"PK\x03\x04 not really a zip", None, 400, "unreadable_file"),
    ("empty.txt", b"  \n\n  ", None, 400, "no_text"),
    ("blank.pdf", pdf_bytes(""), None, 400, "no_text"),
    ("notes.txt", b"Fine text.", "not json", 400, "invalid"),
    ("notes.txt", b"Fine text.", "[1, 2]", 400, "invalid"),
    ("notes.txt", b"Fine text.", {"created_at": "someday"}, 400, "invalid"),
    ("notes.txt", b"Fine text.", {"source": "fax"}, 400, "invalid"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "metadata", "status", "code"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_refusals_are_json_errors_and_write_nothing(alice, name, data, metadata, status, code):
    before = snapshot()
    response = upload(alice, name, data, metadata=metadata)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == code
    assert response.json()["detail"]
    assert snapshot() == before


@pytest.mark.django_db
def test_a_file_over_the_limit_is_413_and_writes_nothing(alice, settings):
    settings.RETRIEVAL = {**settings.RETRIEVAL, "MAX_FILE_BYTES": 1000}
    before = snapshot()
    response = upload(alice, "big.txt", b"word " * 400)
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert snapshot() == before


@pytest.mark.django_db
def test_a_file_over_djangos_memory_limit_is_read_from_a_temporary_file(alice, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = upload(alice, "long.txt", b"Many words about comets. " * 200)
    assert response.status_code == 200
    assert query(alice, "comets", mode="keyword")


@pytest.mark.django_db
def test_no_file_is_400_and_json_bodies_are_415(alice):
    response = alice.post("/upsert-file", data={"metadata": "{}"})
    assert response.status_code == 400
    assert "file" in response.json()["detail"]
    response = alice.json_call("post", "/upsert-file", {"file": "text"})
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
