"""The request queue's rules: take requests in from Salesforce, approve them, decline them.

Each function that changes a request also queues what Salesforce must show,
inside the same transaction, so the org never misses a decision.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import structlog
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from contractdesk.accounts.permissions import require_request_decider
from contractdesk.audit.services import record_event
from contractdesk.companies.models import Company
from contractdesk.companies.services import company_for_account
from contractdesk.contracts.models import ContractStatus, ContractType
from contractdesk.contracts.services import TERM_TYPES_FROM_SALESFORCE, create_contract
from contractdesk.documents.files import StoredFile, clip_filename
from contractdesk.documents.models import VersionSource
from contractdesk.documents.services import file_document
from contractdesk.intake.models import ContractRequest, RequestFile, RequestStatus
from contractdesk.intake.problems import MAX_PROPOSED_VALUE, MAX_TERM_MONTHS, request_problems
from contractdesk.salesconnect.outbox import queue_document_upload, queue_request_update

log = structlog.get_logger(__name__)


class RequestNotDecidable(Exception):
    """The request cannot be approved or declined in its current state."""


@dataclass(frozen=True)
class IncomingFile:
    """A file attached to a request in Salesforce, after the attempt to download it.

    ``stored`` is set when the bytes were kept; ``problem`` when they were not.
    """

    content_version_id: str
    content_document_id: str
    filename: str
    stored: StoredFile | None = None
    problem: str = ""


def already_taken_in(record: dict) -> bool:
    """Return True when this version of the Salesforce record was handled before.

    A poll window reaches back before the watermark, and a request stays
    Submitted in the org until its Pending status is delivered, so the same
    version is often read twice. Only a newer SystemModstamp is a new
    submission (or cancellation) by the salesperson.
    """
    modstamp = parse_datetime(record.get("SystemModstamp") or "")
    return ContractRequest.objects.filter(salesforce_id=record["Id"], salesforce_modstamp=modstamp).exists()


@transaction.atomic
def receive_request(record: dict, files: list[IncomingFile]) -> ContractRequest:
    """Put a submitted Salesforce request into the queue, or refresh the one already there.

    ``record`` is the Contract_Request__c as queried, with its Account__r,
    Opportunity__r and Contract_Type__r parents. The request is flagged with
    a problem when it cannot be reviewed as it is. Either way, Salesforce gets the new status.
    """
    salesforce_id = record["Id"]
    request = ContractRequest.objects.select_for_update().filter(salesforce_id=salesforce_id).first()
    if request is not None and request.status == RequestStatus.ACCEPTED:
        _restore_decided_status(request, record, "submitted again")
        return request

    contract_type = _contract_type(record)
    problems = request_problems(record, contract_type, files)
    created = request is None
    request = request or ContractRequest(salesforce_id=salesforce_id)
    _copy_salesforce_fields(request, record, contract_type)
    request.status = RequestStatus.PENDING
    request.problem = "\n".join(problems)
    request.decided_by = None
    request.decided_at = None
    request.decision_notes = ""
    request.save()

    _replace_files(request, files)
    record_event(None, "request.received" if created else "request.resubmitted", request, problems=problems)
    queue_request_update(
        salesforce_id,
        {
            "Status__c": "Pending",
            "Request_Number__c": request.request_number,
            "Sync_Message__c": request.problem or None,
            "Decision_Notes__c": None,
        },
    )
    log.info("intake.request_received", request_id=request.pk, salesforce_id=salesforce_id, problems=len(problems))
    return request


@transaction.atomic
def cancel_request(record: dict) -> ContractRequest | None:
    """Withdraw a pending request that the salesperson cancelled in Salesforce.

    A request that was already decided cannot be withdrawn; Salesforce gets
    its decided status back, with a message saying why.
    """
    request = ContractRequest.objects.select_for_update().filter(salesforce_id=record["Id"]).first()
    if request is None:
        return None
    if request.status in {RequestStatus.ACCEPTED, RequestStatus.DECLINED}:
        _restore_decided_status(request, record, "cancelled")
        return None
    if request.status != RequestStatus.PENDING:
        return None

    request.status = RequestStatus.CANCELLED
    request.salesforce_modstamp = parse_datetime(record.get("SystemModstamp") or "")
    request.save(update_fields=["status", "salesforce_modstamp", "updated_at"])
    record_event(None, "request.cancelled", request)
    queue_request_update(request.salesforce_id, {"Sync_Message__c": None})
    return request


def _restore_decided_status(request: ContractRequest, record: dict, change: str) -> None:
    """Put a decided request's status back in Salesforce after the salesperson changed it."""
    request.salesforce_modstamp = parse_datetime(record.get("SystemModstamp") or "")
    request.save(update_fields=["salesforce_modstamp", "updated_at"])

    if request.status == RequestStatus.ACCEPTED:
        message = (
            f"This request was {change} after it was accepted as contract {request.contract.number}, "
            "so its status was set back to Accepted. To change or end the contract, contact the contracts team."
        )
    else:
        message = (
            f"This request was {change} after it was declined, so its status was set back to Declined. "
            "To ask again, correct the request and set Status to Submitted."
        )
    queue_request_update(
        request.salesforce_id,
        {"Status__c": RequestStatus(request.status).label, "Sync_Message__c": message},
    )
    record_event(None, f"request.{change.replace(' ', '_')}_after_decision", request)
    log.info("intake.decided_status_restored", request_id=request.pk, salesforce_id=request.salesforce_id)


