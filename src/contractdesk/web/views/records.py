"""Company Profiles, Contract Profiles and document downloads (read-only pages)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from contractdesk.web import queries
from contractdesk.web.downloads import stored_file_response

LIST_PAGE_SIZE = 50


@login_required
@require_GET
def companies(request: HttpRequest) -> HttpResponse:
    """List Company Profiles by name."""
    page = Paginator(queries.companies_with_contract_counts(), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/company_list.html", {"page": page})


@login_required
@require_GET
def company(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one Company Profile with its contracts and their documents."""
    return render(request, "web/company_detail.html", {"company": queries.company_with_contracts(pk)})


@login_required
@require_GET
def contracts(request: HttpRequest) -> HttpResponse:
    """List contracts, newest first."""
    page = Paginator(queries.contracts_for_list(), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/contract_list.html", {"page": page})


@login_required
@require_GET
def contract(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one Contract Profile with its documents and their versions."""
    return render(request, "web/contract_detail.html", {"contract": queries.contract_with_documents(pk)})


@login_required
@require_GET
def document_version_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Download one stored document version."""
    version = queries.document_version(pk)
    return stored_file_response(request, version.storage_key, version.filename, version.media_type)
