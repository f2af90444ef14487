import pytest

from contractdesk.intake.models import ContractRequest, RequestStatus
from contractdesk.intake.services import (
    IncomingFile,
    already_taken_in,
    approve_request,
    cancel_request,
    decline_request,
    receive_request,
)
from contractdesk.salesconnect.models import OutboxKind, OutboxMessage
from tests.conftest import incoming_file, salesforce_record


def _updates_for(salesforce_id):
    return [
        message.payload["fields"]
        for message in OutboxMessage.objects.filter(salesforce_id=salesforce_id, kind=OutboxKind.UPDATE_REQUEST)
    ]


def test_receive_puts_request_in_queue(db):
    request = receive_request(salesforce_record(), [incoming_file()])

    assert request.status == RequestStatus.PENDING
    assert request.problem == ""
    assert request.account_name == "Alpha Dynamics"
    assert request.contract_type.code == "cloud-service-agreement"
    assert str(request.proposed_value) == "125000.00"
    assert request.term_months == 12
    assert request.files.get().sha256 != ""


def test_receive_tells_salesforce_pending(db):
    request = receive_request(salesforce_record(), [incoming_file()])

    [fields] = _updates_for(request.salesforce_id)
    assert fields["Status__c"] == "Pending"
    assert fields["Request_Number__c"] == request.request_number
    assert fields["Sync_Message__c"] is None


def test_receive_twice_keeps_one_request(db):
    first = receive_request(salesforce_record(), [incoming_file()])
    second = receive_request(salesforce_record(), [incoming_file()])

    assert first.pk == second.pk
    assert ContractRequest.objects.count() == 1
    assert second.files.count() == 1


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"Account__c": None, "Account__r": None}, "has no Account"),
        ({"Contract_Type__c": None, "Contract_Type__r": None}, "Contract Type is not set"),
        (
            {"Contract_Type__r": {"Name": "Lease", "ContractDesk_Code__c": "lease"}},
            "'Lease' is not set up in contractdesk",
        ),
        ({"Term_Type__c": None}, "Term Type is not set"),
        (
            {
                "Contract_Type__r": {
                    "Name": "Cloud Service Agreement",
                    "ContractDesk_Code__c": "cloud-service-agreement",
                    "Minimum_Probability__c": 90,
                }
            },
            "probability of at least 90%",
        ),
    ],
)
def test_receive_flags_request_that_needs_fixing(db, overrides, expected):
    request = receive_request(salesforce_record(**overrides), [incoming_file()])

    assert request.status == RequestStatus.PENDING
    assert expected in request.problem
    assert not request.can_be_decided
    [fields] = _updates_for(request.salesforce_id)
    assert expected in fields["Sync_Message__c"]


def test_receive_flags_request_without_files(db):
    request = receive_request(salesforce_record(), [])

    assert "No contract file is attached" in request.problem


def test_receive_keeps_unusable_file_with_its_problem(db):
    broken = IncomingFile("0685g00000FiLe2AAA", "0695g00000DoC2AAAQ", "draft.pdf", problem="draft.pdf is empty")

    request = receive_request(salesforce_record(), [broken])

    assert "draft.pdf is empty" in request.problem
    kept = request.files.get()
    assert kept.problem == "draft.pdf is empty"
    assert kept.storage_key == ""


def test_resubmission_clears_fixed_problem(db):
    flagged = receive_request(salesforce_record(), [])
    fixed = receive_request(salesforce_record(), [incoming_file()])

    assert fixed.pk == flagged.pk
    assert fixed.problem == ""
    assert _updates_for(fixed.salesforce_id)[-1]["Sync_Message__c"] is None


LATER = "2026-12-05T09:00:00.000+0000"


def test_cancel_withdraws_pending_request(pending_request):
    cancelled = cancel_request(salesforce_record(Status__c="Cancelled", SystemModstamp=LATER))

    assert cancelled.status == RequestStatus.CANCELLED
    assert _updates_for(pending_request.salesforce_id)[-1] == {"Sync_Message__c": None}


def test_cancel_of_unknown_request_does_nothing(db):
    assert cancel_request(salesforce_record("a015g00000NoNeXAAA", Status__c="Cancelled")) is None


def test_cancel_after_approval_restores_accepted(manager, pending_request):
    contract = approve_request(manager, pending_request.pk)

    assert cancel_request(salesforce_record(Status__c="Cancelled", SystemModstamp=LATER)) is None

    pending_request.refresh_from_db()
    assert pending_request.status == RequestStatus.ACCEPTED
    fields = _updates_for(pending_request.salesforce_id)[-1]
    assert fields["Status__c"] == "Accepted"
    assert contract.number in fields["Sync_Message__c"]


def test_resubmission_after_approval_restores_accepted(manager, pending_request):
    approve_request(manager, pending_request.pk)

    again = receive_request(salesforce_record(SystemModstamp=LATER), [incoming_file()])

    assert again.status == RequestStatus.ACCEPTED
    assert _updates_for(pending_request.salesforce_id)[-1]["Status__c"] == "Accepted"


def test_same_version_counts_as_taken_in(pending_request):
    assert already_taken_in(salesforce_record())
    assert not already_taken_in(salesforce_record(SystemModstamp=LATER))


def test_declined_request_survives_stale_read(manager, pending_request):
    decline_request(manager, pending_request.pk, "Wrong template.")

    # The org still shows the version taken in, because Pending was not delivered yet.
    assert already_taken_in(salesforce_record())


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"Proposed_Value__c": 99999999999999.99}, "Proposed Value 99,999,999,999,999.9"),
        ({"Proposed_Value__c": -1.0}, "Proposed Value -1.00 is outside"),
        ({"Term_Months__c": 0.0}, "Term (months) is 0"),
        ({"Term_Months__c": 9999.0}, "Term (months) is 9999"),
    ],
)
def test_receive_flags_numbers_out_of_range(db, overrides, expected):
    request = receive_request(salesforce_record(**overrides), [incoming_file()])

    assert expected in request.problem
    request.refresh_from_db()
    assert request.proposed_value is None or request.proposed_value >= 0
