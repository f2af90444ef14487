"""Stream a multipart/form-data ContentVersion upload straight to the files folder.

Salesforce's multipart insert has a JSON part named `entity_content` with the field
values and a binary part named `VersionData` with the file body. The body part is
written to disk as it arrives; only the JSON part is kept in memory.
"""

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, MultipartState, parse_options_header
from starlette.requests import Request

from ..errors import SalesforceError
from ..files import BlobWriter, FileStore, StoredBlob
from .common import parse_json_body

JSON_PART_NAMES = ("entity_content", "entity_document")
BODY_PART_NAME = "VersionData"
# The JSON part contains field values only, so anything larger is a malformed request.
MAX_JSON_PART_BYTES = 1024 * 1024
# Salesforce's maximum file size for a ContentVersion uploaded with a multipart request: 2 GB.
MAX_BODY_BYTES = 2 * 1024 ** 3


def is_multipart(request: Request) -> bool:
    """Tell whether the request body is multipart/form-data."""
    return request.headers.get("content-type", "").lower().startswith("multipart/form-data")


def multipart_error(message: str) -> SalesforceError:
    """Return the INVALID_MULTIPART_REQUEST error Salesforce gives for a malformed multipart body."""
    return SalesforceError("INVALID_MULTIPART_REQUEST", message)


class PartHeaderCollector:
    """Collect each part's headers for python-multipart's callback parser.

    Subclasses decide where a part's data goes in on_headers_finished,
    on_part_data and on_part_end.
    """

    def __init__(self) -> None:
        self.header_field = b""
        self.header_value = b""
        self.headers: dict[str, bytes] = {}
        self.part_name = ""

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }

    def on_part_begin(self) -> None:
        self.headers = {}
        self.part_name = ""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self.header_field.decode("latin-1").lower()] = self.header_value
        self.header_field = b""
        self.header_value = b""

    def on_headers_finished(self) -> None:
        raise NotImplementedError

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        raise NotImplementedError

    def on_part_end(self) -> None:
        raise NotImplementedError


class _UploadState(PartHeaderCollector):
    """Parser callbacks that route each part to memory (JSON) or to a BlobWriter (file)."""

    def __init__(self, files: FileStore) -> None:
        super().__init__()
        self.files = files
        self.json_buffer: bytearray | None = None
        self.writer: BlobWriter | None = None
        self.entity: dict | None = None
        self.blob: StoredBlob | None = None

    def on_headers_finished(self) -> None:
        _disposition, options = parse_options_header(self.headers.get("content-disposition", b""))
        self.part_name = options.get(b"name", b"").decode("utf-8")
        if self.part_name in JSON_PART_NAMES:
            self.json_buffer = bytearray()
        elif self.part_name == BODY_PART_NAME:
            if self.writer is not None or self.blob is not None:
                raise multipart_error("The request has more than one VersionData part")
            self.writer = self.files.writer()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.part_name in JSON_PART_NAMES and self.json_buffer is not None:
            self.json_buffer += data[start:end]
            if len(self.json_buffer) > MAX_JSON_PART_BYTES:
                raise multipart_error("The entity_content part is larger than 1 MB")
        elif self.part_name == BODY_PART_NAME and self.writer is not None:
            self.writer.write(data[start:end])
            if self.writer.size > MAX_BODY_BYTES:
                raise SalesforceError(
                    "MAXIMUM_SIZE_OF_DOCUMENT",
                    f"The file is larger than the maximum of {MAX_BODY_BYTES} bytes (2 GB) for a "
                    "ContentVersion; upload a smaller file",
                    fields=["VersionData"],
                )

    def on_part_end(self) -> None:
        if self.part_name in JSON_PART_NAMES and self.json_buffer is not None:
            self.entity = parse_json_body(bytes(self.json_buffer), f"The {self.part_name} part")
            self.json_buffer = None
        elif self.part_name == BODY_PART_NAME and self.writer is not None:
            self.blob = self.writer.finish()
            self.writer = None

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.abort()
            self.writer = None
        if self.blob is not None:
            self.files.delete(self.blob.name)
            self.blob = None


async def read_upload(request: Request, files: FileStore) -> tuple[dict, StoredBlob | None]:
    """Parse a multipart ContentVersion insert; return its field values and stored body."""
    _content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if not boundary:
        raise multipart_error("The multipart/form-data Content-Type header has no boundary")

    state = _UploadState(files)
    parser = MultipartParser(boundary, state.callbacks())
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        # finalize() does not check the body was complete, so a body cut off before its
        # closing boundary would otherwise pass with its last part missing.
        if parser.state != MultipartState.END:
            raise multipart_error(
                f"The multipart body ended before its closing boundary --{boundary.decode('latin-1')}--; "
                "send the complete body",
            )
    except MultipartParseError as error:
        state.abort()
        raise multipart_error(f"The multipart body is malformed: {error}") from None
    except BaseException:
        state.abort()
        raise

    if state.entity is None:
        state.abort()
        raise multipart_error(
            "The request has no entity_content part; send the field values as JSON in a "
            "part named entity_content",
        )
    if not isinstance(state.entity, dict):
        state.abort()
        raise SalesforceError("JSON_PARSER_ERROR", "entity_content must be a JSON object")
    return state.entity, state.blob
