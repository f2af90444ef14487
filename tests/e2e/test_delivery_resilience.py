"""Decisions reach Salesforce even when the org fails for a while, and only once."""

import pytest
from django.utils import timezone

from contractdesk.intake.models import ContractRequest, RequestStatus
from contractdesk.salesconnect.delivery import deliver_due_messages
from contractdesk.salesconnect.inbound import sync_contract_requests
from contractdesk.salesconnect.models import OutboxKind, OutboxMessage, OutboxStatus
from tests.e2e.test_salesconnect_loop import org_files, org_request

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def pending_in_org(seeded):
    sync_contract_requests(seeded)
    return ContractRequest.objects.order_by("pk").first()


def make_due_now():
    OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(next_attempt_at=timezone.now())


def test_approval_does_not_wait_for_unavailable_org(org, seeded, pending_in_org, manager_client):
    org.faults.fail_next(1000, status=503, error_code="SERVER_UNAVAILABLE")

    response = manager_client.post(f"/requests/{pending_in_org.pk}/approve", {"company": "", "title": ""})

    assert response.status_code == 302
    pending_in_org.refresh_from_db()
    assert pending_in_org.contract is not None
    waiting = OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
    assert waiting.count() == 2
    assert all(message.attempts == 1 for message in waiting)
    assert all("SERVER_UNAVAILABLE" in message.last_error for message in waiting)
    assert org_request_status(org, seeded, pending_in_org) == "Pending"

    org.faults.clear()
    make_due_now()
    counts = deliver_due_messages(seeded)

    assert counts == {"delivered": 2, "retrying": 0, "failed": 0}
    assert org_request(seeded, pending_in_org.salesforce_id)["Status__c"] == "Accepted"


def org_request_status(org, client, request):
    org.faults.clear()
    status = org_request(client, request.salesforce_id)["Status__c"]
    org.faults.fail_next(1000, status=503, error_code="SERVER_UNAVAILABLE")
    return status


def test_locked_row_is_retried(org, seeded, pending_in_org, manager_client):
    org.faults.lock_rows_next(1)

    manager_client.post(f"/requests/{pending_in_org.pk}/decline", {"notes": "Wrong template."})

    update = OutboxMessage.objects.filter(kind=OutboxKind.UPDATE_REQUEST).order_by("pk").last()
    assert update.payload["fields"]["Status__c"] == "Declined"
    assert update.status == OutboxStatus.PENDING
    assert "UNABLE_TO_LOCK_ROW" in update.last_error
    make_due_now()
    deliver_due_messages(seeded)
    assert org_request(seeded, pending_in_org.salesforce_id)["Decision_Notes__c"] == "Wrong template."


def test_upload_whose_outcome_was_lost_is_not_repeated(seeded, pending_in_org, manager_client):
    manager_client.post(f"/requests/{pending_in_org.pk}/approve", {"company": "", "title": ""})
    files_once = org_files(seeded, pending_in_org.salesforce_id)
    # As if the worker died after Salesforce stored the file but before the outbox row was marked.
    OutboxMessage.objects.filter(kind=OutboxKind.UPLOAD_DOCUMENT).update(
        status=OutboxStatus.PENDING, delivered_at=None, next_attempt_at=timezone.now()
    )

    counts = deliver_due_messages(seeded)

    assert counts["delivered"] == 1
    assert sorted(org_files(seeded, pending_in_org.salesforce_id)) == sorted(files_once)


def test_decline_survives_poll_before_pending_is_delivered(monkeypatch, seeded, manager_client):
    # A busy worker: nothing is delivered when a transaction commits.
    monkeypatch.setattr("contractdesk.salesconnect.outbox._deliver_after_commit", lambda: None)
    sync_contract_requests(seeded)
    request = ContractRequest.objects.order_by("pk").first()
    assert org_request(seeded, request.salesforce_id)["Status__c"] == "Submitted"

    manager_client.post(f"/requests/{request.pk}/decline", {"notes": "Wrong template."})
    again = sync_contract_requests(seeded)

    request.refresh_from_db()
    assert again.records_seen == 0
    assert request.status == RequestStatus.DECLINED
    assert request.decision_notes == "Wrong template."
    deliver_due_messages(seeded)
    in_org = org_request(seeded, request.salesforce_id)
    assert in_org["Status__c"] == "Declined"
    assert in_org["Decision_Notes__c"] == "Wrong template."


def test_cancel_after_approval_is_undone_in_org(seeded, pending_in_org, manager_client):
    manager_client.post(f"/requests/{pending_in_org.pk}/approve", {"company": "", "title": ""})
    seeded.request(
        "PATCH", f"sobjects/Contract_Request__c/{pending_in_org.salesforce_id}", json={"Status__c": "Cancelled"}
    )

    sync_contract_requests(seeded)

    in_org = org_request(seeded, pending_in_org.salesforce_id)
    assert in_org["Status__c"] == "Accepted"
    assert "cancelled after it was accepted" in in_org["Sync_Message__c"]
