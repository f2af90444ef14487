"""The request queue: status tabs, newest first, problem badges, paging."""

from django.urls import reverse

from contractdesk.intake.models import RequestStatus
from contractdesk.intake.services import cancel_request


def request_numbers(response) -> list[str]:
    return [contract_request.request_number for contract_request in response.context["page"]]


def test_queue_lists_pending_requests_newest_first(client_as, viewer, make_request):
    older = make_request(Name="CR-older")
    newer = make_request(Name="CR-newer")

    response = client_as(viewer).get(reverse("web:queue"))

    assert response.status_code == 200
    assert response.context["status"] == RequestStatus.PENDING
    assert request_numbers(response) == [newer.request_number, older.request_number]
    assert b"CR-newer" in response.content
    assert b"Alpha Dynamics" in response.content
    assert b"Cloud Platform Expansion" in response.content
    assert b"Cloud Service Agreement" in response.content
    assert b"125,000.00" in response.content


def test_queue_hides_other_statuses_by_default(client_as, viewer, make_request):
    pending = make_request(Name="CR-pending")
    cancelled = make_request(Name="CR-cancelled")
    cancel_request({"Id": cancelled.salesforce_id, "SystemModstamp": "2026-12-05T10:00:00.000+0000"})

    response = client_as(viewer).get(reverse("web:queue"))

    assert request_numbers(response) == [pending.request_number]


def test_queue_filters_by_status(client_as, viewer, make_request):
    pending = make_request(Name="CR-pending")
    cancelled = make_request(Name="CR-cancelled")
    cancel_request({"Id": cancelled.salesforce_id, "SystemModstamp": "2026-12-05T10:00:00.000+0000"})
    client = client_as(viewer)

    cancelled_tab = client.get(reverse("web:queue"), {"status": "cancelled"})
    all_tab = client.get(reverse("web:queue"), {"status": "all"})
    accepted_tab = client.get(reverse("web:queue"), {"status": "accepted"})

    assert request_numbers(cancelled_tab) == [cancelled.request_number]
    assert request_numbers(all_tab) == [cancelled.request_number, pending.request_number]
    assert request_numbers(accepted_tab) == []
    assert b"No accepted requests." in accepted_tab.content


def test_queue_unknown_status_shows_pending(client_as, viewer, pending_request):
    response = client_as(viewer).get(reverse("web:queue"), {"status": "bogus"})

    assert response.status_code == 200
    assert response.context["status"] == RequestStatus.PENDING
    assert request_numbers(response) == [pending_request.request_number]


def test_queue_tabs_show_counts(client_as, viewer, make_request):
    make_request()
    cancel_request({"Id": make_request().salesforce_id, "SystemModstamp": "2026-12-05T10:00:00.000+0000"})

    response = client_as(viewer).get(reverse("web:queue"))

    assert b"Pending (1)" in response.content
    assert b"Cancelled (1)" in response.content
    assert b"All (2)" in response.content


def test_queue_badges_requests_that_need_fixing(client_as, viewer, pending_request, flagged_request):
    response = client_as(viewer).get(reverse("web:queue"))

    assert response.content.count(b"Needs fixing") == 1
    row = response.content.split(flagged_request.request_number.encode(), 1)[1].split(b"</tr>", 1)[0]
    assert b"Needs fixing" in row


def test_queue_pages_by_fifty(client_as, viewer, make_request):
    for number in range(51):
        make_request(files=[], Name=f"CR-{number:04d}")
    client = client_as(viewer)

    first = client.get(reverse("web:queue"))
    second = client.get(reverse("web:queue"), {"page": 2})

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 1
    assert b"Page 1 of 2 (51 in all)" in first.content
    assert b"?page=2" in first.content


def test_queue_query_count(client_as, viewer, make_request, django_assert_max_num_queries):
    for number in range(10):
        make_request(files=[], Name=f"CR-{number:04d}")
    client = client_as(viewer)

    # Session, user, counts, page count, page rows. A query per row would add ten more.
    with django_assert_max_num_queries(5):
        client.get(reverse("web:queue"))
