"""Requests that cannot be reviewed as they are stay in the queue, and the org shows what to fix."""

import io

import pytest

from contractdesk.documents.models import DocumentVersion
from contractdesk.intake.models import ContractRequest, RequestStatus
from contractdesk.salesconnect.inbound import sync_contract_requests
from contractdesk.salesconnect.models import OutboxMessage, OutboxStatus, SyncRunStatus
from tests.conftest import CONTRACTS
from tests.e2e.test_salesconnect_loop import org_files, org_request

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def account_and_type(salesconnect):
    account_id = salesconnect.create_record("Account", {"Name": "Northwind Traders"})
    type_id = salesconnect.create_record(
        "Contract_Type__c", {"Name": "Mutual NDA", "ContractDesk_Code__c": "mutual-nda", "Active__c": True}
    )
    return account_id, type_id


def submit(client, account_id, type_id, attachment: tuple[str, bytes] | None) -> str:
    request_id = client.create_record(
        "Contract_Request__c",
        {
            "Name": "Northwind NDA",
            "Account__c": account_id,
            "Contract_Type__c": type_id,
            "Term_Type__c": "Perpetual",
            "Status__c": "Draft",
        },
    )
    if attachment is not None:
        filename, content = attachment
        client.upload_content_version(
            title=filename, path_on_client=filename, data=io.BytesIO(content), first_publish_location_id=request_id
        )
    client.request("PATCH", f"sobjects/Contract_Request__c/{request_id}", json={"Status__c": "Submitted"})
    return request_id


def assert_flagged(client, request_id, expected):
    request = ContractRequest.objects.get(salesforce_id=request_id)
    assert request.status == RequestStatus.PENDING
    assert expected in request.problem
    in_org = org_request(client, request_id)
    assert in_org["Status__c"] == "Pending"
    assert expected in in_org["Sync_Message__c"]


def test_request_without_file_is_flagged(salesconnect, account_and_type):
    request_id = submit(salesconnect, *account_and_type, attachment=None)

    run = sync_contract_requests(salesconnect)

    assert run.status == SyncRunStatus.COMPLETED_WITH_PROBLEMS
    assert_flagged(salesconnect, request_id, "No contract file is attached")


def test_file_over_size_limit_is_flagged(settings, salesconnect, account_and_type):
    settings.CONTRACTDESK_MAX_FILE_BYTES = 10_000
    content = (CONTRACTS / "pdf" / "common-paper-mutual-nda.pdf").read_bytes()
    request_id = submit(salesconnect, *account_and_type, attachment=("nda.pdf", content))

    sync_contract_requests(salesconnect)

    assert_flagged(salesconnect, request_id, "larger than the")
    assert ContractRequest.objects.get(salesforce_id=request_id).files.get().storage_key == ""


def test_file_that_is_not_a_contract_is_flagged(salesconnect, account_and_type):
    request_id = submit(salesconnect, *account_and_type, attachment=("nda.pdf", b"<html>not a pdf</html>"))

    sync_contract_requests(salesconnect)

    assert_flagged(salesconnect, request_id, "nda.pdf is not a PDF or a Word (DOCX) document")


def test_request_whose_account_was_deleted_is_flagged(salesconnect, account_and_type):
    account_id, type_id = account_and_type
    content = (CONTRACTS / "pdf" / "common-paper-mutual-nda.pdf").read_bytes()
    request_id = submit(salesconnect, account_id, type_id, attachment=("nda.pdf", content))
    salesconnect.request("DELETE", f"sobjects/Account/{account_id}")

    sync_contract_requests(salesconnect)

    assert_flagged(salesconnect, request_id, "has no Account")


def test_fixed_request_is_taken_in_clean_on_resubmission(salesconnect, account_and_type):
    request_id = submit(salesconnect, *account_and_type, attachment=None)
    sync_contract_requests(salesconnect)
    content = (CONTRACTS / "pdf" / "common-paper-mutual-nda.pdf").read_bytes()
    salesconnect.upload_content_version(
        title="nda", path_on_client="nda.pdf", data=io.BytesIO(content), first_publish_location_id=request_id
    )
    salesconnect.request("PATCH", f"sobjects/Contract_Request__c/{request_id}", json={"Status__c": "Submitted"})

    sync_contract_requests(salesconnect)

    request = ContractRequest.objects.get(salesforce_id=request_id)
    assert request.problem == ""
    assert request.can_be_decided
    assert org_request(salesconnect, request_id)["Sync_Message__c"] is None


def test_cancelled_request_leaves_the_queue(salesconnect, account_and_type):
    content = (CONTRACTS / "pdf" / "common-paper-mutual-nda.pdf").read_bytes()
    request_id = submit(salesconnect, *account_and_type, attachment=("nda.pdf", content))
    sync_contract_requests(salesconnect)
    salesconnect.request("PATCH", f"sobjects/Contract_Request__c/{request_id}", json={"Status__c": "Cancelled"})

    run = sync_contract_requests(salesconnect)

    assert run.requests_cancelled == 1
    assert ContractRequest.objects.get(salesforce_id=request_id).status == RequestStatus.CANCELLED


def test_awkward_file_names_reach_salesforce_files(salesconnect, account_and_type, client, manager):
    content = (CONTRACTS / "pdf" / "common-paper-mutual-nda.pdf").read_bytes()
    long_name = "n" * 300 + ".pdf"
    request_id = submit(salesconnect, *account_and_type, attachment=("nda.pdf", content))
    for name in ("nda.pdf", long_name):
        salesconnect.upload_content_version(
            title=name[:200], path_on_client=name, data=io.BytesIO(content), first_publish_location_id=request_id
        )
    salesconnect.request("PATCH", f"sobjects/Contract_Request__c/{request_id}", json={"Status__c": "Submitted"})
    sync_contract_requests(salesconnect)
    request = ContractRequest.objects.get(salesforce_id=request_id)
    client.force_login(manager)

    client.post(f"/requests/{request.pk}/approve", {"company": "", "title": ""})

    versions = DocumentVersion.objects.filter(document__contract__request=request)
    assert versions.count() == 3
    assert all(version.salesforce_content_version_id for version in versions)
    assert any(version.filename.endswith(".pdf") and len(version.filename) == 255 for version in versions)
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.DELIVERED).exists()
    contract_number = versions.first().document.contract.number
    uploaded = [title for title, _sha in org_files(salesconnect, request_id) if title.startswith(contract_number)]
    assert len(uploaded) == 3
