"""Stream stored contract files to the browser."""

import structlog
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from contractdesk.documents.files import open_stored

log = structlog.get_logger(__name__)


def stored_file_response(request: HttpRequest, storage_key: str, filename: str, media_type: str) -> HttpResponse:
    """Return a download of a stored file under its original name and media type.

    When file storage has nothing under the key, log an error and return a 404
    page that names the missing file. A contract file going missing is data
    loss that an administrator must look into.
    """
    try:
        stored = open_stored(storage_key)
    except FileNotFoundError:
        log.error("web.stored_file_missing", storage_key=storage_key, filename=filename)
        context = {"filename": filename, "storage_key": storage_key}
        return render(request, "web/file_missing.html", context, status=404)

    response = FileResponse(
        stored,
        as_attachment=True,
        filename=filename,
        content_type=media_type or "application/octet-stream",
    )
    # The declared type came from sniffing the bytes at intake, so the browser
    # must not guess another one, and shared caches must not keep contracts.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private"
    return response
