"""The composite and composite/batch resources: several REST calls in one request.

Subrequests are dispatched through the application itself, so each behaves exactly as
the same call made alone; only the outer request is counted as an API call.
"""

import json
import re

from starlette.responses import Response

from ..errors import SalesforceError
from .common import INTERNAL_SCOPE_KEY, ApiCall, json_response

MAX_SUBREQUESTS = 25
_REFERENCE = re.compile(r"@\{([^}]+)\}")
_PATH_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class _RollBack(Exception):
    """Raised inside the composite transaction to undo every subrequest."""


async def _dispatch(call: ApiCall, method: str, url: str, body: object) -> tuple[int, dict, object]:
    """Run one subrequest through the app; return (status, headers, parsed body)."""
    path, _, query = url.partition("?")
    payload = b"" if body is None else json.dumps(body).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method.upper(),
        "scheme": call.request.url.scheme,
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [
            (b"authorization", call.request.headers.get("authorization", "").encode()),
            (b"content-type", b"application/json"),
            (b"host", call.request.headers.get("host", "").encode()),
        ],
        "server": call.request.scope.get("server"),
        "client": call.request.scope.get("client"),
        INTERNAL_SCOPE_KEY: True,
    }
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": payload, "more_body": False}

    status = 500
    headers: dict = {}
    chunks: list[bytes] = []

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            for name, value in message.get("headers", []):
                headers[name.decode("latin-1")] = value.decode("latin-1")
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await call.request.app(scope, receive, send)
    raw = b"".join(chunks)
    try:
        parsed = json.loads(raw) if raw else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        parsed = raw.decode("utf-8", "replace")
    return status, headers, parsed


def _lookup(results: dict, expression: str) -> object:
    steps = _PATH_STEP.findall(expression)
    if not steps or steps[0][0] not in results:
        raise KeyError(expression)
    value = results[steps[0][0]]
    for name, index in steps[1:]:
        value = value[int(index)] if index else value[name]
    return value


def _resolve(value: object, results: dict) -> object:
    """Replace @{referenceId.path} references with values from earlier responses."""
    if isinstance(value, str):
        whole = _REFERENCE.fullmatch(value)
        if whole:
            return _lookup(results, whole.group(1))
        return _REFERENCE.sub(lambda match: str(_lookup(results, match.group(1))), value)
    if isinstance(value, dict):
        return {key: _resolve(item, results) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, results) for item in value]
    return value


def _halted(message: str) -> list[dict]:
    return [{"errorCode": "PROCESSING_HALTED", "message": message}]


async def composite(call: ApiCall) -> Response:
    """POST /composite: up to 25 subrequests, optionally all or none, with references."""
    body = await call.json()
    subrequests = body.get("compositeRequest") if isinstance(body, dict) else None
    if not isinstance(subrequests, list) or not subrequests:
        raise SalesforceError("JSON_PARSER_ERROR", "The request needs a compositeRequest array")
    if len(subrequests) > MAX_SUBREQUESTS:
        raise SalesforceError(
            "INVALID_INPUT", f"A composite request can have at most {MAX_SUBREQUESTS} subrequests",
        )
    all_or_none = bool(body.get("allOrNone", False))

    responses: list[dict] = []
    results: dict = {}
    failed = False
    try:
        with call.org.store.transaction():
            for subrequest in subrequests:
                responses.append(await _run_subrequest(call, subrequest, results))
                failed = failed or responses[-1]["httpStatusCode"] >= 400
                if failed and all_or_none:
                    raise _RollBack
    except _RollBack:
        rolled_back = _halted(
            "The transaction was rolled back since another operation in the same transaction failed.",
        )
        for response in responses[:-1]:
            response.update({"body": rolled_back, "httpHeaders": {}, "httpStatusCode": 400})
        for subrequest in subrequests[len(responses):]:
            responses.append({
                "body": rolled_back, "httpHeaders": {}, "httpStatusCode": 400,
                "referenceId": subrequest.get("referenceId"),
            })
    return json_response({"compositeResponse": responses})


async def _run_subrequest(call: ApiCall, subrequest: dict, results: dict) -> dict:
    reference_id = subrequest.get("referenceId")
    try:
        url = _resolve(subrequest.get("url", ""), results)
        request_body = _resolve(subrequest.get("body"), results)
    except (KeyError, IndexError, TypeError) as error:
        return {
            "body": _halted(f"Invalid reference specified. No value for {error.args[0]} found"),
            "httpHeaders": {}, "httpStatusCode": 400, "referenceId": reference_id,
        }

    status, headers, response_body = await _dispatch(
        call, subrequest.get("method", "GET"), url, request_body,
    )
    if status < 400 and reference_id:
        results[reference_id] = response_body
    response_headers = {}
    if status == 201 and isinstance(response_body, dict) and "id" in response_body:
        response_headers["Location"] = f"{url.rstrip('/')}/{response_body['id']}"
    if "sforce-limit-info" in headers:
        response_headers["Sforce-Limit-Info"] = headers["sforce-limit-info"]
    return {
        "body": response_body, "httpHeaders": response_headers, "httpStatusCode": status,
        "referenceId": reference_id,
    }


async def batch(call: ApiCall) -> Response:
    """POST /composite/batch: up to 25 independent subrequests, each in its own transaction."""
    body = await call.json()
    subrequests = body.get("batchRequests") if isinstance(body, dict) else None
    if not isinstance(subrequests, list) or not subrequests:
        raise SalesforceError("JSON_PARSER_ERROR", "The request needs a batchRequests array")
    if len(subrequests) > MAX_SUBREQUESTS:
        raise SalesforceError(
            "INVALID_INPUT", f"A batch request can have at most {MAX_SUBREQUESTS} subrequests",
        )
    halt_on_error = bool(body.get("haltOnError", False))

    results = []
    has_errors = False
    for subrequest in subrequests:
        if has_errors and halt_on_error:
            results.append({"statusCode": 412, "result": [{
                "errorCode": "BATCH_PROCESSING_HALTED", "message": "Batch processing halted per request",
            }]})
            continue
        url = "/services/data/" + str(subrequest.get("url", "")).lstrip("/")
        status, _headers, result = await _dispatch(
            call, subrequest.get("method", "GET"), url, subrequest.get("richInput"),
        )
        has_errors = has_errors or status >= 400
        results.append({"statusCode": status, "result": result})
    return json_response({"hasErrors": has_errors, "results": results})
