import hashlib
import io
import zipfile

import pytest
from django.core.files.storage import default_storage

from contractdesk.documents.files import DOCX, PDF, FileRejected, clip_filename, open_stored, store_file, store_stream
from tests.conftest import CONTRACTS, SHARED_DATA


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        (CONTRACTS / "pdf" / "common-paper-order-form.pdf", PDF),
        (CONTRACTS / "common-paper-order-form.docx", DOCX),
        (CONTRACTS / "bonterms-mutual-nda.docx", DOCX),
    ],
)
def test_store_file_keeps_bytes_and_hash(path, media_type):
    content = path.read_bytes()

    with path.open("rb") as data:
        stored = store_file(data, path.name)

    assert stored.media_type == media_type
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    with open_stored(stored.storage_key) as kept:
        assert kept.read() == content


def _files_in_storage(file_storage):
    return [path for path in file_storage.rglob("*") if path.is_file()] if file_storage.exists() else []


def test_empty_file_is_rejected(file_storage):
    with pytest.raises(FileRejected, match="is empty"):
        store_stream(iter([]), "draft.pdf")
    assert _files_in_storage(file_storage) == []


def test_file_over_limit_is_rejected(file_storage):
    chunks = (b"%PDF-1.7\n" + b"0" * 1000 for _ in range(20))

    with pytest.raises(FileRejected, match="larger than"):
        store_stream(chunks, "huge.pdf", max_bytes=10_000)
    assert _files_in_storage(file_storage) == []


def test_html_named_pdf_is_rejected():
    with pytest.raises(FileRejected, match="not a PDF or a Word"):
        store_file(io.BytesIO(b"<!doctype html><html><body>hi</body></html>"), "contract.pdf")


def test_not_a_pdf_from_hostile_set_is_rejected():
    path = SHARED_DATA / "hostile-files" / "not-a-pdf.pdf"
    with path.open("rb") as data, pytest.raises(FileRejected, match="not-a-pdf.pdf"):
        store_file(data, path.name)


def test_zip_that_is_not_docx_is_rejected():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("hello.txt", "not a Word document")
    archive.seek(0)

    with pytest.raises(FileRejected, match="not a PDF or a Word"):
        store_file(archive, "contract.docx")


def test_rejected_file_leaves_storage_untouched(file_storage):
    with pytest.raises(FileRejected):
        store_file(io.BytesIO(b"plain text"), "notes.pdf")
    assert not default_storage.exists("contracts")


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("short.pdf", "short.pdf"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
        ("b" * 300, "b" * 255),
    ],
)
def test_clip_filename_keeps_extension(filename, expected):
    assert clip_filename(filename) == expected
