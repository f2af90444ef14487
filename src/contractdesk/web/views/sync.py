"""The sync monitor for administrators: inbound runs, undelivered outbox messages, and retries."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from contractdesk.accounts.permissions import require_admin
from contractdesk.salesconnect.connection import is_configured
from contractdesk.salesconnect.delivery import retry_message
from contractdesk.salesconnect.models import ApiUsage, OutboxStatus
from contractdesk.salesconnect.services import request_sync
from contractdesk.web import queries

RECENT_RUNS = 20
UNDELIVERED_SHOWN = 100


@login_required
@require_GET
def sync_monitor(request: HttpRequest) -> HttpResponse:
    """Show recent inbound sync runs and the outbox messages not yet delivered."""
    require_admin(request.user)
    undelivered, undelivered_total = queries.undelivered_messages(UNDELIVERED_SHOWN)
    context = {
        "runs": queries.recent_sync_runs(RECENT_RUNS),
        "undelivered": undelivered,
        "undelivered_total": undelivered_total,
        "salesforce_configured": is_configured(),
        "api_usage": ApiUsage.objects.filter(pk=1).first(),
        "api_share": settings.SALESCONNECT["API_SHARE"],
    }
    return render(request, "web/sync.html", context)


@login_required
@require_POST
def sync_now(request: HttpRequest) -> HttpResponse:
    """Queue an inbound sync for a worker to run now."""
    require_admin(request.user)
    if not is_configured():
        messages.warning(
            request,
            "No Salesforce org is configured, so there is nothing to sync. Set SALESFORCE_LOGIN_URL "
            "and SALESFORCE_CLIENT_ID (and the secret or key for the chosen flow), then restart the workers.",
        )
        return redirect("web:sync")

    request_sync(request.user)
    messages.success(
        request,
        "Sync queued. A worker runs it shortly, unless a sync is already running; reload this page to see the new run.",
    )
    return redirect("web:sync")


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a failed outbox message back in the delivery queue."""
    require_admin(request.user)
    message = queries.outbox_message(pk)
    if message.status != OutboxStatus.FAILED:
        messages.info(
            request,
            f"Outbox message {message.pk} is {message.get_status_display().lower()}, not failed; nothing to retry.",
        )
        return redirect("web:sync")

    retry_message(request.user, message.pk)
    messages.success(
        request,
        f"Outbox message {message.pk} is queued again. The next delivery run sends it; "
        "delivery runs every minute while a worker is running.",
    )
    return redirect("web:sync")
