import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from contractdesk.salesconnect.delivery import _settle, claim_due_messages, retry_message
from contractdesk.salesconnect.errors import SalesforceError
from contractdesk.salesconnect.models import OutboxMessage, OutboxStatus
from contractdesk.salesconnect.outbox import queue_request_update


@pytest.fixture
def message(db):
    return queue_request_update("a015g00000AbCdEAAV", {"Status__c": "Pending"})


def test_claimed_message_is_not_claimed_again(message):
    first = claim_due_messages(10)
    second = claim_due_messages(10)

    assert [claimed.pk for claimed in first] == [message.pk]
    assert second == []


def test_expired_lease_can_be_claimed_again(message):
    OutboxMessage.objects.filter(pk=message.pk).update(locked_until=timezone.now() - datetime.timedelta(seconds=1))

    assert [claimed.pk for claimed in claim_due_messages(10)] == [message.pk]


def test_retryable_failure_backs_off(message):
    counts = {"delivered": 0, "retrying": 0, "failed": 0}

    _settle(message, SalesforceError("busy", error_code="UNABLE_TO_LOCK_ROW", retryable=True), counts)

    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at > timezone.now() + datetime.timedelta(seconds=5)
    assert "UNABLE_TO_LOCK_ROW" in message.last_error
    assert claim_due_messages(10) == []


def test_rejected_message_fails_at_once(message):
    counts = {"delivered": 0, "retrying": 0, "failed": 0}

    _settle(message, SalesforceError("No such column", error_code="INVALID_FIELD"), counts)

    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert counts["failed"] == 1


def test_administrator_can_retry_failed_message(administrator, message):
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.FAILED)

    retry_message(administrator, message.pk)

    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert [claimed.pk for claimed in claim_due_messages(10)] == [message.pk]


def test_manager_cannot_retry_failed_message(manager, message):
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.FAILED)

    with pytest.raises(PermissionDenied):
        retry_message(manager, message.pk)


def test_only_administrators_request_a_sync(manager):
    from contractdesk.salesconnect.services import request_sync

    with pytest.raises(PermissionDenied):
        request_sync(manager)
