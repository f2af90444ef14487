"""Slow down password guessing: too many failed sign-ins lock a username or an address for a while."""

import datetime

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone

from contractdesk.accounts.models import SignInFailure

WINDOW = datetime.timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_ADDRESS = 20


def sign_in_blocked(username: str, ip_address: str | None) -> bool:
    """Return True while the username or the address has failed too often within WINDOW."""
    since = timezone.now() - WINDOW
    recent = SignInFailure.objects.filter(at__gte=since)
    if recent.filter(username=username.lower()).count() >= MAX_FAILURES_PER_USERNAME:
        return True
    return ip_address is not None and recent.filter(ip_address=ip_address).count() >= MAX_FAILURES_PER_ADDRESS


def record_failure(username: str, ip_address: str | None) -> None:
    SignInFailure.objects.create(username=username.lower(), ip_address=ip_address)
    # Old rows no longer count; dropping them keeps the table small.
    SignInFailure.objects.filter(at__lt=timezone.now() - WINDOW).delete()


def clear_failures(username: str) -> None:
    SignInFailure.objects.filter(username=username.lower()).delete()


class ThrottledSignInMixin:
    """Check the throttle before the password, and count each failure.

    NOTE: the address is REMOTE_ADDR. Behind a reverse proxy every user shares
    the proxy's address, so the per-address limit then applies to everyone
    together. Reading X-Forwarded-For safely needs the proxy's address configured.
    """

    blocked_message = (
        "Too many failed sign-ins for this account or from this address. "
        "Wait 15 minutes and try again, or ask an administrator to reset your password."
    )

    def clean(self):
        username = self.data.get("username", "")
        ip_address = self.request.META.get("REMOTE_ADDR") if self.request else None
        if sign_in_blocked(username, ip_address):
            raise ValidationError(self.blocked_message, code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            record_failure(username, ip_address)
            raise
        clear_failures(username)
        return cleaned


class ThrottledAuthenticationForm(ThrottledSignInMixin, AuthenticationForm):
    """The sign-in form of the web UI."""


class ThrottledAdminAuthenticationForm(ThrottledSignInMixin, AdminAuthenticationForm):
    """The sign-in form of the admin site."""
