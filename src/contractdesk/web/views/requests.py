"""The request queue, one request's page, its decisions and its file downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from contractdesk.accounts.permissions import require_request_decider
from contractdesk.intake.models import ContractRequest
from contractdesk.intake.services import RequestNotDecidable, approve_request, decline_request
from contractdesk.web import queries
from contractdesk.web.downloads import stored_file_response
from contractdesk.web.forms import QUEUE_STATUS_CHOICES, ApproveForm, DeclineForm, QueueFilterForm

QUEUE_PAGE_SIZE = 50


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Show the request queue filtered by status, newest first."""
    status = QueueFilterForm(request.GET).selected_status()
    page = Paginator(queries.queue_requests(status), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = queries.queue_counts()
    tabs = [(value, label, counts[value]) for value, label in QUEUE_STATUS_CHOICES]
    return render(request, "web/queue.html", {"page": page, "status": status, "tabs": tabs})


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one request's Salesforce data, files and decision, with the decision forms for deciders."""
    contract_request = queries.request_for_review(pk)
    return _render_request(request, contract_request)


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve a request and go to the contract it created."""
    require_request_decider(request.user)
    contract_request = queries.request_for_review(pk)
    form = ApproveForm(request.POST, contract_request=contract_request)
    if not form.is_valid():
        return _reject_invalid_decision(request, contract_request, approve_form=form)

    company = form.cleaned_data["company"]
    try:
        contract = approve_request(
            request.user,
            contract_request.pk,
            company_id=company.pk if company else None,
            title=form.cleaned_data["title"],
        )
    except RequestNotDecidable as exc:
        messages.error(request, str(exc))
        return redirect("web:request", pk=pk)

    messages.success(
        request,
        f"Approved {contract_request.request_number} and created contract {contract.number}. "
        "Salesforce will be updated in the background.",
    )
    return redirect("web:contract", pk=contract.pk)


@login_required
@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    """Decline a request with notes for the salesperson and go back to the queue."""
    require_request_decider(request.user)
    contract_request = queries.request_for_review(pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _reject_invalid_decision(request, contract_request, decline_form=form)

    try:
        decline_request(request.user, contract_request.pk, form.cleaned_data["notes"])
    except RequestNotDecidable as exc:
        messages.error(request, str(exc))
        return redirect("web:request", pk=pk)

    messages.success(
        request,
        f"Declined {contract_request.request_number}. "
        "Salesforce will show the decision and your notes once it is updated in the background.",
    )
    return redirect("web:queue")


@login_required
@require_GET
def request_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    """Download a file that was stored when the request was taken in."""
    stored = queries.stored_request_file(pk, file_pk)
    return stored_file_response(request, stored.storage_key, stored.filename, stored.media_type)


def _reject_invalid_decision(request: HttpRequest, contract_request: ContractRequest, **forms) -> HttpResponse:
    # The page shows the forms, and so their errors, only while the request
    # is open. Once someone else has decided it, that is the news to show.
    if contract_request.is_open:
        return _render_request(request, contract_request, status=400, **forms)

    messages.error(
        request,
        f"{contract_request.request_number} is already {contract_request.get_status_display().lower()}; "
        "nothing was changed.",
    )
    return redirect("web:request", pk=contract_request.pk)


def _render_request(
    request: HttpRequest,
    contract_request: ContractRequest,
    *,
    approve_form: ApproveForm | None = None,
    decline_form: DeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    # Deciders see the forms only while the request is open. The services
    # check the role again on every decision.
    show_decision_forms = request.user.can_decide_requests and contract_request.is_open
    context = {
        "contract_request": contract_request,
        "files": contract_request.files.all(),
        "show_decision_forms": show_decision_forms,
    }
    if show_decision_forms:
        context["approve_form"] = approve_form or ApproveForm(contract_request=contract_request)
        context["decline_form"] = decline_form or DeclineForm()
    return render(request, "web/request_detail.html", context, status=status)
