"""retrieval_ingest and load_retrieval_demo: files and folders in, idempotent by content hash,
one bad file reported without stopping the rest; progress on stderr, the summary on stdout."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from retrieval.models import Document
from tests.retrieval.conftest import RETRIEVAL_HOST, query, snapshot
from tests.retrieval.files import docx_bytes, encrypted_pdf_bytes, pdf_bytes


def ingest(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("retrieval_ingest", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.md").write_text("# Alpha\n\nNotes about volcanoes.")
    (tmp_path / "notes" / "b.pdf").write_bytes(pdf_bytes("Report about glaciers"))
    (tmp_path / "notes" / "c.docx").write_bytes(docx_bytes(["Memo about deserts"]))
    (tmp_path / "notes" / "locked.pdf").write_bytes(encrypted_pdf_bytes("Secret", "pw"))
    (tmp_path / "notes" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00")
    (tmp_path / "notes" / ".hidden.txt").write_text("never read")
    (tmp_path / "single.txt").write_text("A single file about rivers.")
    return tmp_path


@pytest.mark.django_db
def test_ingest_reads_folders_and_files_and_reports_each_refusal(alice, folder):
    out, err = ingest(
        RETRIEVAL_HOST, str(folder / "notes"), str(folder / "single.txt"), "--user", "alice"
    )
    lines = out.splitlines()
    assert lines[0] == "added 4, replaced 0, unchanged 0, refused 2"
    assert sorted(lines[1:]) == [
        f"refused {folder / 'notes' / 'locked.pdf'}: The PDF is encrypted; "
        "upload it without a password.",
        f"refused {folder / 'notes' / 'photo.png'}: This is a PNG image; the server reads "
        "plain text, Markdown, CSV, HTML, PDF, DOCX, XLSX and PPTX.",
    ]
    assert "file" in err
    ids = set(Document.objects.filter(owner="alice").values_list("document_id", flat=True))
    assert str((folder / "notes" / "b.pdf").resolve()) in ids
    assert len(ids) == 4
    assert query(alice, "glaciers", mode="keyword")[0]["metadata"]["title"] == "b.pdf"
    assert query(alice, "volcanoes", mode="keyword")[0]["metadata"]["title"] == "Alpha"


@pytest.mark.django_db
def test_ingest_again_skips_unchanged_files_and_replaces_changed_ones(alice, folder):
    ingest(RETRIEVAL_HOST, str(folder), "--user", "alice")
    before = snapshot()
    out, _ = ingest(RETRIEVAL_HOST, str(folder), "--user", "alice")
    assert out.splitlines()[0] == "added 0, replaced 0, unchanged 4, refused 2"
    assert snapshot() == before
    (folder / "single.txt").write_text("Rivers and lakes, rewritten.")
    out, _ = ingest(RETRIEVAL_HOST, str(folder), "--user", "alice")
    assert out.splitlines()[0] == "added 0, replaced 1, unchanged 3, refused 2"
    assert query(alice, "lakes", mode="keyword")[0]["text"] == "Rivers and lakes, rewritten."
    assert Document.objects.count() == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([RETRIEVAL_HOST, "PATH"], "name one with --user"),
        (["retrieval-open.localhost", "PATH", "--user", "alice"], "one shared corpus"),
        (["sports.localhost", "PATH"], "not retrieval"),
        ([RETRIEVAL_HOST, "/no/such/folder", "--user", "alice"], "No such file or folder"),
    ],
)
def test_ingest_refuses_bad_arguments_and_writes_nothing(open_plugin, folder, args, message):
    args = [str(folder) if arg == "PATH" else arg for arg in args]
    before = snapshot()
    with pytest.raises(CommandError, match=message):
        ingest(*args)
    assert snapshot() == before


@pytest.mark.django_db
def test_ingest_into_a_shared_corpus(open_plugin, folder):
    out, _ = ingest("retrieval-open.localhost", str(folder / "single.txt"))
    assert out.splitlines()[0] == "added 1, replaced 0, unchanged 0, refused 0"
    assert Document.objects.get().owner == ""


@pytest.mark.django_db
def test_the_demo_corpus_loads_once_for_the_demo_user(retrieval_plugin):
    out = io.StringIO()
    call_command("load_retrieval_demo", stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith("Retrieval DEMO corpus for user 'demo': 4 added")
    again = io.StringIO()
    call_command("load_retrieval_demo", stdout=again, stderr=io.StringIO())
    assert "0 added, 0 replaced, 4 unchanged" in again.getvalue()
    ids = set(Document.objects.filter(owner="demo").values_list("document_id", flat=True))
    assert ids == {"welcome.md", "search-modes.md", "file-types.md", "connectors.txt"}


@pytest.mark.django_db
def test_setup_demo_loads_the_retrieval_corpus(retrieval_plugin):
    call_command("setup_demo", stdout=io.StringIO(), stderr=io.StringIO())
    assert Document.objects.filter(plugin=retrieval_plugin, owner="demo").count() == 4


@pytest.mark.django_db
def test_status_counts_documents_and_says_how_vectors_are_searched(alice, bob):
    from tests.retrieval.conftest import upsert

    upsert(alice, {"id": "a", "text": "One."}, {"id": "b", "text": "Two."})
    upsert(bob, {"id": "a", "text": "Three."})
    out = io.StringIO()
    call_command("retrieval_status", RETRIEVAL_HOST, stdout=out)
    assert out.getvalue().splitlines() == [
        "retrieval: 3 documents of 2 owners",
        "chunks by wordllama-l2-supercat-256: 3",
        "vector search: exact (numpy; pgvector not available)",
    ]
