"""Text out of uploaded files: the type is read from the content first, then from the name.

Everything happens in memory: no file is written to disk here, so concurrent uploads never
share a path.
"""

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

# A zipped document (DOCX, XLSX, PPTX) may unpack to at most this many times its size: more
# is a zip bomb, not a document.
MAX_UNZIP_RATIO = 100
TEXT_TYPES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
              ".csv": "csv", ".html": "html", ".htm": "html"}  # fmt: skip
ZIP_TYPES = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
# Types known by their first bytes that carry no text this server reads.
BINARY_SIGNATURES = {
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"\x7fELF": "executable",
    b"MZ": "executable",
    b"\x1f\x8b": "gzip archive",
    b"\xd0\xcf\x11\xe0": "legacy Office document (save it as DOCX, XLSX or PPTX)",
    b"{\\rtf": "RTF document",
}
SUPPORTED = "plain text, Markdown, CSV, HTML, PDF, DOCX, XLSX and PPTX"


class UnsupportedFile(Exception):
    """Not a type this server reads (415)."""


class UnreadableFile(Exception):
    """A supported type, but broken, encrypted or without text (400)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ExtractedText:
    file_type: str
    text: str
    title: str


def extract_text(name: str, data: bytes, content_type: str = "") -> ExtractedText:
    """The text of a file; raises UnsupportedFile or UnreadableFile."""
    file_type = detect_type(name, data, content_type)
    reader = READERS[file_type]
    try:
        text, title = reader(data)
    except (UnreadableFile, UnsupportedFile):
        raise
    except Exception as exc:  # each library has exceptions of its own for a broken file
        raise UnreadableFile(
            "unreadable_file", f"The {file_type.upper()} file could not be read: {exc}"
        ) from None
    text = text.strip()
    if not text:
        raise UnreadableFile("no_text", f"The {file_type.upper()} file holds no text to index.")
    return ExtractedText(file_type, text, title.strip() or PurePath(name).name)


def detect_type(name: str, data: bytes, content_type: str = "") -> str:
    suffix = PurePath(name).suffix.lower()
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    for signature, what in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise UnsupportedFile(f"This is a {what}; the server reads {SUPPORTED}.")
    if suffix == ".pdf":
        raise UnreadableFile("corrupt_pdf", "The file is named .pdf but is not a PDF.")
    if suffix in {".docx", ".xlsx", ".pptx"}:
        raise UnreadableFile(
            "unreadable_file", f"The file is named {suffix} but is not a {suffix[1:].upper()}."
        )
    if _decoded(data) is None:
        raise UnsupportedFile(
            f"The file is not text nor a document type; the server reads {SUPPORTED}."
        )
    if suffix in TEXT_TYPES:
        return TEXT_TYPES[suffix]
    media = content_type.split(";")[0].strip().lower()
    head = data[:512].lstrip().lower()
    if media == "text/html" or head.startswith((b"<!doctype html", b"<html")):
        return "html"
    if media == "text/csv":
        return "csv"
    if media == "text/markdown":
        return "markdown"
    return "text"


def _zip_type(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise UnreadableFile(
            "unreadable_file", "The file looks like a ZIP archive but is broken."
        ) from None
    for member, file_type in ZIP_TYPES.items():
        if member in names:
            if unpacked > MAX_UNZIP_RATIO * max(len(data), 1):
                raise UnreadableFile(
                    "unreadable_file", f"The {file_type.upper()} file unpacks to too much data."
                )
            return file_type
    raise UnsupportedFile(f"This ZIP archive is no document; the server reads {SUPPORTED}.")


def _decoded(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _text(data: bytes) -> tuple[str, str]:
    return _decoded(data) or "", ""


def _markdown(data: bytes) -> tuple[str, str]:
    text = _decoded(data) or ""
    title = next(
        (line.lstrip("#").strip() for line in text.splitlines() if line.startswith("# ")), ""
    )
    return text, title


def _csv(data: bytes) -> tuple[str, str]:
    rows = list(csv.reader(io.StringIO(_decoded(data) or "")))
    if not rows:
        return "", ""
    header, *body = rows
    if not body:
        return " ".join(header), ""
    lines = [
        "; ".join(f"{name}: {value}" for name, value in zip(header, row, strict=False) if value)
        for row in body
    ]
    # One paragraph per row, so a chunk never cuts a row in half when rows are short.
    return "\n\n".join(line for line in lines if line), ""


def _html(data: bytes) -> tuple[str, str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for hidden in soup(["head", "script", "style", "noscript", "template"]):
        hidden.decompose()
    return soup.get_text("\n"), title


def _pdf(data: bytes) -> tuple[str, str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _opened_without_password(reader):
            raise UnreadableFile(
                "encrypted_pdf", "The PDF is encrypted; upload it without a password."
            )
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title or "") if reader.metadata else ""
    except UnreadableFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise UnreadableFile(
            "corrupt_pdf", f"The PDF is broken and could not be read: {exc}"
        ) from None
    return "\n\n".join(pages), str(title)


def _opened_without_password(reader) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:  # pypdf lacks the cipher, or the file is broken: either way unreadable
        return False


def _docx(data: bytes) -> tuple[str, str]:
    import docx2txt

    return docx2txt.process(io.BytesIO(data)) or "", ""


def _xlsx(data: bytes) -> tuple[str, str]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        parts: list[str] = []
        for sheet in workbook.worksheets:
            rows = [
                "\t".join("" if cell is None else str(cell) for cell in row).strip()
                for row in sheet.iter_rows(values_only=True)
            ]
            rows = [row for row in rows if row]
            if rows:
                parts.append(f"{sheet.title}\n" + "\n".join(rows))
        return "\n\n".join(parts), ""
    finally:
        workbook.close()


def _pptx(data: bytes) -> tuple[str, str]:
    from pptx import Presentation

    presentation = Presentation(io.BytesIO(data))
    slides: list[str] = []
    for slide in presentation.slides:
        texts = [
            shape.text_frame.text
            for shape in slide.shapes
            if shape.has_text_frame and shape.text_frame.text.strip()
        ]
        if texts:
            slides.append("\n".join(texts))
    return "\n\n".join(slides), presentation.core_properties.title or ""


READERS = {
    "text": _text,
    "markdown": _markdown,
    "csv": _csv,
    "html": _html,
    "pdf": _pdf,
    "docx": _docx,
    "xlsx": _xlsx,
    "pptx": _pptx,
}
