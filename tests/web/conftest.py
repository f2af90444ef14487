"""Fixtures for the web UI tests, on top of the suite's users and intake fixtures:
signed-in clients, requests with unique Salesforce ids, and a Huey queue that keeps tasks unrun."""

import itertools

import pytest
from huey.contrib.djhuey import HUEY
from huey.storage import MemoryStorage

from contractdesk.accounts.models import User
from contractdesk.intake.services import IncomingFile, receive_request
from tests.conftest import incoming_file, salesforce_record

_serial = itertools.count(1)


def salesforce_id(prefix: str) -> str:
    """Return a new 18-character id with a Salesforce key prefix (a01 request, 068 ContentVersion...)."""
    return f"{prefix}5g00000{next(_serial):08d}"


@pytest.fixture(autouse=True)
def salesforce_unconfigured(settings):
    """Leave SalesConnect without an org, so no task tries to reach one."""
    settings.SALESCONNECT = {**settings.SALESCONNECT, "LOGIN_URL": "", "CLIENT_ID": ""}


@pytest.fixture
def huey_queue():
    """Queue Huey tasks in memory for the test instead of running them at once, as the suite does."""
    immediate, storage = HUEY.immediate, HUEY.storage
    HUEY.immediate = False
    HUEY.storage = MemoryStorage(HUEY.name)
    try:
        yield HUEY
    finally:
        HUEY.immediate = immediate
        HUEY.storage = storage


@pytest.fixture
def client_as(client):
    """Return a function that signs the test client in as a user and returns the client."""

    def sign_in(user: User):
        client.force_login(user)
        return client

    return sign_in


def stored_pdf() -> IncomingFile:
    """Store the sample PDF as the inbound sync does, under a new ContentVersion id."""
    return incoming_file(version_id=salesforce_id("068"))


def unusable_file(filename: str = "scan.tiff") -> IncomingFile:
    """Describe an attached file that the sync could not keep."""
    return IncomingFile(
        content_version_id=salesforce_id("068"),
        content_document_id=salesforce_id("069"),
        filename=filename,
        problem=f"{filename} is not a PDF or a Word (DOCX) document. Attach the contract as a PDF or DOCX file.",
    )


@pytest.fixture
def make_request(db):
    """Return a function that takes a new request in through the intake service.

    Keyword arguments override fields of the Salesforce record; ``files``
    replaces the default single stored PDF.
    """

    def make(files: list[IncomingFile] | None = None, **overrides):
        record = salesforce_record(salesforce_id("a01"), **overrides)
        return receive_request(record, files if files is not None else [stored_pdf()])

    return make


@pytest.fixture
def flagged_request(make_request):
    """A pending request with a stored PDF and an unusable file, so it needs fixing."""
    return make_request(files=[stored_pdf(), unusable_file()], Name="CR-flagged")