@transaction.atomic
def approve_request(user, request_id: int, *, company_id: int | None = None, title: str = ""):
    """Approve a pending request: create or pick the Company Profile, create the Contract Profile,
    and file each submitted document under the contract.

    ``company_id`` picks an existing Company Profile instead of the one linked
    to the request's Salesforce Account. Returns the new contract.
    """
    require_request_decider(user)
    request = _open_request(request_id)
    if request.problem:
        raise RequestNotDecidable("This request has problems the salesperson must fix first; it can only be declined.")

    company = _company_for(request, company_id)
    contract = create_contract(
        created_by=user,
        company=company,
        contract_type=request.contract_type,
        title=title or request.opportunity_name or request.name,
        term_type=TERM_TYPES_FROM_SALESFORCE[request.term_type],
        effective_date=request.effective_date,
        term_months=request.term_months,
        value=request.proposed_value,
        salesforce_opportunity_id=request.salesforce_opportunity_id,
        salesforce_opportunity_name=request.opportunity_name,
    )
    versions = []
    titles: set[str] = set()
    for request_file in request.files.exclude(storage_key=""):
        # Titles are unique within a contract, so two attachments with the same
        # name stay two distinguishable documents here and in Salesforce Files.
        title = _unique_title(request_file.filename.rsplit(".", 1)[0], titles)
        titles.add(title)
        versions.append(
            file_document(
                contract=contract,
                title=title,
                stored=request_file,
                filename=request_file.filename,
                source=VersionSource.SALESFORCE_REQUEST,
                uploaded_by=user,
            )
        )

    request.status = RequestStatus.ACCEPTED
    request.company = company
    request.contract = contract
    _mark_decided(request, user, "")
    record_event(user, "request.approved", request, contract=contract.number)
    record_event(user, "contract.created", contract, request=request.request_number)

    queue_request_update(
        request.salesforce_id,
        {
            "Status__c": "Accepted",
            "Request_Number__c": request.request_number,
            "Contract_Number__c": contract.number,
            "Contract_Status__c": ContractStatus(contract.status).label,
            "Contract_Link__c": f"{settings.SITE_URL}{reverse('web:contract', args=[contract.pk])}",
            "Sync_Message__c": None,
        },
    )
    for version in versions:
        queue_document_upload(request.salesforce_id, version)
    log.info("intake.request_approved", request_id=request.pk, contract=contract.number, user_id=user.pk)
    return contract


