"""File documents under contracts."""

from contractdesk.documents.files import clip_filename
from contractdesk.documents.models import Document, DocumentVersion


def file_document(*, contract, title: str, stored, filename: str, source: str, uploaded_by=None) -> DocumentVersion:
    """Create a new Document on ``contract`` whose version 1 is the already stored file ``stored``.

    ``stored`` is anything with storage_key, size, sha256 and media_type.
    """
    document = Document.objects.create(contract=contract, title=title[:255])
    return DocumentVersion.objects.create(
        document=document,
        number=1,
        filename=clip_filename(filename),
        media_type=stored.media_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.storage_key,
        source=source,
        uploaded_by=uploaded_by,
    )
