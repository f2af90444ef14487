"""What every REST endpoint shares: JSON responses, versions, authentication, counting."""

import asyncio
import functools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..errors import SalesforceError, not_found
from ..org import Org
from ..sessions import Session

log = structlog.get_logger(__name__)

# Marks requests dispatched from inside a composite request (see composite_requests).
INTERNAL_SCOPE_KEY = "salesforce_emulator.internal"
SUPPORTED_VERSIONS = [f"{major}.0" for major in range(50, 65)]
_RELEASE_NAMES = {
    50: "Winter '21", 51: "Spring '21", 52: "Summer '21", 53: "Winter '22",
    54: "Spring '22", 55: "Summer '22", 56: "Winter '23", 57: "Spring '23",
    58: "Summer '23", 59: "Winter '24", 60: "Spring '24", 61: "Summer '24",
    62: "Winter '25", 63: "Spring '25", 64: "Summer '25",
}


class SalesforceJSONResponse(JSONResponse):
    """A JSON response with the content type Salesforce sends."""

    media_type = "application/json;charset=UTF-8"

    def render(self, content: object) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def error_response(error: SalesforceError, headers: dict | None = None) -> Response:
    """Return a REST error list response for a SalesforceError."""
    return SalesforceJSONResponse([error.to_rest()], status_code=error.status, headers=headers)


def unexpected_error(request: Request, error: Exception, headers: dict | None = None) -> Response:
    """Log a bug in the emulator with its traceback and return Salesforce's 500 UNKNOWN_EXCEPTION."""
    # Called from an except block, so log.exception finds the traceback.
    log.exception("unexpected error", method=request.method, path=request.url.path, error=repr(error))
    return error_response(SalesforceError(
        "UNKNOWN_EXCEPTION",
        f"An unexpected error occurred in the Salesforce emulator ({type(error).__name__}); "
        "see its log for the traceback",
        status=500,
    ), headers)


def limit_info_headers(request: Request) -> dict:
    """Return the Sforce-Limit-Info header for an error outside api_endpoint, if it applies.

    Salesforce sends the header on REST API responses to a valid session, so it is left
    out for other paths and for requests without a live access token. The call is not
    counted, so the header shows today's usage so far.
    """
    if not request.url.path.startswith("/services/data/"):
        return {}
    org: Org = request.app.state.org
    try:
        org.sessions.authenticate(request.headers.get("authorization"))
    except SalesforceError:
        return {}
    return {"Sforce-Limit-Info": org.usage.header(org.usage.used_today())}


def parse_json_body(body: bytes, label: str = "The request body") -> object:
    """Parse a JSON request body, or raise JSON_PARSER_ERROR whose message starts with label.

    Besides syntax errors this rejects invalid UTF-8, nesting deeper than Python's
    recursion limit (about 1000 levels) and lone UTF-16 surrogates such as "\\ud800",
    which no UTF-8 text or SQLite column can store.
    """
    try:
        parsed = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SalesforceError("JSON_PARSER_ERROR", f"{label} is not valid JSON: {error}") from None
    except RecursionError:
        raise SalesforceError(
            "JSON_PARSER_ERROR",
            f"{label} is not valid JSON: arrays and objects are nested too deeply; "
            "nest them fewer than 1000 levels",
        ) from None

    surrogate = _lone_surrogate(parsed)
    if surrogate is not None:
        raise SalesforceError(
            "JSON_PARSER_ERROR",
            f"{label} is not valid JSON: the string {surrogate!r} contains a lone UTF-16 "
            "surrogate (\\ud800 to \\udfff without its pair); send the character itself or "
            "a complete surrogate pair",
        )
    return parsed


