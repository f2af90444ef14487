"""Keep SalesConnect inside a share of the org's daily API limit.

Salesforce reports the org's usage on every REST response, in the header
``Sforce-Limit-Info: api-usage=USED/LIMIT``. SalesConnect records the last
figure and pauses its own polling and delivery while the org has used more
than SALESCONNECT_API_SHARE of its limit, leaving the rest to the org's other
integrations and its people.
"""

import datetime
import re

import structlog
from django.conf import settings
from django.utils import timezone

from contractdesk.salesconnect.client import SalesforceClient
from contractdesk.salesconnect.errors import SalesforceError
from contractdesk.salesconnect.models import ApiUsage

log = structlog.get_logger(__name__)

_API_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")
# While paused, the usage is read again this often, so polling resumes soon after it drops.
RECHECK_AFTER = datetime.timedelta(minutes=5)


def record_usage(client: SalesforceClient) -> ApiUsage | None:
    """Store the usage of the client's last response; return it, or None if there was none."""
    match = _API_USAGE.search(client.last_limit_info or "")
    if match is None:
        return None
    used, daily_limit = int(match[1]), int(match[2])
    usage, _ = ApiUsage.objects.update_or_create(
        pk=1, defaults={"used": used, "daily_limit": daily_limit, "observed_at": timezone.now()}
    )
    return usage


def throttle_reason(client: SalesforceClient) -> str:
    """Return why SalesConnect must pause now, or an empty string if it may call the org.

    A pause that has lasted RECHECK_AFTER reads the limits resource once to see
    whether the usage has dropped.
    """
    usage = ApiUsage.objects.filter(pk=1).first()
    share = settings.SALESCONNECT["API_SHARE"]
    if usage is None or usage.share_used < share:
        return ""

    if timezone.now() - usage.observed_at >= RECHECK_AFTER:
        try:
            client.request("GET", "limits/")
        except SalesforceError as exc:
            # The caller's own first call will meet the same failure and report it.
            log.warning("salesconnect.api_usage_unreadable", error=str(exc))
            return ""
        usage = record_usage(client) or usage
        if usage.share_used < share:
            log.info("salesconnect.api_limit_pause_ended", used=usage.used, daily_limit=usage.daily_limit)
            return ""

    return (
        f"Paused: the org has used {usage.used:,} of its {usage.daily_limit:,} daily API calls "
        f"({usage.share_used:.0%}), more than the {share:.0%} share SalesConnect keeps to. "
        "It resumes when the org's usage drops; raise SALESCONNECT_API_SHARE to allow more."
    )
