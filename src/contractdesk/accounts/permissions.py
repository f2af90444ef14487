"""Permission checks that services call before they change anything."""

from django.core.exceptions import PermissionDenied

from contractdesk.accounts.models import User


def require_request_decider(user: User) -> None:
    """Raise PermissionDenied unless the user may approve or decline contract requests."""
    if not user.is_authenticated or not user.can_decide_requests:
        raise PermissionDenied("Only Contract Managers and Administrators may approve or decline contract requests.")


def require_admin(user: User) -> None:
    """Raise PermissionDenied unless the user is a contractdesk Administrator."""
    if not user.is_authenticated or not user.is_contractdesk_admin:
        raise PermissionDenied("Only Administrators may do this.")