def _lone_surrogate(value: object) -> str | None:
    """Return the first string in a parsed JSON value that UTF-8 cannot encode, if any."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return item[:40]
    return None


def version_list() -> list[dict]:
    """Return the body of GET /services/data/."""
    return [
        {
            "label": _RELEASE_NAMES[int(float(version))],
            "url": f"/services/data/v{version}",
            "version": version,
        }
        for version in SUPPORTED_VERSIONS
    ]


@dataclass
class ApiCall:
    """One authenticated REST call: the org, the request, its API version and session."""

    org: Org
    request: Request
    version: str
    session: Session

    @property
    def user_id(self) -> str:
        """The id of the user the call runs as."""
        return self.session.user_id

    async def json(self) -> object:
        """Return the parsed JSON body, or raise JSON_PARSER_ERROR (see parse_json_body)."""
        return parse_json_body(await self.request.body())


Handler = Callable[[ApiCall], Awaitable[Response]]

# Salesforce's limit on the combined length of the URI and headers of a REST call, per its
# help article "Maximum number of rows returned by SOQL queries over the REST API": 414
# when the URI alone is longer, 431 when the URI and headers together are.
MAX_URI_AND_HEADER_BYTES = 16_384


class RequestHeadLimit:
    """ASGI middleware that rejects a URI or request head longer than Salesforce accepts.

    Requests dispatched inside a composite call are left alone, because their URLs come
    from the composite body, not from a request line.
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get(INTERNAL_SCOPE_KEY):
            await self.app(scope, receive, send)
            return

        uri_bytes = len(scope.get("raw_path") or scope["path"].encode()) + len(scope["query_string"])
        if scope["query_string"]:
            uri_bytes += 1
        header_bytes = sum(len(name) + len(value) + 4 for name, value in scope["headers"])
        if uri_bytes > MAX_URI_AND_HEADER_BYTES:
            error = SalesforceError(
                "URI_TOO_LONG",
                f"The request URI is {uri_bytes} bytes, longer than the {MAX_URI_AND_HEADER_BYTES} "
                "bytes allowed; send long SOQL through a composite request or shorten the URI",
                status=414,
            )
        elif uri_bytes + header_bytes > MAX_URI_AND_HEADER_BYTES:
            error = SalesforceError(
                "REQUEST_HEADER_FIELDS_TOO_LARGE",
                f"The request URI and headers are {uri_bytes + header_bytes} bytes, longer than the "
                f"{MAX_URI_AND_HEADER_BYTES} bytes allowed; shorten the URI or the headers",
                status=431,
            )
        else:
            await self.app(scope, receive, send)
            return

        log.info("request head rejected", path=scope["path"][:200], status=error.status, uri_bytes=uri_bytes)
        await error_response(error)(scope, receive, send)


def api_endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a REST handler with version checks, authentication, faults and API counting."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        org: Org = request.app.state.org
        version = request.path_params.get("version", "")
        if version not in SUPPORTED_VERSIONS:
            return error_response(not_found())

        try:
            session = org.sessions.authenticate(request.headers.get("authorization"))
        except SalesforceError as error:
            return error_response(error, headers={"WWW-Authenticate": "Token"})

        # Subrequests of composite calls are part of the one call already counted.
        if request.scope.get(INTERNAL_SCOPE_KEY):
            try:
                return await handler(ApiCall(org, request, version, session))
            except SalesforceError as error:
                return error_response(error)
            except Exception as error:  # noqa: BLE001 - a bug must still answer as Salesforce does
                return unexpected_error(request, error)

        used = org.usage.record_call(session.client_id, session.user_id)
        headers = {"Sforce-Limit-Info": org.usage.header(used)}
        if org.faults.delay_seconds:
            await asyncio.sleep(org.faults.delay_seconds)
        limit_error = org.usage.limit_error(used)
        if limit_error is not None:
            return error_response(limit_error, headers)
        planned = org.faults.take()
        if planned is not None:
            return error_response(planned, headers)

        try:
            response = await handler(ApiCall(org, request, version, session))
        except SalesforceError as error:
            log.info(
                "request failed", method=request.method, path=request.url.path,
                status=error.status, error_code=error.error_code, user_id=session.user_id,
            )
            return error_response(error, headers)
        except Exception as error:  # noqa: BLE001 - a bug must still answer as Salesforce does
            return unexpected_error(request, error, headers)
        response.headers.update(headers)
        return response

    return endpoint


def json_response(content: object, status: int = 200) -> Response:
    """Return a Salesforce JSON response."""
    return SalesforceJSONResponse(content, status_code=status)


def no_content() -> Response:
    """Return the empty 204 answer of successful updates and deletes."""
    return Response(status_code=204)
