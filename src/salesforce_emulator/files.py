"""File bodies of ContentVersion records, kept as files under `<data_dir>/files/`.

Bodies are written as they arrive, chunk by chunk, with their MD5 (Salesforce's
ContentVersion.Checksum) and SHA-256 computed on the way, so no file is ever held
whole in memory.
"""

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StoredBlob:
    """A file body on disk: its name in the files folder, size and digests."""

    name: str
    size: int
    md5: str
    sha256: str


class BlobWriter:
    """Write one body incrementally; call finish() for its StoredBlob or abort() to drop it."""

    def __init__(self, folder: Path) -> None:
        self.name = uuid.uuid4().hex
        self.path = folder / self.name
        self._handle = open(self.path, "wb")  # noqa: SIM115 - closed in finish()/abort()
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._sha256 = hashlib.sha256()
        self._size = 0

    def write(self, chunk: bytes) -> None:
        """Append a chunk of the body."""
        self._handle.write(chunk)
        self._md5.update(chunk)
        self._sha256.update(chunk)
        self._size += len(chunk)

    @property
    def size(self) -> int:
        """The number of bytes written so far."""
        return self._size

    def finish(self) -> StoredBlob:
        """Close the file and return what was stored."""
        self._handle.close()
        return StoredBlob(self.name, self._size, self._md5.hexdigest(), self._sha256.hexdigest())

    def abort(self) -> None:
        """Close and delete the partly written file."""
        self._handle.close()
        self.path.unlink(missing_ok=True)


class FileStore:
    """The folder of stored file bodies."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def writer(self) -> BlobWriter:
        """Start writing a new body."""
        return BlobWriter(self.folder)

    def write_bytes(self, data: bytes) -> StoredBlob:
        """Store a body that is already in memory (a base64 JSON upload)."""
        writer = self.writer()
        writer.write(data)
        return writer.finish()

    def path(self, name: str) -> Path:
        """Return the path of a stored body by its name."""
        if os.sep in name or name.startswith("."):
            raise ValueError(f"invalid stored file name: {name!r}")
        return self.folder / name

    def delete(self, name: str) -> None:
        """Remove a stored body that no record refers to."""
        self.path(name).unlink(missing_ok=True)
