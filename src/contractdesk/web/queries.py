"""Read-only queries behind the web pages, each with the joins its page needs.

Views call these instead of building querysets themselves, so every page's
database cost is decided here and the views stay thin.
"""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from contractdesk.companies.models import Company
from contractdesk.contracts.models import Contract
from contractdesk.documents.models import Document, DocumentVersion
from contractdesk.intake.models import ContractRequest, RequestFile, RequestStatus
from contractdesk.salesconnect.models import OutboxMessage, OutboxStatus, SyncRun

ALL_STATUSES = "all"


def queue_requests(status: str) -> QuerySet[ContractRequest]:
    """Return the requests in one status (or every request for ``all``), newest first."""
    requests = ContractRequest.objects.select_related("contract_type").order_by("-received_at", "-pk")
    if status != ALL_STATUSES:
        requests = requests.filter(status=status)
    return requests


def queue_counts() -> dict[str, int]:
    """Count requests by status in one query. The ``all`` key is the total."""
    return ContractRequest.objects.aggregate(
        all=Count("pk"),
        **{value: Count("pk", filter=Q(status=value)) for value in RequestStatus.values},
    )


def request_for_review(pk: int) -> ContractRequest:
    """Return one request with its files, type, decision maker and contract, or raise Http404."""
    requests = ContractRequest.objects.select_related(
        "contract_type", "decided_by", "company", "contract"
    ).prefetch_related("files")
    return get_object_or_404(requests, pk=pk)


def stored_request_file(request_pk: int, file_pk: int) -> RequestFile:
    """Return a request's file whose bytes were kept, or raise Http404."""
    return get_object_or_404(RequestFile.objects.exclude(storage_key=""), request_id=request_pk, pk=file_pk)


def companies_for_choice() -> QuerySet[Company]:
    """Return the Company Profiles an approver may pick, by name."""
    return Company.objects.order_by("name", "pk")


def companies_with_contract_counts() -> QuerySet[Company]:
    """Return every Company Profile by name, each with ``contract_count``."""
    return Company.objects.annotate(contract_count=Count("contracts")).order_by("name", "pk")


def company_with_contracts(pk: int) -> Company:
    """Return one Company Profile with its contracts, their documents and versions, or raise Http404."""
    contracts = Contract.objects.select_related("contract_type").prefetch_related(_documents_with_versions())
    companies = Company.objects.prefetch_related(Prefetch("contracts", queryset=contracts))
    return get_object_or_404(companies, pk=pk)


def contracts_for_list() -> QuerySet[Contract]:
    """Return every contract, newest first, with its company and type."""
    return Contract.objects.select_related("company", "contract_type").order_by("-created_at", "-pk")


def contract_with_documents(pk: int) -> Contract:
    """Return one contract with everything its page shows, or raise Http404.

    ``contract.originating_request`` is set to the request it was approved
    from, or None for a contract made in contractdesk.
    """
    contracts = Contract.objects.select_related(
        "company", "contract_type", "parent", "created_by", "request"
    ).prefetch_related(_documents_with_versions(), "children")
    contract = get_object_or_404(contracts, pk=pk)

    # The reverse one-to-one raises when no request points at the contract.
    contract.originating_request = getattr(contract, "request", None)
    return contract


def document_version(pk: int) -> DocumentVersion:
    """Return one document version, or raise Http404."""
    return get_object_or_404(DocumentVersion, pk=pk)


def recent_sync_runs(limit: int) -> list[SyncRun]:
    """Return the newest ``limit`` inbound sync runs."""
    return list(SyncRun.objects.order_by("-started_at", "-pk")[:limit])


def undelivered_messages(limit: int) -> tuple[list[OutboxMessage], int]:
    """Return up to ``limit`` pending or failed outbox messages (failed first), and how many there are."""
    undelivered = OutboxMessage.objects.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED])
    # "failed" sorts before "pending", so the messages that need a person come first.
    messages = list(undelivered.order_by("status", "created_at", "pk")[:limit])
    return messages, undelivered.count()


def outbox_message(pk: int) -> OutboxMessage:
    """Return one outbox message, or raise Http404."""
    return get_object_or_404(OutboxMessage, pk=pk)


def _documents_with_versions() -> Prefetch:
    versions = DocumentVersion.objects.select_related("uploaded_by").order_by("number")
    documents = Document.objects.prefetch_related(Prefetch("versions", queryset=versions))
    return Prefetch("documents", queryset=documents)
