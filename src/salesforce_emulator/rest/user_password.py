"""The Set User Password resource: `/sobjects/User/{id}/password`.

GET returns whether the password has expired, POST sets a new one from
`{"NewPassword": ...}` (204), DELETE resets it to a generated one and returns it. Setting
or resetting needs Manage Users, as in Salesforce; a user may read their own status.
"""

import re
import secrets

from starlette.responses import Response

from .. import ids
from ..errors import SalesforceError, not_found
from ..permissions import UserAccess
from .common import ApiCall, json_response, no_content

MIN_PASSWORD_LENGTH = 8


def _check_complexity(password: object) -> str:
    # The default password policy of a Salesforce org: 8 characters, letters and numbers.
    if not isinstance(password, str) or not password:
        raise SalesforceError(
            "INVALID_NEW_PASSWORD", "NewPassword is required: send {\"NewPassword\": \"...\"}",
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SalesforceError(
            "INVALID_NEW_PASSWORD",
            f"Your password must be at least {MIN_PASSWORD_LENGTH} characters long.",
        )
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        raise SalesforceError(
            "INVALID_NEW_PASSWORD", "Your password must have a mix of letters and numbers.",
        )
    return password


async def user_password(call: ApiCall, access: UserAccess, user_id: str) -> Response:
    """Read, set or reset a user's password."""
    try:
        user_id = ids.to_18(user_id)
    except ids.MalformedIdError:
        raise not_found() from None
    user = call.org.users.by_id(user_id)
    if user is None:
        raise not_found()

    method = call.request.method
    if method == "GET":
        if user_id != call.user_id and not access.manage_users:
            raise _insufficient_access()
        expired = call.org.store.get_setting(f"password_expired:{user_id}") == "1"
        return json_response({"isExpired": expired})

    if not access.manage_users:
        raise _insufficient_access()
    if method == "POST":
        body = await call.json()
        password = _check_complexity(body.get("NewPassword") if isinstance(body, dict) else None)
        call.org.users.set_password(user_id, password)
        call.org.store.set_setting(f"password_expired:{user_id}", "0")
        return no_content()
    if method == "DELETE":
        password = "Em1" + secrets.token_urlsafe(9)
        call.org.users.set_password(user_id, password)
        call.org.store.set_setting(f"password_expired:{user_id}", "1")
        return json_response({"NewPassword": password})
    raise SalesforceError(
        "METHOD_NOT_ALLOWED",
        f"HTTP Method '{method}' not allowed. Allowed are GET,POST,DELETE",
        status=405,
    )


def _insufficient_access() -> SalesforceError:
    return SalesforceError(
        "INSUFFICIENT_ACCESS", "insufficient access rights: setting passwords needs Manage Users",
        status=403,
    )
