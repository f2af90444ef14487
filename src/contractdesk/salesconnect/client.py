"""The one way contractdesk talks to a Salesforce org: REST over HTTPS.

simple-salesforce has no request timeouts, retries or multipart uploads and
reads whole files into memory, so this client is written on ``requests``
directly. Every call has a timeout; reads are retried with backoff on
failures that may pass; an expired session is renewed once per call.
"""

import json
import time
from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import quote

import requests
import structlog

from contractdesk.salesconnect.auth import OrgCredentials, Session, request_session
from contractdesk.salesconnect.errors import RETRYABLE_CODES, SalesforceError, error_from_response

log = structlog.get_logger(__name__)

# sObject Collections take at most this many records per request.
COLLECTION_LIMIT = 200
DOWNLOAD_CHUNK_BYTES = 256 * 1024


class SalesforceClient:
    """A signed-in connection to one org. Not shared between threads."""

    def __init__(
        self,
        credentials: OrgCredentials,
        *,
        api_version: str,
        timeout: tuple[float, float],
        ca_bundle: str = "",
        read_attempts: int = 3,
        shared_sessions: dict | None = None,
    ):
        self.credentials = credentials
        self.api_version = api_version
        self.timeout = timeout
        self.read_attempts = read_attempts
        self.http = requests.Session()
        # An empty CA bundle means the system's trusted roots. It is passed on
        # every call because requests lets REQUESTS_CA_BUNDLE in the
        # environment override a Session's own ``verify``.
        self.verify = ca_bundle or True
        self.http.headers["Accept"] = "application/json"
        # Sessions shared by the clients of one process, keyed by credentials, so
        # each task does not sign in again. The org keeps a session valid for hours.
        self._shared_sessions = shared_sessions if shared_sessions is not None else {}
        self._session: Session | None = self._shared_sessions.get(self._session_key)
        self.last_limit_info = ""

    # Session handling

    def session(self, *, renew: bool = False) -> Session:
        """Return the signed-in session (access token and instance URL), signing in if needed.

        Calls outside the REST API, such as the Metadata API's SOAP calls, send the token
        themselves. ``renew`` discards the current session first, for when the org
        returned INVALID_SESSION_ID.
        """
        if renew:
            self._drop_session()
        return self._ensure_session()

    @property
    def _session_key(self) -> tuple[str, str, str, str]:
        credentials = self.credentials
        return (credentials.login_url, credentials.auth_flow, credentials.client_id, credentials.username)

    def _ensure_session(self) -> Session:
        if self._session is None:
            self._session = request_session(self.http, self.credentials, self.timeout, self.verify)
            self._shared_sessions[self._session_key] = self._session
            log.info("salesforce.session_started", instance_url=self._session.instance_url)
        return self._session

    def _drop_session(self) -> None:
        self._session = None
        self._shared_sessions.pop(self._session_key, None)

    def _url(self, path: str) -> str:
        session = self._ensure_session()
        if path.startswith("/services/"):
            return f"{session.instance_url}{path}"
        return f"{session.instance_url}/services/data/v{self.api_version}/{path.lstrip('/')}"

    def request(self, method: str, path: str, *, retry: bool | None = None, rewind=None, **kwargs) -> requests.Response:
        """Send one REST call and return the response, raising SalesforceError on an error response.

        Reads (GET) are retried on retryable failures unless ``retry`` is False;
        writes are not, because the outbox retries them with its own backoff.
        ``rewind`` is called before a call is sent again, to reset a streamed body.
        """
        retry = (method == "GET") if retry is None else retry
        attempts = self.read_attempts if retry else 1
        renewed = False
        attempt = 0
        extra_headers = kwargs.pop("headers", {})

        while True:
            attempt += 1
            if (attempt > 1 or renewed) and rewind is not None:
                rewind()
            session = self._ensure_session()
            headers = {"Authorization": f"Bearer {session.access_token}", **extra_headers}
            try:
                response = self.http.request(
                    method, self._url(path), headers=headers, timeout=self.timeout, verify=self.verify, **kwargs
                )
            except requests.RequestException as exc:
                error = SalesforceError(f"{method} {path} failed: {exc}", retryable=True)
            else:
                self.last_limit_info = response.headers.get("Sforce-Limit-Info", self.last_limit_info)
                if response.status_code < 400:
                    return response
                error = error_from_response(response)
                if response.status_code == 401 and not renewed:
                    # The session expired or was revoked: sign in again once.
                    self._drop_session()
                    renewed = True
                    attempt -= 1
                    continue

            if not error.retryable or attempt >= attempts:
                raise error
            delay = 0.5 * 2 ** (attempt - 1)
            log.warning("salesforce.retrying", method=method, path=path, attempt=attempt, error=str(error))
            time.sleep(delay)

    # Queries

    def query(self, soql: str, *, batch_size: int | None = None) -> Iterator[dict]:
        """Yield every record the SOQL query selects, following ``nextRecordsUrl`` pages.

        ``batch_size`` (200 to 2000) sets the page size the org returns.
        """
        headers = {"Sforce-Query-Options": f"batchSize={batch_size}"} if batch_size else {}
        response = self.request("GET", "query/", params={"q": soql}, headers=headers)
        while True:
            body = response.json()
            yield from body.get("records", [])
            next_url = body.get("nextRecordsUrl")
            if body.get("done", True) or not next_url:
                return
            response = self.request("GET", next_url, headers=headers)

    # Records

    def get_record(self, sobject: str, record_id: str, fields: list[str] | None = None) -> dict:
        params = {"fields": ",".join(fields)} if fields else None
        return self.request("GET", f"sobjects/{sobject}/{quote(record_id)}", params=params).json()

    def create_record(self, sobject: str, fields: dict) -> str:
        response = self.request("POST", f"sobjects/{sobject}/", json=fields)
        return response.json()["id"]

    def update_records(self, sobject: str, updates: dict[str, dict]) -> dict[str, SalesforceError | None]:
        """Update many records with sObject Collections; return each Id's error, or None if it succeeded.

        ``allOrNone`` is off, so one bad record does not hold back the others.
        """
        results: dict[str, SalesforceError | None] = {}
        items = list(updates.items())
        for start in range(0, len(items), COLLECTION_LIMIT):
            chunk = items[start : start + COLLECTION_LIMIT]
            records = [{"attributes": {"type": sobject}, "Id": record_id, **fields} for record_id, fields in chunk]
            response = self.request("PATCH", "composite/sobjects", json={"allOrNone": False, "records": records})
            for (record_id, _fields), result in zip(chunk, response.json(), strict=True):
                results[record_id] = None if result.get("success") else _collection_error(result)
        return results

    # Files

    def upload_content_version(
        self, *, title: str, path_on_client: str, data: BinaryIO, first_publish_location_id: str
    ) -> str:
        """Upload a file as a new ContentVersion linked to a record; return the ContentVersion Id.

        The body is multipart, so the file is streamed rather than base64-encoded
        into JSON (which Salesforce caps far below its file size limit).
        """
        entity = {"Title": title, "PathOnClient": path_on_client, "FirstPublishLocationId": first_publish_location_id}
        files = {
            "entity_content": (None, json.dumps(entity), "application/json"),
            "VersionData": (path_on_client, data, "application/octet-stream"),
        }
        response = self.request(
            "POST", "sobjects/ContentVersion/", files=files, retry=False, rewind=lambda: data.seek(0)
        )
        return response.json()["id"]

    def download_version_data(self, content_version_id: str) -> Iterator[bytes]:
        """Yield the bytes of a ContentVersion in chunks, without holding the file in memory."""
        response = self.request("GET", f"sobjects/ContentVersion/{quote(content_version_id)}/VersionData", stream=True)
        try:
            yield from response.iter_content(DOWNLOAD_CHUNK_BYTES)
        except requests.RequestException as exc:
            raise SalesforceError(
                f"The download of ContentVersion {content_version_id} broke off: {exc}", retryable=True
            ) from exc
        finally:
            response.close()

    def close(self) -> None:
        self.http.close()


def _collection_error(result: dict) -> SalesforceError:
    errors = result.get("errors") or [{}]
    first = errors[0]
    code = first.get("statusCode") or first.get("errorCode") or ""
    return SalesforceError(
        first.get("message", "The record was not saved."),
        error_code=code,
        fields=first.get("fields") or [],
        retryable=code in RETRYABLE_CODES,
    )


def soql_quote(value: str) -> str:
    """Quote a string for a SOQL literal, escaping as Salesforce requires."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"