@transaction.atomic
def decline_request(user, request_id: int, notes: str) -> ContractRequest:
    """Decline a pending request; the notes are shown to the salesperson in Salesforce."""
    require_request_decider(user)
    notes = notes.strip()
    if not notes:
        raise RequestNotDecidable("Write a note for the salesperson saying why the request is declined.")
    request = _open_request(request_id)

    request.status = RequestStatus.DECLINED
    _mark_decided(request, user, notes)
    record_event(user, "request.declined", request, notes=notes)
    queue_request_update(
        request.salesforce_id,
        {"Status__c": "Declined", "Request_Number__c": request.request_number, "Decision_Notes__c": notes},
    )
    log.info("intake.request_declined", request_id=request.pk, user_id=user.pk)
    return request


def _unique_title(title: str, taken: set[str]) -> str:
    title = title[:200]
    candidate, number = title, 1
    while candidate in taken:
        number += 1
        candidate = f"{title} ({number})"
    return candidate


def _open_request(request_id: int) -> ContractRequest:
    request = ContractRequest.objects.select_for_update().get(pk=request_id)
    if not request.is_open:
        raise RequestNotDecidable(
            f"Request {request.request_number} is already {request.get_status_display().lower()}."
        )
    return request


def _mark_decided(request: ContractRequest, user, notes: str) -> None:
    request.decided_by = user
    request.decided_at = timezone.now()
    request.decision_notes = notes
    request.save()


def _company_for(request: ContractRequest, company_id: int | None) -> Company:
    if company_id is not None:
        return Company.objects.get(pk=company_id)
    company, _created = company_for_account(request.salesforce_account_id, request.account_snapshot)
    return company


def _contract_type(record: dict) -> ContractType | None:
    code = (record.get("Contract_Type__r") or {}).get("ContractDesk_Code__c")
    if not code:
        return None
    return ContractType.objects.filter(code=code, active=True).first()


def _copy_salesforce_fields(request: ContractRequest, record: dict, contract_type) -> None:
    account = record.get("Account__r") or {}
    opportunity = record.get("Opportunity__r") or {}
    created_by = record.get("CreatedBy") or {}

    request.name = (record.get("Name") or "")[:255]
    request.salesforce_account_id = record.get("Account__c") or ""
    request.account_name = (account.get("Name") or "")[:255]
    request.account_snapshot = {key: value for key, value in account.items() if key != "attributes"}
    request.salesforce_opportunity_id = record.get("Opportunity__c") or ""
    request.opportunity_name = (opportunity.get("Name") or "")[:120]
    request.opportunity_stage = (opportunity.get("StageName") or "")[:80]
    request.salesforce_contract_type_id = record.get("Contract_Type__c") or ""
    request.contract_type = contract_type
    request.term_type = record.get("Term_Type__c") or ""
    request.effective_date = _date(record.get("Effective_Date__c"))
    request.term_months = _whole_number(record.get("Term_Months__c"))
    request.proposed_value = _decimal(record.get("Proposed_Value__c"))
    request.description = record.get("Description__c") or ""
    request.submitted_by_name = (created_by.get("Name") or "")[:255]
    request.salesforce_modstamp = parse_datetime(record.get("SystemModstamp") or "")


def _replace_files(request: ContractRequest, files: list[IncomingFile]) -> None:
    # Files already stored for this request are reused by content version, so a
    # resubmission downloads only what is new; the rest is replaced.
    kept_versions = [incoming.content_version_id for incoming in files]
    request.files.exclude(salesforce_content_version_id__in=kept_versions).delete()
    for incoming in files:
        stored = incoming.stored
        RequestFile.objects.update_or_create(
            request=request,
            salesforce_content_version_id=incoming.content_version_id,
            defaults={
                "salesforce_content_document_id": incoming.content_document_id,
                "filename": clip_filename(incoming.filename),
                "media_type": stored.media_type if stored else "",
                "size": stored.size if stored else None,
                "sha256": stored.sha256 if stored else "",
                "storage_key": stored.storage_key if stored else "",
                "problem": incoming.problem,
            },
        )


def _date(value) -> datetime.date | None:
    return parse_date(value) if value else None


def _whole_number(value) -> int | None:
    if value is None:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_TERM_MONTHS else None


def _decimal(value) -> Decimal | None:
    """Return the amount in cents precision, or None when it is missing or out of range."""
    if value is None:
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None
    return amount if 0 <= amount <= Decimal(str(MAX_PROPOSED_VALUE)) else None
