"""Queue changes for Salesforce in the same transaction as the change itself."""

from django.db import transaction
from django.utils import timezone

from contractdesk.salesconnect.models import OutboxKind, OutboxMessage


def queue_request_update(salesforce_id: str, fields: dict) -> OutboxMessage:
    """Queue new field values for a Contract_Request__c record."""
    message = OutboxMessage.objects.create(
        kind=OutboxKind.UPDATE_REQUEST,
        salesforce_id=salesforce_id,
        payload={"fields": fields},
        next_attempt_at=timezone.now(),
    )
    _deliver_after_commit()
    return message


def queue_document_upload(salesforce_id: str, document_version) -> OutboxMessage:
    """Queue an upload of a stored document version to Salesforce Files on a record."""
    message = OutboxMessage.objects.create(
        kind=OutboxKind.UPLOAD_DOCUMENT,
        salesforce_id=salesforce_id,
        payload={"document_version_id": document_version.pk},
        next_attempt_at=timezone.now(),
    )
    _deliver_after_commit()
    return message


def _deliver_after_commit() -> None:
    # Imported here because tasks import the delivery code, which imports models
    # that import this module's callers.
    from contractdesk.salesconnect.tasks import deliver_outbox

    transaction.on_commit(deliver_outbox, robust=True)
