"""Approving and declining from the request page, and who may do it."""

from django.contrib.messages import get_messages
from django.urls import reverse

from contractdesk.companies.models import Company
from contractdesk.contracts.models import Contract
from contractdesk.documents.models import DocumentVersion
from contractdesk.intake.models import RequestStatus
from contractdesk.salesconnect.models import OutboxKind, OutboxMessage


def queued_statuses() -> list[str]:
    # "Status__c" cannot be a JSON key lookup, because Django reads "__" as a path separator.
    updates = OutboxMessage.objects.filter(kind=OutboxKind.UPDATE_REQUEST).order_by("pk")
    return [message.payload["fields"].get("Status__c") for message in updates]


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_approve_creates_contract_and_redirects(
    client_as, manager, pending_request, django_capture_on_commit_callbacks
):
    client = client_as(manager)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("web:approve", args=[pending_request.pk]), {"company": "", "title": ""})

    contract = Contract.objects.get()
    pending_request.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:contract", args=[contract.pk])
    assert pending_request.status == RequestStatus.ACCEPTED
    assert pending_request.contract == contract
    assert contract.title == "Cloud Platform Expansion"
    assert contract.company.salesforce_account_id == "0015g00000XyZaBAAV"
    assert DocumentVersion.objects.filter(document__contract=contract).count() == 1
    assert queued_statuses() == ["Pending", "Accepted"]
    assert callbacks, "approval must schedule delivery to Salesforce after commit"
    assert any("Salesforce will be updated in the background" in text for text in message_texts(response))


def test_approve_uses_chosen_company_and_title(client_as, manager, pending_request):
    chosen = Company.objects.create(name="Alpha Dynamics Holdings")

    client_as(manager).post(
        reverse("web:approve", args=[pending_request.pk]), {"company": chosen.pk, "title": "Alpha CSA 2027"}
    )

    contract = Contract.objects.get()
    assert contract.company == chosen
    assert contract.title == "Alpha CSA 2027"


def test_approve_unknown_company_shows_error(client_as, manager, pending_request):
    response = client_as(manager).post(reverse("web:approve", args=[pending_request.pk]), {"company": 999})

    pending_request.refresh_from_db()
    assert response.status_code == 400
    assert b"That Company Profile does not exist" in response.content
    assert pending_request.status == RequestStatus.PENDING
    assert not Contract.objects.exists()


def test_approve_as_viewer_is_403(client_as, viewer, pending_request):
    response = client_as(viewer).post(reverse("web:approve", args=[pending_request.pk]), {"company": ""})

    pending_request.refresh_from_db()
    assert response.status_code == 403
    assert b"Only Contract Managers and Administrators" in response.content
    assert pending_request.status == RequestStatus.PENDING
    assert not Contract.objects.exists()
    assert not Company.objects.exists()


def test_approve_flagged_request_is_refused(client_as, manager, flagged_request):
    outbox_before = OutboxMessage.objects.count()
    client = client_as(manager)

    response = client.post(reverse("web:approve", args=[flagged_request.pk]), {"company": ""}, follow=True)

    flagged_request.refresh_from_db()
    assert response.redirect_chain == [(reverse("web:request", args=[flagged_request.pk]), 302)]
    assert b"can only be declined" in response.content
    assert flagged_request.status == RequestStatus.PENDING
    assert not Contract.objects.exists()
    assert not Company.objects.exists()
    assert OutboxMessage.objects.count() == outbox_before


def test_approve_decided_request_is_refused(client_as, manager, pending_request):
    client = client_as(manager)
    client.post(reverse("web:decline", args=[pending_request.pk]), {"notes": "No budget."})

    response = client.post(reverse("web:approve", args=[pending_request.pk]), {"company": ""}, follow=True)

    assert b"is already declined" in response.content
    assert not Contract.objects.exists()


def test_decline_requires_notes(client_as, manager, pending_request):
    response = client_as(manager).post(reverse("web:decline", args=[pending_request.pk]), {"notes": "   "})

    pending_request.refresh_from_db()
    assert response.status_code == 400
    assert b"Write a note for the salesperson" in response.content
    assert pending_request.status == RequestStatus.PENDING


def test_decline_rejects_overlong_notes(client_as, manager, pending_request):
    response = client_as(manager).post(reverse("web:decline", args=[pending_request.pk]), {"notes": "x" * 32001})

    pending_request.refresh_from_db()
    assert response.status_code == 400
    assert b"at most 32000 characters" in response.content
    assert pending_request.status == RequestStatus.PENDING


def test_decline_records_notes_and_returns_to_queue(client_as, manager, pending_request):
    response = client_as(manager).post(
        reverse("web:decline", args=[pending_request.pk]), {"notes": "Use the 2026 template."}
    )

    pending_request.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:queue")
    assert pending_request.status == RequestStatus.DECLINED
    assert pending_request.decision_notes == "Use the 2026 template."
    assert pending_request.decided_by == manager
    assert queued_statuses() == ["Pending", "Declined"]


def test_decline_as_viewer_is_403(client_as, viewer, pending_request):
    response = client_as(viewer).post(reverse("web:decline", args=[pending_request.pk]), {"notes": "No."})

    pending_request.refresh_from_db()
    assert response.status_code == 403
    assert pending_request.status == RequestStatus.PENDING
    assert pending_request.decision_notes == ""


def test_decision_on_missing_request_is_404(client_as, manager, db):
    client = client_as(manager)

    assert client.post(reverse("web:approve", args=[999]), {"company": ""}).status_code == 404
    assert client.post(reverse("web:decline", args=[999]), {"notes": "No."}).status_code == 404
