"""Build a Salesforce client from the SalesConnect settings."""

from django.conf import settings

from contractdesk.salesconnect.auth import OrgCredentials
from contractdesk.salesconnect.client import SalesforceClient
from contractdesk.salesconnect.errors import SalesforceNotConfigured

# Signed-in sessions of this process, reused by every client built here.
_SESSIONS: dict = {}


def is_configured() -> bool:
    config = settings.SALESCONNECT
    return bool(config["LOGIN_URL"] and config["CLIENT_ID"])


def connect() -> SalesforceClient:
    """Return a client for the configured org; raise SalesforceNotConfigured if there is none."""
    config = settings.SALESCONNECT
    if not is_configured():
        raise SalesforceNotConfigured(
            "No Salesforce org is configured. Set SALESFORCE_LOGIN_URL and SALESFORCE_CLIENT_ID "
            "(and the secret or key for the chosen flow), then restart the workers."
        )

    credentials = OrgCredentials(
        login_url=config["LOGIN_URL"],
        auth_flow=config["AUTH_FLOW"],
        client_id=config["CLIENT_ID"],
        client_secret=config["CLIENT_SECRET"],
        username=config["USERNAME"],
        jwt_key_file=config["JWT_KEY_FILE"],
    )
    return SalesforceClient(
        credentials,
        api_version=config["API_VERSION"],
        timeout=config["TIMEOUT"],
        ca_bundle=config["CA_BUNDLE"],
        shared_sessions=_SESSIONS,
    )
