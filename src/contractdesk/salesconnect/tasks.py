"""Background work for SalesConnect, run by Huey workers."""

import structlog
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from contractdesk.salesconnect.connection import connect, is_configured
from contractdesk.salesconnect.delivery import deliver_due_messages, deliver_soon_after_recovery
from contractdesk.salesconnect.errors import SalesforceError
from contractdesk.salesconnect.inbound import record_throttled_run, sync_contract_requests
from contractdesk.salesconnect.limits import record_usage, throttle_reason
from contractdesk.salesconnect.models import SyncRunStatus

log = structlog.get_logger(__name__)


@db_task()
@lock_task("salesconnect-inbound")
def sync_inbound() -> None:
    """Take in submitted and cancelled contract requests. Only one runs at a time."""
    if not is_configured():
        log.info("salesconnect.not_configured")
        return
    client = connect()
    try:
        reason = throttle_reason(client)
        if reason:
            record_throttled_run(reason)
            return
        run = sync_contract_requests(client)
    finally:
        record_usage(client)
        client.close()

    # The org responded, so messages held back by an outage can go now.
    if run.status != SyncRunStatus.FAILED and deliver_soon_after_recovery():
        deliver_outbox()


@db_task()
def deliver_outbox() -> None:
    """Send due outbox messages to Salesforce."""
    if not is_configured():
        return
    client = connect()
    try:
        reason = throttle_reason(client)
        if reason:
            # The messages stay queued; the sync monitor shows the pause.
            log.info("salesconnect.delivery_paused_for_api_limit")
            return
        counts = deliver_due_messages(client)
    except SalesforceError as exc:
        # Sign-in failed: the messages stay queued and the periodic retry picks them up.
        log.warning("salesconnect.delivery_unavailable", error=str(exc))
        return
    finally:
        record_usage(client)
        client.close()
    if any(counts.values()):
        log.info("salesconnect.outbox_delivered", **counts)


@db_periodic_task(crontab(minute="*"))
def retry_outbox() -> None:
    """Deliver messages whose backoff has passed; runs every minute."""
    deliver_outbox.call_local()
