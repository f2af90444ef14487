"""Store contract files: stream them to storage, hash them, and check what they really are.

Nothing about an incoming file is trusted: its name, its declared type and its
declared size are all checked against the bytes.
"""

import hashlib
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.files.temp import NamedTemporaryFile

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPTED_TYPES = {PDF: ".pdf", DOCX: ".docx"}

CHUNK_BYTES = 1024 * 1024


class FileRejected(Exception):
    """The file was rejected. ``reason`` explains why, in words a user can act on."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class StoredFile:
    storage_key: str
    size: int
    sha256: str
    media_type: str


def store_stream(chunks: Iterable[bytes], filename: str, max_bytes: int | None = None) -> StoredFile:
    """Write ``chunks`` to storage and return where they went, their size, SHA-256 and real type.

    Raises FileRejected for an empty file, one over ``max_bytes``, or one that is
    neither a PDF nor a Word (DOCX) document. Nothing is left in storage then.
    """
    limit = settings.CONTRACTDESK_MAX_FILE_BYTES if max_bytes is None else max_bytes
    digest = hashlib.sha256()
    size = 0

    with NamedTemporaryFile(suffix=".upload") as spool:
        # Spool to a temporary file first so a rejected file never reaches storage.
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise FileRejected(
                    f"{filename} is larger than the {_megabytes(limit)} limit. "
                    "Attach a smaller file, or split the contract into several files."
                )
            digest.update(chunk)
            spool.write(chunk)
        if size == 0:
            raise FileRejected(f"{filename} is empty (0 bytes). Attach the contract file again.")

        spool.flush()
        spool.seek(0)
        media_type = sniff_media_type(spool, filename)
        spool.seek(0)
        key = f"contracts/{uuid.uuid4().hex}{ACCEPTED_TYPES[media_type]}"
        saved_key = default_storage.save(key, File(spool))

    return StoredFile(storage_key=saved_key, size=size, sha256=digest.hexdigest(), media_type=media_type)


def store_file(fileobj: BinaryIO, filename: str, max_bytes: int | None = None) -> StoredFile:
    """Store an open binary file the same way as ``store_stream``."""
    return store_stream(iter(lambda: fileobj.read(CHUNK_BYTES), b""), filename, max_bytes)


def sniff_media_type(fileobj: BinaryIO, filename: str) -> str:
    """Return the media type the bytes prove, or raise FileRejected.

    A PDF starts with ``%PDF-`` within its first kilobyte; a DOCX is a ZIP
    archive holding ``word/document.xml``. The file name is only used in the message.
    """
    head = fileobj.read(1024)
    if b"%PDF-" in head:
        return PDF

    fileobj.seek(0)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(fileobj) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            names = set()
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return DOCX

    raise FileRejected(f"{filename} is not a PDF or a Word (DOCX) document. Attach the contract as a PDF or DOCX file.")


def clip_filename(filename: str, limit: int = 255) -> str:
    """Shorten a file name to ``limit`` characters, keeping its extension."""
    if len(filename) <= limit:
        return filename
    stem, dot, extension = filename.rpartition(".")
    if not dot or len(extension) > 16:
        return filename[:limit]
    return f"{stem[: limit - len(extension) - 1]}.{extension}"


def open_stored(storage_key: str):
    """Open a stored file for reading."""
    return default_storage.open(storage_key, "rb")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"
