"""Sign in to a Salesforce org with the OAuth 2.0 flows for server integrations."""

import time
from dataclasses import dataclass
from pathlib import Path

import jwt
import requests

from contractdesk.salesconnect.errors import SalesforceAuthError, SalesforceError

# A JWT bearer assertion is valid for this many seconds; Salesforce allows at most 3 minutes.
JWT_LIFETIME_SECONDS = 170


@dataclass(frozen=True)
class Session:
    access_token: str
    instance_url: str


@dataclass(frozen=True)
class OrgCredentials:
    """How to sign in: the login URL, the connected app and the flow to use.

    ``auth_flow`` is ``client_credentials`` (client id and secret, acting as the
    app's run-as user) or ``jwt_bearer``. The JWT bearer flow needs the client id,
    the username and the private key whose certificate is on the connected app.
    """

    login_url: str
    auth_flow: str
    client_id: str
    client_secret: str = ""
    username: str = ""
    jwt_key_file: str = ""

    def __repr__(self) -> str:
        # Keep the secret out of tracebacks and log lines.
        return (
            f"OrgCredentials(login_url={self.login_url!r}, auth_flow={self.auth_flow!r}, client_id={self.client_id!r})"
        )


def request_session(http: requests.Session, credentials: OrgCredentials, timeout, verify: str | bool) -> Session:
    """Exchange the credentials for an access token at the org's token endpoint."""
    token_url = f"{credentials.login_url.rstrip('/')}/services/oauth2/token"
    if credentials.auth_flow == "client_credentials":
        form = {
            "grant_type": "client_credentials",
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
        }
    elif credentials.auth_flow == "jwt_bearer":
        form = {
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "assertion": _jwt_assertion(credentials),
        }
    else:
        raise SalesforceAuthError(
            f"Unknown Salesforce auth flow {credentials.auth_flow!r}; use client_credentials or jwt_bearer."
        )

    try:
        response = http.post(token_url, data=form, timeout=timeout, verify=verify)
    except requests.RequestException as exc:
        raise SalesforceError(
            f"Could not reach the Salesforce login URL {credentials.login_url}: {exc}", retryable=True
        ) from exc

    if response.status_code != 200:
        body = _json_or_empty(response)
        description = body.get("error_description") or response.text[:300]
        if response.status_code >= 500:
            raise SalesforceError(
                f"Salesforce login failed: {description}", status=response.status_code, retryable=True
            )
        raise SalesforceAuthError(
            f"Salesforce rejected the connected app's credentials: {description}. "
            "Check the client id, secret, username or certificate in the SalesConnect settings.",
            status=response.status_code,
            error_code=body.get("error", ""),
        )

    body = response.json()
    return Session(access_token=body["access_token"], instance_url=body["instance_url"].rstrip("/"))


def _jwt_assertion(credentials: OrgCredentials) -> str:
    try:
        key = Path(credentials.jwt_key_file).read_text()
    except OSError as exc:
        raise SalesforceAuthError(
            f"Cannot read the JWT private key file {credentials.jwt_key_file}: {exc.strerror}."
        ) from exc

    claims = {
        "iss": credentials.client_id,
        "sub": credentials.username,
        "aud": credentials.login_url.rstrip("/"),
        "exp": int(time.time()) + JWT_LIFETIME_SECONDS,
    }
    return jwt.encode(claims, key, algorithm="RS256")


def _json_or_empty(response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
