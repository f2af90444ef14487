"""The OAuth 2.0 token endpoint (client credentials, JWT bearer, password and refresh) and UserInfo.

Error bodies and descriptions follow what Salesforce returns, for example
`{"error": "invalid_grant", "error_description": "audience is invalid"}`.
"""

import base64
import datetime
import hashlib
import hmac
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jwt
from cryptography import x509

from .sessions import ConnectedApp, Session, SessionService
from .users import UserDirectory

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class OAuthError(Exception):
    """A token request Salesforce would reject, with its OAuth error and description."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def to_json(self) -> dict:
        """Return the error body of the token endpoint."""
        return {"error": self.error, "error_description": self.description}


@dataclass
class OrgUrls:
    """Where the org answers: the login URL (JWT audience) and the instance URL."""

    login_url: str
    instance_url: str


class OAuthService:
    """Turn token requests into sessions."""

    def __init__(self, sessions: SessionService, users: UserDirectory, org_id: str) -> None:
        self.sessions = sessions
        self.users = users
        self.org_id = org_id

    def token(self, form: dict, urls: OrgUrls) -> dict:
        """Handle a POST to /services/oauth2/token; raise OAuthError when it is refused."""
        grant_type = form.get("grant_type")
        if grant_type == "client_credentials":
            app = self._app_with_secret(form)
            return self._response(self._session(app.run_as_user_id, app), app, urls)
        if grant_type == JWT_BEARER:
            return self._jwt_bearer(form, urls)
        if grant_type == "password":
            return self._password(form, urls)
        if grant_type == "refresh_token":
            return self._refresh(form, urls)
        raise OAuthError("unsupported_grant_type", "grant type not supported")

    def _app(self, client_id: str | None) -> ConnectedApp:
        app = self.sessions.app(client_id) if client_id else None
        if app is None:
            raise OAuthError("invalid_client_id", "client identifier invalid")
        return app

    def _app_with_secret(self, form: dict) -> ConnectedApp:
        app = self._app(form.get("client_id"))
        secret = form.get("client_secret") or ""
        if not hmac.compare_digest(secret.encode(), app.client_secret.encode()):
            raise OAuthError("invalid_client", "invalid client credentials")
        return app

    def _session(self, user_id: str, app: ConnectedApp) -> Session:
        user = self.users.by_id(user_id)
        if user is None or not user["IsActive"]:
            raise OAuthError("invalid_grant", "inactive user")
        self.users.record_login(user_id)
        return self.sessions.issue(user_id, app.client_id)

    def _jwt_bearer(self, form: dict, urls: OrgUrls) -> dict:
        assertion = form.get("assertion") or ""
        try:
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.InvalidTokenError:
            raise OAuthError("invalid_grant", "invalid assertion") from None

        app = self._app(unverified.get("iss"))
        if not app.certificate_pem:
            raise OAuthError("invalid_grant", "invalid assertion")
        public_key = x509.load_pem_x509_certificate(app.certificate_pem.encode()).public_key()
        audiences = {urls.login_url, urls.login_url + "/", urls.instance_url}
        try:
            claims = jwt.decode(
                assertion,
                public_key,
                algorithms=["RS256"],
                audience=list(audiences),
                options={"require": ["exp", "iss", "sub", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise OAuthError("invalid_grant", "expired authorization code") from None
        except jwt.InvalidAudienceError:
            raise OAuthError("invalid_grant", "audience is invalid") from None
        except jwt.InvalidTokenError:
            raise OAuthError("invalid_grant", "invalid assertion") from None

        user = self.users.by_username(str(claims["sub"]))
        if user is None:
            raise OAuthError("invalid_grant", "user hasn't approved this consumer")
        return self._response(self._session(user["Id"], app), app, urls)

    def _password(self, form: dict, urls: OrgUrls) -> dict:
        app = self._app_with_secret(form)
        user = self.users.check_password(form.get("username") or "", form.get("password") or "")
        if user is None:
            raise OAuthError("invalid_grant", "authentication failure")
        session = self._session(user["Id"], app)
        return self._response(session, app, urls)

    def _refresh(self, form: dict, urls: OrgUrls) -> dict:
        app = self._app(form.get("client_id"))
        if form.get("client_secret") is not None:
            app = self._app_with_secret(form)
        user_id = self.sessions.refresh_token_owner(form.get("refresh_token") or "", app.client_id)
        if user_id is None:
            raise OAuthError("invalid_grant", "expired access/refresh token")
        return self._response(self._session(user_id, app), app, urls, refresh=False)

    def _response(
        self, session: Session, app: ConnectedApp, urls: OrgUrls, refresh: bool = False,
    ) -> dict:
        issued_at = str(int(time.time() * 1000))
        identity_url = f"{urls.login_url}/id/{self.org_id}/{session.user_id}"
        # Salesforce signs id + issued_at with the consumer secret so clients can check
        # that the response came from the org.
        digest = hmac.new(
            app.client_secret.encode(), (identity_url + issued_at).encode(), hashlib.sha256,
        ).digest()
        body = {
            "access_token": session.token,
            "instance_url": urls.instance_url,
            "id": identity_url,
            "token_type": "Bearer",
            "issued_at": issued_at,
            "signature": base64.b64encode(digest).decode(),
            "scope": "api",
        }
        if refresh:
            body["refresh_token"] = self.sessions.issue_refresh_token(
                session.user_id, app.client_id,
            )
        return body

    def userinfo(self, user_id: str, base_url: str, version: str) -> dict:
        """Build the OpenID Connect UserInfo claims of a user, as Salesforce returns them.

        version replaces `{version}` in the URLs; pass the literal "{version}" to keep the
        placeholder, as Salesforce does when the request names no version.
        """
        user = self.users.by_id(user_id)
        soap_org_id = self.org_id[:15]
        data = f"{base_url}/services/data/v{version}"
        return {
            "sub": f"{base_url}/id/{self.org_id}/{user['Id']}",
            "user_id": user["Id"],
            "organization_id": self.org_id,
            "preferred_username": user["Username"],
            "nickname": user["CommunityNickname"],
            "name": user["Name"],
            "email": user["Email"],
            # The emulator sends no verification mail, so every address counts as verified.
            "email_verified": True,
            "given_name": user["FirstName"],
            "family_name": user["LastName"],
            "zoneinfo": user["TimeZoneSidKey"],
            # NOTE: the emulator stores no profile photos, so these URLs return 404.
            "photos": {
                "picture": f"{base_url}/profilephoto/005/F",
                "thumbnail": f"{base_url}/profilephoto/005/T",
            },
            "profile": f"{base_url}/{user['Id']}",
            "picture": f"{base_url}/profilephoto/005/F",
            "address": {},
            "is_salesforce_integration_user": False,
            "urls": {
                "enterprise": f"{base_url}/services/Soap/c/{version}/{soap_org_id}",
                "metadata": f"{base_url}/services/Soap/m/{version}/{soap_org_id}",
                "partner": f"{base_url}/services/Soap/u/{version}/{soap_org_id}",
                "rest": f"{data}/",
                "sobjects": f"{data}/sobjects/",
                "search": f"{data}/search/",
                "query": f"{data}/query/",
                "recent": f"{data}/recent/",
                "tooling_soap": f"{base_url}/services/Soap/T/{version}/{soap_org_id}",
                "tooling_rest": f"{data}/tooling/",
                "profile": f"{base_url}/{user['Id']}",
                "feeds": f"{data}/chatter/feeds",
                "groups": f"{data}/chatter/groups",
                "users": f"{data}/chatter/users",
                "feed_items": f"{data}/chatter/feed-items",
                "feed_elements": f"{data}/chatter/feed-elements",
                "custom_domain": base_url,
            },
            "active": bool(user["IsActive"]),
            "user_type": str(user["UserType"] or "Standard").upper(),
            "language": user["LanguageLocaleKey"],
            "locale": user["LocaleSidKey"],
            "utcOffset": _utc_offset_millis(user["TimeZoneSidKey"]),
            "updated_at": _userinfo_time(user["LastModifiedDate"]),
            "is_app_installed": True,
        }


def _utc_offset_millis(time_zone: str | None) -> int:
    """Return the zone's current offset from UTC in milliseconds, 0 for an unknown zone."""
    try:
        zone = ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    offset = datetime.datetime.now(zone).utcoffset() or datetime.timedelta(0)
    return int(offset.total_seconds() * 1000)


def _userinfo_time(stored: str) -> str:
    """Format a stored date-time as UserInfo's `updated_at`, such as 2025-09-28T09:30:18Z."""
    moment = datetime.datetime.fromisoformat(stored.replace("Z", "+00:00"))
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
