"""Fixtures shared by the whole suite: file storage in a temporary folder, users of each role,
and requests taken in through the real intake service."""

from pathlib import Path

import pytest

from contractdesk.accounts.models import Role, User
from contractdesk.documents.files import store_file
from contractdesk.intake.services import IncomingFile, receive_request

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CONTRACTS = SHARED_DATA / "contracts"
REPOSITORY = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def file_storage(settings, tmp_path):
    """Keep every stored file of a test in its own temporary folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "files"},
        },
    }
    return tmp_path / "files"


def _user(username: str, role: str) -> User:
    return User.objects.create_user(username, password="a-long-test-password", role=role)


@pytest.fixture
def administrator(db):
    return _user("ada", Role.ADMINISTRATOR)


@pytest.fixture
def manager(db):
    return _user("morgan", Role.CONTRACT_MANAGER)


@pytest.fixture
def viewer(db):
    return _user("vic", Role.VIEWER)


def salesforce_record(salesforce_id: str = "a015g00000AbCdEAAV", **overrides) -> dict:
    """Return a Contract_Request__c as SalesConnect queries it, with its parent records."""
    record = {
        "attributes": {"type": "Contract_Request__c"},
        "Id": salesforce_id,
        "Name": "Cloud Platform Expansion: Cloud Service Agreement",
        "Status__c": "Submitted",
        "Account__c": "0015g00000XyZaBAAV",
        "Account__r": {
            "attributes": {"type": "Account"},
            "Name": "Alpha Dynamics",
            "BillingStreet": "1 Main Street",
            "BillingCity": "Greensboro",
            "BillingState": "NC",
            "BillingPostalCode": "27401",
            "BillingCountry": "USA",
            "Phone": "3362227000",
            "Website": None,
        },
        "Opportunity__c": "0065g00000QwErTAAV",
        "Opportunity__r": {"Name": "Cloud Platform Expansion", "StageName": "Proposal/Price Quote", "Probability": 75},
        "Contract_Type__c": "a025g00000TyPeAAAV",
        "Contract_Type__r": {
            "Name": "Cloud Service Agreement",
            "ContractDesk_Code__c": "cloud-service-agreement",
            "Required_Stage__c": None,
            "Minimum_Probability__c": None,
        },
        "Term_Type__c": "Auto-Renew",
        "Effective_Date__c": "2027-01-01",
        "Term_Months__c": 12.0,
        "Proposed_Value__c": 125000.0,
        "Description__c": "Please review.",
        "CreatedBy": {"Name": "Sam Seller"},
        "SystemModstamp": "2026-12-04T10:00:00.000+0000",
    }
    record.update(overrides)
    return record


def incoming_file(path: Path = CONTRACTS / "pdf" / "common-paper-mutual-nda.pdf", version_id="0685g00000FiLe1AAA"):
    with path.open("rb") as data:
        stored = store_file(data, path.name)
    return IncomingFile(
        content_version_id=version_id, content_document_id="0695g00000DoC1AAAQ", filename=path.name, stored=stored
    )


@pytest.fixture
def pending_request(db):
    """A clean pending request with one stored PDF, as a sync would take it in."""
    return receive_request(salesforce_record(), [incoming_file()])
