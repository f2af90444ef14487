"""One request's page: its Salesforce data, files, problem box, decision, and which roles get the forms."""

from django.urls import reverse

from contractdesk.intake.services import decline_request


def test_request_page_shows_salesforce_data(client_as, viewer, pending_request):
    response = client_as(viewer).get(reverse("web:request", args=[pending_request.pk]))
    content = response.content.decode()

    assert response.status_code == 200
    assert pending_request.request_number in content
    assert "Alpha Dynamics" in content
    assert "0015g00000XyZaBAAV" in content
    assert "Cloud Platform Expansion" in content
    assert "Proposal/Price Quote" in content
    assert "Cloud Service Agreement" in content
    assert "Auto-Renew" in content
    assert "2027-01-01" in content
    assert "12 months" in content
    assert "125,000.00" in content
    assert "Please review." in content
    assert "Sam Seller" in content
    assert pending_request.salesforce_id in content


def test_request_page_lists_stored_file_with_download(client_as, viewer, pending_request):
    request_file = pending_request.files.get()

    response = client_as(viewer).get(reverse("web:request", args=[pending_request.pk]))
    content = response.content.decode()

    assert request_file.filename in content
    assert "application/pdf" in content
    assert request_file.sha256[:12] in content
    assert reverse("web:request_file", args=[pending_request.pk, request_file.pk]) in content


def test_request_page_shows_problem_and_unusable_file(client_as, viewer, flagged_request):
    unusable = flagged_request.files.get(storage_key="")

    response = client_as(viewer).get(reverse("web:request", args=[flagged_request.pk]))
    content = response.content.decode()

    assert "Needs fixing in Salesforce" in content
    assert "scan.tiff is not a PDF or a Word (DOCX) document" in content
    assert "Not usable" in content
    assert reverse("web:request_file", args=[flagged_request.pk, unusable.pk]) not in content


def test_request_page_shows_forms_to_deciders(client_as, manager, pending_request):
    response = client_as(manager).get(reverse("web:request", args=[pending_request.pk]))
    content = response.content.decode()

    assert reverse("web:approve", args=[pending_request.pk]) in content
    assert reverse("web:decline", args=[pending_request.pk]) in content
    assert "Use or create the company for Salesforce Account Alpha Dynamics" in content
    assert 'value="Cloud Platform Expansion"' in content


def test_request_page_hides_forms_from_viewers(client_as, viewer, pending_request):
    response = client_as(viewer).get(reverse("web:request", args=[pending_request.pk]))
    content = response.content.decode()

    assert reverse("web:approve", args=[pending_request.pk]) not in content
    assert reverse("web:decline", args=[pending_request.pk]) not in content
    assert "approve_form" not in response.context
    assert "decline_form" not in response.context


def test_request_page_disables_approve_when_flagged(client_as, manager, flagged_request):
    response = client_as(manager).get(reverse("web:request", args=[flagged_request.pk]))
    content = response.content.decode()

    assert '<fieldset disabled aria-describedby="approve-blocked">' in content
    assert "cannot be approved until the salesperson fixes the problems" in content
    assert reverse("web:decline", args=[flagged_request.pk]) in content


def test_request_page_shows_decision_and_no_forms(client_as, manager, pending_request):
    decline_request(manager, pending_request.pk, "Use the 2026 template.")

    response = client_as(manager).get(reverse("web:request", args=[pending_request.pk]))
    content = response.content.decode()

    assert "Declined" in content
    assert "Use the 2026 template." in content
    assert "morgan" in content
    assert reverse("web:approve", args=[pending_request.pk]) not in content


def test_request_page_missing_request_is_404(client_as, viewer, db):
    response = client_as(viewer).get(reverse("web:request", args=[999]))

    assert response.status_code == 404


def test_request_page_query_count(client_as, viewer, flagged_request, django_assert_max_num_queries):
    client = client_as(viewer)

    # Session, user, the request with its joins, its files.
    with django_assert_max_num_queries(4):
        client.get(reverse("web:request", args=[flagged_request.pk]))
