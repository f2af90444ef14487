"""The sync monitor: administrators only, run logs, failed messages and their retry, Sync now."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contractdesk.salesconnect.models import OutboxKind, OutboxMessage, OutboxStatus, SyncRun, SyncRunStatus


@pytest.fixture
def failed_message(db):
    return OutboxMessage.objects.create(
        kind=OutboxKind.UPDATE_REQUEST,
        salesforce_id="a015g00000AbCdEAAV",
        payload={"fields": {"Status__c": "Accepted"}},
        status=OutboxStatus.FAILED,
        attempts=12,
        next_attempt_at=timezone.now() - datetime.timedelta(hours=1),
        last_error="INVALID_FIELD_FOR_INSERT_UPDATE: Contract_Link__c is read-only",
    )


@pytest.fixture
def configured_org(settings):
    # The view queues the task only when an org is configured. huey_queue keeps
    # the task from running, so nothing connects to this address.
    settings.SALESCONNECT = {**settings.SALESCONNECT, "LOGIN_URL": "https://127.0.0.1:9", "CLIENT_ID": "contractdesk"}


@pytest.mark.parametrize("role_fixture", ["manager", "viewer"])
def test_sync_page_is_403_for_non_admins(client_as, request, role_fixture):
    user = request.getfixturevalue(role_fixture)

    response = client_as(user).get(reverse("web:sync"))

    assert response.status_code == 403


def test_sync_page_shows_runs_and_undelivered_messages(client_as, administrator, failed_message):
    SyncRun.objects.create(
        status=SyncRunStatus.COMPLETED_WITH_PROBLEMS,
        records_seen=3,
        requests_received=2,
        requests_flagged=1,
        log="took in a015g00000AbCdEAAV\nflagged a015g00000AbCdFAAV: no file\n",
    )

    response = client_as(administrator).get(reverse("web:sync"))
    content = response.content.decode()

    assert response.status_code == 200
    assert "Completed with problems" in content
    assert "flagged a015g00000AbCdFAAV: no file" in content
    assert "<details" in content
    assert "Contract_Link__c is read-only" in content
    assert reverse("web:retry_message", args=[failed_message.pk]) in content
    assert "No Salesforce org is configured" in content


def test_sync_page_leaves_out_delivered_messages(client_as, administrator, failed_message):
    failed_message.status = OutboxStatus.DELIVERED
    failed_message.save()

    response = client_as(administrator).get(reverse("web:sync"))

    assert b"Every change has reached Salesforce." in response.content


def test_retry_requeues_failed_message(client_as, administrator, failed_message):
    response = client_as(administrator).post(reverse("web:retry_message", args=[failed_message.pk]))

    failed_message.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:sync")
    assert failed_message.status == OutboxStatus.PENDING
    assert failed_message.next_attempt_at <= timezone.now()
    assert failed_message.next_attempt_at > timezone.now() - datetime.timedelta(minutes=1)


def test_retry_as_manager_is_403(client_as, manager, failed_message):
    response = client_as(manager).post(reverse("web:retry_message", args=[failed_message.pk]))

    failed_message.refresh_from_db()
    assert response.status_code == 403
    assert failed_message.status == OutboxStatus.FAILED


def test_retry_of_pending_message_changes_nothing(client_as, administrator, failed_message):
    failed_message.status = OutboxStatus.PENDING
    failed_message.save()

    response = client_as(administrator).post(reverse("web:retry_message", args=[failed_message.pk]), follow=True)

    failed_message.refresh_from_db()
    assert b"not failed; nothing to retry" in response.content
    assert failed_message.next_attempt_at < timezone.now() - datetime.timedelta(minutes=30)


def test_sync_now_queues_inbound_sync(client_as, administrator, configured_org, huey_queue):
    response = client_as(administrator).post(reverse("web:sync_now"), follow=True)

    assert response.redirect_chain == [(reverse("web:sync"), 302)]
    assert b"Sync queued." in response.content
    assert [task.name for task in huey_queue.pending()] == ["sync_inbound"]


def test_sync_now_without_org_queues_nothing(client_as, administrator, huey_queue):
    response = client_as(administrator).post(reverse("web:sync_now"), follow=True)

    assert b"No Salesforce org is configured" in response.content
    assert huey_queue.pending_count() == 0


def test_sync_now_as_manager_is_403(client_as, manager, configured_org, huey_queue):
    response = client_as(manager).post(reverse("web:sync_now"))

    assert response.status_code == 403
    assert huey_queue.pending_count() == 0


def test_sync_page_shows_api_pause(client, administrator, settings):
    from django.utils import timezone

    from contractdesk.salesconnect.models import ApiUsage

    settings.SALESCONNECT = {**settings.SALESCONNECT, "API_SHARE": 0.8}
    ApiUsage.objects.create(pk=1, used=900, daily_limit=1000, observed_at=timezone.now())
    client.force_login(administrator)

    response = client.get("/sync/")

    assert b"900 of 1000 daily calls" in response.content
    assert b"(90%)" in response.content
    assert b"Polling and delivery are paused" in response.content
