"""SalesConnect pauses while the org is near its daily API limit, and resumes after."""

import pytest

from contractdesk.intake.models import ContractRequest
from contractdesk.salesconnect.connection import connect
from contractdesk.salesconnect.demo import seed_demo_org
from contractdesk.salesconnect.models import ApiUsage, SyncRun, SyncRunStatus
from contractdesk.salesconnect.tasks import sync_inbound
from salesforce_emulator.testing import running_emulator
from tests.conftest import REPOSITORY, SHARED_DATA
from tests.e2e.conftest import point_salesconnect_at

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def small_org(tmp_path, settings):
    with running_emulator(tmp_path / "org", package_dir=REPOSITORY / "salesforce", daily_api_limit=1000) as org:
        point_salesconnect_at(settings, org, API_SHARE=0.9)
        yield org


def test_sync_pauses_above_api_share(settings, small_org):
    client = connect()
    seed_demo_org(client, SHARED_DATA)
    sync_inbound()
    usage = ApiUsage.objects.get()
    assert usage.daily_limit == 1000
    assert usage.used > 0
    taken_in = ContractRequest.objects.count()

    settings.SALESCONNECT = {**settings.SALESCONNECT, "API_SHARE": usage.share_used / 2}
    account_id = client.create_record("Account", {"Name": "Late Co"})
    client.create_record(
        "Contract_Request__c",
        {"Name": "Late Co NDA", "Account__c": account_id, "Term_Type__c": "Perpetual", "Status__c": "Submitted"},
    )
    sync_inbound()
    sync_inbound()

    paused = SyncRun.objects.filter(status=SyncRunStatus.THROTTLED)
    assert paused.count() == 1
    assert "daily API calls" in paused.get().log
    assert ContractRequest.objects.count() == taken_in

    settings.SALESCONNECT = {**settings.SALESCONNECT, "API_SHARE": 0.9}
    sync_inbound()

    assert SyncRun.objects.order_by("-pk").first().status == SyncRunStatus.COMPLETED_WITH_PROBLEMS
    assert ContractRequest.objects.filter(name="Late Co NDA").exists()
