"""The whole SalesConnect loop against the emulator: seed, sync, approve, decline, check the org."""

import hashlib

import pytest

from contractdesk.contracts.models import Contract
from contractdesk.intake.models import ContractRequest, RequestStatus
from contractdesk.salesconnect.client import soql_quote
from contractdesk.salesconnect.demo import DEMO_REQUESTS, seed_demo_org
from contractdesk.salesconnect.inbound import sync_contract_requests
from contractdesk.salesconnect.models import OutboxMessage, OutboxStatus, SyncRunStatus
from tests.conftest import CONTRACTS, SHARED_DATA

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REQUEST_STATUS_FIELDS = (
    "Id, Name, Status__c, Request_Number__c, Contract_Number__c, Contract_Status__c, "
    "Contract_Link__c, Decision_Notes__c, Sync_Message__c, Last_Synced__c"
)


def org_request(client, salesforce_id):
    [record] = client.query(
        f"SELECT {REQUEST_STATUS_FIELDS} FROM Contract_Request__c WHERE Id = {soql_quote(salesforce_id)}"
    )
    return record


def org_files(client, salesforce_id):
    """Return (title, sha256 of the bytes) for every file linked to a record in the org."""
    links = client.query(
        f"SELECT ContentDocumentId FROM ContentDocumentLink WHERE LinkedEntityId = {soql_quote(salesforce_id)}"
    )
    files = []
    for link in links:
        [version] = client.query(
            "SELECT Id, Title FROM ContentVersion "
            f"WHERE ContentDocumentId = {soql_quote(link['ContentDocumentId'])} AND IsLatest = true"
        )
        content = b"".join(client.download_version_data(version["Id"]))
        files.append((version["Title"], hashlib.sha256(content).hexdigest()))
    return files


def test_seeding_twice_adds_nothing(seeded):
    again = seed_demo_org(seeded, SHARED_DATA)

    assert again == {"records": 0, "contract_types": 0, "requests": 0}


def test_sync_takes_submitted_requests_in_and_marks_them_pending(seeded):
    run = sync_contract_requests(seeded)

    assert run.status == SyncRunStatus.SUCCEEDED, run.log
    assert run.requests_received >= len(DEMO_REQUESTS)
    for request in ContractRequest.objects.all():
        assert request.problem == ""
        assert request.files.exclude(storage_key="").count() == 1
        in_org = org_request(seeded, request.salesforce_id)
        assert in_org["Status__c"] == "Pending"
        assert in_org["Request_Number__c"] == request.request_number
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.DELIVERED).exists()


def test_second_sync_changes_nothing(seeded):
    sync_contract_requests(seeded)
    count = ContractRequest.objects.count()

    again = sync_contract_requests(seeded)

    assert again.requests_received == 0
    assert ContractRequest.objects.count() == count


def test_approve_and_decline_show_in_salesforce(seeded, manager_client):
    sync_contract_requests(seeded)
    to_approve, to_decline = ContractRequest.objects.order_by("pk")[:2]
    submitted = {title: sha for title, sha in org_files(seeded, to_approve.salesforce_id)}

    approved = manager_client.post(f"/requests/{to_approve.pk}/approve", {"company": "", "title": ""})
    declined = manager_client.post(
        f"/requests/{to_decline.pk}/decline", {"notes": "Use the current order form template."}
    )

    assert approved.status_code == 302
    assert declined.status_code == 302
    contract = Contract.objects.get(request=to_approve)
    in_org = org_request(seeded, to_approve.salesforce_id)
    assert in_org["Status__c"] == "Accepted"
    assert in_org["Contract_Number__c"] == contract.number
    assert in_org["Contract_Status__c"] == "In Process"
    assert in_org["Contract_Link__c"].endswith(f"/contracts/{contract.pk}/")
    assert in_org["Last_Synced__c"]

    files_after = org_files(seeded, to_approve.salesforce_id)
    new_files = [(title, sha) for title, sha in files_after if title not in submitted]
    assert len(new_files) == 1
    [(new_title, new_sha)] = new_files
    assert new_title.startswith(contract.number)
    assert new_sha in submitted.values()
    version = contract.documents.get().versions.get()
    assert new_sha == version.sha256
    assert version.salesforce_content_version_id

    in_org = org_request(seeded, to_decline.salesforce_id)
    assert in_org["Status__c"] == "Declined"
    assert in_org["Decision_Notes__c"] == "Use the current order form template."
    to_decline.refresh_from_db()
    assert to_decline.status == RequestStatus.DECLINED


def test_submitted_bytes_reach_the_contract_unchanged(seeded, manager_client):
    sync_contract_requests(seeded)
    request = ContractRequest.objects.get(name__contains="Enterprise License Renewal")

    manager_client.post(f"/requests/{request.pk}/approve", {"company": "", "title": ""})

    version = Contract.objects.get(request=request).documents.get().versions.get()
    original = (CONTRACTS / "pdf" / "common-paper-order-form.pdf").read_bytes()
    assert version.sha256 == hashlib.sha256(original).hexdigest()
    assert version.media_type == "application/pdf"
