"""Failures talking to Salesforce.

``SalesforceError`` carries the error the org returned. ``retryable`` separates
failures that may pass by themselves (the org is down, busy or over its limit)
from those that need a person (a validation error, a missing field).
"""

# Error codes that mean "try the same call again later".
RETRYABLE_CODES = {
    "UNABLE_TO_LOCK_ROW",
    "REQUEST_LIMIT_EXCEEDED",
    "SERVER_UNAVAILABLE",
    "TXN_SECURITY_METERING_ERROR",
}


class SalesforceError(Exception):
    """The org returned an error, or could not be reached."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_code: str = "",
        fields: list[str] | None = None,
        retryable: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        self.fields = fields or []
        self.retryable = retryable

    def __str__(self) -> str:
        code = f"{self.error_code}: " if self.error_code else ""
        fields = f" (fields: {', '.join(self.fields)})" if self.fields else ""
        return f"{code}{self.message}{fields}"


class SalesforceAuthError(SalesforceError):
    """The org refused our credentials; an administrator must fix the connection settings."""


class SalesforceNotConfigured(SalesforceError):
    """No Salesforce org is configured."""


def error_from_response(response) -> SalesforceError:
    """Build a SalesforceError from an error response of the REST API."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None

    if isinstance(body, list) and body and isinstance(body[0], dict):
        first = body[0]
        code = first.get("errorCode", "")
        message = first.get("message", "")
        fields = first.get("fields") or []
    elif isinstance(body, dict) and "error" in body:
        code, message, fields = body["error"], body.get("error_description", ""), []
    else:
        code, message, fields = "", (response.text or "")[:500], []

    retryable = status >= 500 or code in RETRYABLE_CODES or status == 429
    return SalesforceError(
        message or f"HTTP {status}", status=status, error_code=code, fields=fields, retryable=retryable
    )
