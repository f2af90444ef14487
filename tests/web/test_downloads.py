"""File downloads: the exact stored bytes, safe headers, and 404s for files that were never stored."""

from django.core.files.storage import default_storage
from django.urls import reverse

from contractdesk.intake.services import approve_request
from tests.conftest import CONTRACTS

SAMPLE_PDF = CONTRACTS / "pdf" / "common-paper-mutual-nda.pdf"


def downloaded_bytes(response) -> bytes:
    return b"".join(response.streaming_content)


def test_request_file_download_returns_exact_bytes(client_as, viewer, pending_request):
    request_file = pending_request.files.get()

    response = client_as(viewer).get(reverse("web:request_file", args=[pending_request.pk, request_file.pk]))

    assert response.status_code == 200
    assert downloaded_bytes(response) == SAMPLE_PDF.read_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="common-paper-mutual-nda.pdf"'
    assert response["Content-Length"] == str(SAMPLE_PDF.stat().st_size)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private"


def test_request_file_without_storage_key_is_404(client_as, viewer, flagged_request):
    unusable = flagged_request.files.get(storage_key="")

    response = client_as(viewer).get(reverse("web:request_file", args=[flagged_request.pk, unusable.pk]))

    assert response.status_code == 404


def test_request_file_of_another_request_is_404(client_as, viewer, pending_request, flagged_request):
    other_file = pending_request.files.get()

    response = client_as(viewer).get(reverse("web:request_file", args=[flagged_request.pk, other_file.pk]))

    assert response.status_code == 404


def test_request_file_missing_from_storage_is_404(client_as, viewer, pending_request):
    request_file = pending_request.files.get()
    default_storage.delete(request_file.storage_key)

    response = client_as(viewer).get(reverse("web:request_file", args=[pending_request.pk, request_file.pk]))

    assert response.status_code == 404
    assert b"File missing from storage" in response.content
    assert request_file.storage_key.encode() in response.content


def test_document_version_download_returns_exact_bytes(client_as, manager, viewer, pending_request):
    contract = approve_request(manager, pending_request.pk)
    version = contract.documents.get().versions.get()

    response = client_as(viewer).get(reverse("web:document_version", args=[version.pk]))

    assert response.status_code == 200
    assert downloaded_bytes(response) == SAMPLE_PDF.read_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="common-paper-mutual-nda.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_document_version_missing_is_404(client_as, viewer, db):
    response = client_as(viewer).get(reverse("web:document_version", args=[999]))

    assert response.status_code == 404
