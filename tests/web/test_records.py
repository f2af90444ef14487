"""Company and contract pages, read by every role."""

import pytest
from django.urls import reverse

from contractdesk.intake.services import approve_request


@pytest.fixture
def contract(manager, pending_request):
    return approve_request(manager, pending_request.pk, title="Alpha CSA 2027")


def test_company_list_shows_companies(client_as, viewer, contract):
    response = client_as(viewer).get(reverse("web:companies"))
    content = response.content.decode()

    assert response.status_code == 200
    assert "Alpha Dynamics" in content
    assert "0015g00000XyZaBAAV" in content
    assert "Greensboro" in content
    assert reverse("web:company", args=[contract.company.pk]) in content


def test_company_list_empty(client_as, viewer):
    response = client_as(viewer).get(reverse("web:companies"))

    assert b"No Company Profiles yet." in response.content


def test_company_page_shows_address_and_contracts(client_as, viewer, contract):
    version = contract.documents.get().versions.get()

    response = client_as(viewer).get(reverse("web:company", args=[contract.company.pk]))
    content = response.content.decode()

    assert response.status_code == 200
    assert "1 Main Street<br>Greensboro NC 27401<br>USA" in content
    assert contract.number in content
    assert "Alpha CSA 2027" in content
    assert reverse("web:document_version", args=[version.pk]) in content


def test_contract_list_shows_contracts(client_as, viewer, contract):
    response = client_as(viewer).get(reverse("web:contracts"))
    content = response.content.decode()

    assert response.status_code == 200
    assert contract.number in content
    assert "Alpha CSA 2027" in content
    assert "Cloud Service Agreement" in content
    assert "In Process" in content
    assert "Auto-Renew" in content
    assert "2027-01-01" in content
    assert "125,000.00" in content


def test_contract_page_shows_fields_and_request(client_as, viewer, contract, pending_request):
    response = client_as(viewer).get(reverse("web:contract", args=[contract.pk]))
    content = response.content.decode()

    assert response.status_code == 200
    assert contract.number in content
    assert "12 months" in content
    assert "2027-12-31" in content
    assert "Cloud Platform Expansion" in content
    assert reverse("web:request", args=[pending_request.pk]) in content
    assert pending_request.request_number in content
    assert reverse("web:company", args=[contract.company.pk]) in content


def test_contract_page_lists_document_versions(client_as, viewer, contract):
    version = contract.documents.get().versions.get()

    response = client_as(viewer).get(reverse("web:contract", args=[contract.pk]))
    content = response.content.decode()

    assert version.filename in content
    assert version.sha256 in content
    assert "Salesforce contract request" in content
    assert "Not yet uploaded" in content
    assert reverse("web:document_version", args=[version.pk]) in content


def test_contract_page_marks_versions_in_salesforce_files(client_as, viewer, contract):
    contract.documents.get().versions.update(salesforce_content_version_id="0685g00000UpLoAAAA")

    response = client_as(viewer).get(reverse("web:contract", args=[contract.pk]))

    assert b"In Salesforce Files" in response.content


def test_contract_page_without_request(client_as, viewer, contract, pending_request):
    pending_request.contract = None
    pending_request.save(update_fields=["contract"])

    response = client_as(viewer).get(reverse("web:contract", args=[contract.pk]))

    assert response.status_code == 200
    assert b"None (made in contractdesk)" in response.content


def test_contract_page_query_count(client_as, viewer, contract, django_assert_max_num_queries):
    client = client_as(viewer)

    # Session, user, the contract with its joins, children, documents, versions.
    with django_assert_max_num_queries(6):
        client.get(reverse("web:contract", args=[contract.pk]))


def test_company_page_query_count(client_as, viewer, contract, django_assert_max_num_queries):
    client = client_as(viewer)

    # Session, user, company, contracts, documents, versions.
    with django_assert_max_num_queries(6):
        client.get(reverse("web:company", args=[contract.company.pk]))
