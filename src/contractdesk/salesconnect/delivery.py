"""Outbound delivery: send queued outbox messages to Salesforce, with retries and backoff.

Field updates for many requests go out together in sObject Collections calls;
files go one multipart upload at a time. A message that fails for a reason
that may pass is tried again later. One the org rejects outright is marked
failed for an administrator to look at and retry.
"""

import datetime

import structlog
from django.db.models import Q
from django.utils import timezone

from contractdesk.accounts.permissions import require_admin
from contractdesk.documents.files import open_stored
from contractdesk.documents.models import DocumentVersion
from contractdesk.salesconnect.client import SalesforceClient, soql_quote
from contractdesk.salesconnect.errors import SalesforceError
from contractdesk.salesconnect.models import OutboxKind, OutboxMessage, OutboxStatus

log = structlog.get_logger(__name__)

REQUEST_OBJECT = "Contract_Request__c"
# A claimed message is left alone by other workers for this long.
LEASE = datetime.timedelta(minutes=5)
BATCH_SIZE = 200


def deliver_due_messages(client: SalesforceClient) -> dict[str, int]:
    """Deliver every pending message that is due; return counts by outcome."""
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    while True:
        messages = claim_due_messages(BATCH_SIZE)
        if not messages:
            return counts

        updates = [message for message in messages if message.kind == OutboxKind.UPDATE_REQUEST]
        uploads = [message for message in messages if message.kind == OutboxKind.UPLOAD_DOCUMENT]
        _deliver_updates(client, updates, counts)
        for message in uploads:
            _deliver_upload(client, message, counts)


def claim_due_messages(limit: int) -> list[OutboxMessage]:
    """Claim up to ``limit`` due messages for this worker.

    The conditional update succeeds for one worker only, so a message is never
    delivered by two workers at once, on SQLite or PostgreSQL.
    """
    now = timezone.now()
    due = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    )
    claimed = []
    for message in due.order_by("created_at", "pk")[:limit]:
        won = (
            OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
            .update(locked_until=now + LEASE)
        )
        if won:
            claimed.append(message)
    return claimed


def _deliver_updates(client: SalesforceClient, messages: list[OutboxMessage], counts: dict) -> None:
    if not messages:
        return

    # Later messages for the same record win, field by field, as they were queued.
    merged: dict[str, dict] = {}
    for message in messages:
        merged.setdefault(message.salesforce_id, {}).update(message.payload["fields"])
    stamp = timezone.now().strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    for fields in merged.values():
        fields["Last_Synced__c"] = stamp

    try:
        results = client.update_records(REQUEST_OBJECT, merged)
    except SalesforceError as exc:
        results = {record_id: exc for record_id in merged}

    for message in messages:
        _settle(message, results.get(message.salesforce_id), counts)


def _deliver_upload(client: SalesforceClient, message: OutboxMessage, counts: dict) -> None:
    version = DocumentVersion.objects.select_related("document__contract").get(
        pk=message.payload["document_version_id"]
    )
    # ContentVersion.Title is at most 255 characters. The contract number and
    # version come first, so a shortened title still identifies the upload.
    title = f"{version.document.contract.number} v{version.number} {version.document.title}"[:255]
    try:
        content_version_id = _existing_upload(client, message.salesforce_id, title)
        if content_version_id is None:
            with open_stored(version.storage_key) as data:
                content_version_id = client.upload_content_version(
                    title=title,
                    path_on_client=version.filename,
                    data=data,
                    first_publish_location_id=message.salesforce_id,
                )
    except SalesforceError as exc:
        _settle(message, exc, counts)
        return
    except OSError as exc:
        lost = SalesforceError(f"The stored file {version.storage_key} could not be read: {exc.strerror}.")
        _settle(message, lost, counts)
        return

    DocumentVersion.objects.filter(pk=version.pk).update(salesforce_content_version_id=content_version_id)
    _settle(message, None, counts)


def _existing_upload(client: SalesforceClient, record_id: str, title: str) -> str | None:
    """Return the ContentVersion a previous attempt already uploaded, if the attempt
    succeeded in Salesforce but its outcome was lost here (a timeout, a crash)."""
    found = client.query(
        "SELECT Id FROM ContentVersion "
        f"WHERE FirstPublishLocationId = {soql_quote(record_id)} AND Title = {soql_quote(title)} LIMIT 1"
    )
    return next((row["Id"] for row in found), None)


def _settle(message: OutboxMessage, error: SalesforceError | None, counts: dict) -> None:
    now = timezone.now()
    message.locked_until = None
    if error is None:
        message.status = OutboxStatus.DELIVERED
        message.delivered_at = now
        message.last_error = ""
        counts["delivered"] += 1
    else:
        message.attempts += 1
        message.last_error = str(error)[:2000]
        if error.retryable:
            # 10 s, 20 s, 40 s ... capped at one hour. A message that may still
            # succeed is never given up on, so an outage of any length loses nothing.
            message.next_attempt_at = now + datetime.timedelta(seconds=min(10 * 2 ** (message.attempts - 1), 3600))
            counts["retrying"] += 1
        else:
            message.status = OutboxStatus.FAILED
            counts["failed"] += 1
        log.warning(
            "salesconnect.delivery_failed",
            outbox_id=message.pk,
            salesforce_id=message.salesforce_id,
            attempts=message.attempts,
            retryable=error.retryable,
            error=str(error),
        )
    message.save()


def deliver_soon_after_recovery() -> int:
    """Make every message that is waiting out a backoff due now; return how many.

    Called when the org has just responded, so messages that failed during an
    outage go out within seconds instead of after their backoff.
    """
    return OutboxMessage.objects.filter(status=OutboxStatus.PENDING, attempts__gt=0).update(
        next_attempt_at=timezone.now()
    )


def retry_message(user, message_id: int) -> None:
    """Put a failed message back in the queue for delivery now (administrators only)."""
    require_admin(user)
    OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.FAILED).update(
        status=OutboxStatus.PENDING, next_attempt_at=timezone.now(), locked_until=None
    )
