"""A contract manager decides requests in a real browser."""

import pytest

from contractdesk.contracts.models import Contract
from contractdesk.intake.models import RequestStatus
from contractdesk.intake.services import receive_request
from tests.conftest import incoming_file, salesforce_record

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def requests_in_queue(settings):
    settings.SALESCONNECT = {**settings.SALESCONNECT, "LOGIN_URL": "", "CLIENT_ID": ""}
    first = receive_request(salesforce_record("a015g00000AbCdEAAV"), [incoming_file()])
    second = receive_request(
        salesforce_record("a015g00000AbCdFAAV", Name="Enterprise License Renewal: Order Form"), [incoming_file()]
    )
    return first, second


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()


def test_manager_approves_request_in_browser(page, live_server, manager, requests_in_queue):
    to_approve, _ = requests_in_queue
    sign_in(page, live_server, "morgan")

    page.get_by_role("link", name=to_approve.request_number).click()
    page.get_by_role("button", name="Approve").click()

    page.wait_for_url(f"{live_server.url}/contracts/*/")
    contract = Contract.objects.get(request=to_approve)
    assert contract.number in page.content()
    assert page.get_by_text("common-paper-mutual-nda.pdf").first.is_visible()


def test_manager_declines_request_in_browser(page, live_server, manager, requests_in_queue):
    _, to_decline = requests_in_queue
    sign_in(page, live_server, "morgan")

    page.get_by_role("link", name=to_decline.request_number).click()
    page.get_by_label("Notes").fill("Use the 2026 order form.")
    page.get_by_role("button", name="Decline").click()

    page.wait_for_url(f"{live_server.url}/")
    to_decline.refresh_from_db()
    assert to_decline.status == RequestStatus.DECLINED
    assert to_decline.decision_notes == "Use the 2026 order form."


def test_viewer_sees_no_decision_buttons(page, live_server, viewer, requests_in_queue):
    to_approve, _ = requests_in_queue
    sign_in(page, live_server, "vic")

    page.get_by_role("link", name=to_approve.request_number).click()

    assert page.get_by_role("heading", name=to_approve.request_number, exact=False).count() >= 1
    assert page.get_by_role("button", name="Approve").count() == 0
    assert page.get_by_role("button", name="Decline").count() == 0
