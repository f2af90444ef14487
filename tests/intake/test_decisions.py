import hashlib

import pytest
from django.core.exceptions import PermissionDenied

from contractdesk.companies.models import Company
from contractdesk.contracts.models import Contract, ContractStatus, TermType
from contractdesk.documents.files import open_stored
from contractdesk.documents.models import VersionSource
from contractdesk.intake.models import RequestStatus
from contractdesk.intake.services import RequestNotDecidable, approve_request, decline_request, receive_request
from contractdesk.salesconnect.models import OutboxKind, OutboxMessage
from tests.conftest import CONTRACTS, incoming_file, salesforce_record


def test_approve_creates_company_contract_and_document(manager, pending_request):
    contract = approve_request(manager, pending_request.pk)

    pending_request.refresh_from_db()
    assert pending_request.status == RequestStatus.ACCEPTED
    assert pending_request.contract == contract
    assert contract.company.salesforce_account_id == "0015g00000XyZaBAAV"
    assert contract.company.billing_city == "Greensboro"
    assert contract.title == "Cloud Platform Expansion"
    assert contract.term_type == TermType.AUTO_RENEW
    assert contract.status == ContractStatus.IN_PROCESS
    assert contract.salesforce_opportunity_id == "0065g00000QwErTAAV"
    assert contract.number.startswith("CD-")


def test_approve_files_submitted_bytes_as_version_one(manager, pending_request):
    contract = approve_request(manager, pending_request.pk)

    version = contract.documents.get().versions.get()
    submitted = (CONTRACTS / "pdf" / "common-paper-mutual-nda.pdf").read_bytes()
    assert version.number == 1
    assert version.source == VersionSource.SALESFORCE_REQUEST
    assert version.uploaded_by == manager
    assert version.sha256 == hashlib.sha256(submitted).hexdigest()
    with open_stored(version.storage_key) as stored:
        assert stored.read() == submitted


def test_approve_reuses_company_of_same_account(manager, pending_request):
    existing = Company.objects.create(name="Alpha Dynamics Inc.", salesforce_account_id="0015g00000XyZaBAAV")

    contract = approve_request(manager, pending_request.pk)

    assert contract.company == existing
    assert Company.objects.count() == 1


def test_approve_with_chosen_company(manager, pending_request):
    chosen = Company.objects.create(name="Alpha Holdings")

    contract = approve_request(manager, pending_request.pk, company_id=chosen.pk)

    assert contract.company == chosen


def test_approve_queues_salesforce_update_and_upload(manager, pending_request):
    contract = approve_request(manager, pending_request.pk)

    update = OutboxMessage.objects.filter(kind=OutboxKind.UPDATE_REQUEST).last()
    assert update.payload["fields"]["Status__c"] == "Accepted"
    assert update.payload["fields"]["Contract_Number__c"] == contract.number
    assert update.payload["fields"]["Contract_Status__c"] == "In Process"
    assert update.payload["fields"]["Contract_Link__c"].endswith(f"/contracts/{contract.pk}/")
    upload = OutboxMessage.objects.get(kind=OutboxKind.UPLOAD_DOCUMENT)
    assert upload.salesforce_id == pending_request.salesforce_id


def test_viewer_cannot_approve(viewer, pending_request):
    with pytest.raises(PermissionDenied):
        approve_request(viewer, pending_request.pk)

    pending_request.refresh_from_db()
    assert pending_request.status == RequestStatus.PENDING
    assert Contract.objects.count() == 0


def test_viewer_cannot_decline(viewer, pending_request):
    with pytest.raises(PermissionDenied):
        decline_request(viewer, pending_request.pk, "No.")

    pending_request.refresh_from_db()
    assert pending_request.status == RequestStatus.PENDING


def test_flagged_request_cannot_be_approved(manager, db):
    flagged = receive_request(salesforce_record(), [])

    with pytest.raises(RequestNotDecidable, match="problems"):
        approve_request(manager, flagged.pk)
    assert Contract.objects.count() == 0


def test_request_is_decided_only_once(manager, pending_request):
    approve_request(manager, pending_request.pk)

    with pytest.raises(RequestNotDecidable, match="already accepted"):
        decline_request(manager, pending_request.pk, "Too late")


def test_decline_needs_notes(manager, pending_request):
    with pytest.raises(RequestNotDecidable, match="Write a note"):
        decline_request(manager, pending_request.pk, "   ")


def test_decline_queues_notes_for_salesforce(manager, pending_request):
    decline_request(manager, pending_request.pk, "Use the 2026 order form template.")

    pending_request.refresh_from_db()
    assert pending_request.status == RequestStatus.DECLINED
    assert pending_request.decided_by == manager
    fields = OutboxMessage.objects.filter(kind=OutboxKind.UPDATE_REQUEST).last().payload["fields"]
    assert fields["Status__c"] == "Declined"
    assert fields["Decision_Notes__c"] == "Use the 2026 order form template."


def test_approve_files_every_stored_file(manager, db):
    files = [
        incoming_file(),
        incoming_file(CONTRACTS / "common-paper-order-form.docx", version_id="0685g00000FiLe9AAA"),
    ]
    request = receive_request(salesforce_record(), files)

    contract = approve_request(manager, request.pk)

    assert contract.documents.count() == 2
    assert OutboxMessage.objects.filter(kind=OutboxKind.UPLOAD_DOCUMENT).count() == 2


def test_same_named_files_get_distinct_titles(manager, db):
    files = [incoming_file(), incoming_file(version_id="0685g00000FiLe8AAA")]
    request = receive_request(salesforce_record(), files)

    contract = approve_request(manager, request.pk)

    titles = sorted(contract.documents.values_list("title", flat=True))
    assert titles == ["common-paper-mutual-nda", "common-paper-mutual-nda (2)"]
