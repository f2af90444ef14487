"""SalesConnect actions that people take from the web UI."""

from contractdesk.accounts.permissions import require_admin
from contractdesk.salesconnect.tasks import sync_inbound


def request_sync(user) -> None:
    """Queue an inbound sync for a worker to run now (administrators only)."""
    require_admin(user)
    sync_inbound()
