"""The emulator's own admin resource (not a Salesforce API): faults, sessions and usage.

Every call needs the session of a user with Modify All Data (from the profile or a
permission set), so only an org admin can break the org on purpose.
"""

import functools
from collections.abc import Callable

import structlog
from starlette.requests import Request
from starlette.responses import Response

from ..errors import SalesforceError
from ..faults import (
    LOCK_ROW_MESSAGE,
    MAX_DELAY_SECONDS,
    MIN_SESSION_SECONDS,
    InvalidFaultPlan,
    check_count,
    check_integer,
    check_seconds,
    check_status,
    check_text,
)
from .common import error_response, json_response, parse_json_body

log = structlog.get_logger(__name__)

_PLAN_KEYS = {
    "failNext", "lockRowsNext", "lockRows", "failCollectionRecord", "delaySeconds",
    "expireSessions", "exhaustDailyLimit", "dailyApiLimit", "sessionSeconds",
}


def _require_admin(request: Request) -> None:
    org = request.app.state.org
    session = org.sessions.authenticate(request.headers.get("authorization"))
    if not org.permissions.for_user(session.user_id).modify_all_data:
        raise SalesforceError(
            "INSUFFICIENT_ACCESS",
            "The emulator admin resource needs a user with Modify All Data; sign in as the org admin",
            status=403,
        )


async def faults(request: Request) -> Response:
    """POST /_emulator/faults: plan failures; DELETE clears them.

    Body keys (all optional): failNext {count, status, errorCode, message},
    lockRowsNext (count), lockRows {object, count}, failCollectionRecord {index or id,
    errorCode, message}, delaySeconds, expireSessions (true), exhaustDailyLimit (true),
    dailyApiLimit, sessionSeconds. The whole plan is checked before any of it applies,
    so a 400 INVALID_INPUT leaves the org as it was.
    """
    try:
        _require_admin(request)
    except SalesforceError as error:
        return error_response(error)
    org = request.app.state.org

    if request.method == "DELETE":
        org.faults.clear()
        return Response(status_code=204)

    try:
        body = parse_json_body(await request.body())
        if not isinstance(body, dict):
            raise SalesforceError("JSON_PARSER_ERROR", "The body must be a JSON object of fault plan keys")
        steps = _plan_steps(org, body)
    except SalesforceError as error:
        log.info("fault plan rejected", error_code=error.error_code, message=error.message)
        return error_response(error)
    except InvalidFaultPlan as error:
        log.info("fault plan rejected", error_code="INVALID_INPUT", message=str(error))
        return error_response(SalesforceError(
            "INVALID_INPUT", f"Invalid fault plan: {error}; see docs/emulator.md for the keys",
        ))

    expired = 0
    for step in steps:
        expired += step() or 0
    return json_response({"expiredSessions": expired})


def _object(body: dict, key: str) -> dict:
    value = body[key]
    if not isinstance(value, dict):
        raise InvalidFaultPlan(f"{key} must be a JSON object, not {value!r}")
    return value


def _plan_steps(org, body: dict) -> list[Callable[[], int | None]]:
    """Check every key of a fault plan and return the calls that apply it, in order."""
    unknown = sorted(set(body) - _PLAN_KEYS)
    if unknown:
        raise InvalidFaultPlan(f"unknown keys {unknown}; the keys are {sorted(_PLAN_KEYS)}")

    faults = org.faults
    steps: list[Callable[[], int | None]] = []
    if "failNext" in body:
        plan = _object(body, "failNext")
        count = check_count("failNext.count", plan.get("count", 1))
        status = check_status("failNext.status", plan.get("status", 503))
        error_code = check_text("failNext.errorCode", plan.get("errorCode", "SERVER_UNAVAILABLE"))
        message = check_text(
            "failNext.message", plan.get("message", "Service temporarily unavailable; retry later."),
        )
        steps.append(functools.partial(
            faults.fail_next, count, status=status, error_code=error_code, message=message,
        ))
    if "lockRowsNext" in body:
        steps.append(functools.partial(
            faults.lock_rows_next, check_count("lockRowsNext", body["lockRowsNext"]),
        ))
    if "lockRows" in body:
        plan = _object(body, "lockRows")
        object_name = check_text("lockRows.object", plan.get("object"))
        count = plan.get("count", 1)
        if count is not None:
            count = check_count("lockRows.count", count)
        steps.append(functools.partial(faults.lock_rows, object_name, count))
    if "failCollectionRecord" in body:
        steps.append(_collection_failure_step(faults, _object(body, "failCollectionRecord")))
    if "delaySeconds" in body:
        seconds = check_seconds("delaySeconds", body["delaySeconds"], 0.0, MAX_DELAY_SECONDS)
        steps.append(functools.partial(faults.delay, seconds))
    if "dailyApiLimit" in body:
        limit = check_integer("dailyApiLimit", body["dailyApiLimit"], 1)
        steps.append(functools.partial(faults.set_daily_api_limit, limit))
    if "sessionSeconds" in body:
        seconds = check_seconds("sessionSeconds", body["sessionSeconds"], MIN_SESSION_SECONDS)
        steps.append(functools.partial(faults.set_session_timeout, seconds))
    for key in ("exhaustDailyLimit", "expireSessions"):
        if key in body and not isinstance(body[key], bool):
            raise InvalidFaultPlan(f"{key} must be true or false, not {body[key]!r}")
    if body.get("exhaustDailyLimit"):
        steps.append(faults.exhaust_daily_limit)
    if body.get("expireSessions"):
        steps.append(faults.expire_sessions)
    return steps


def _collection_failure_step(faults, plan: dict) -> Callable[[], None]:
    index = plan.get("index")
    record_id = plan.get("id")
    if index is None and record_id is None:
        raise InvalidFaultPlan("failCollectionRecord needs an index or an id")
    if index is not None:
        index = check_integer("failCollectionRecord.index", index, 0)
    if record_id is not None:
        record_id = check_text("failCollectionRecord.id", record_id)
    error_code = check_text("failCollectionRecord.errorCode", plan.get("errorCode", "UNABLE_TO_LOCK_ROW"))
    message = check_text("failCollectionRecord.message", plan.get("message", LOCK_ROW_MESSAGE))
    return functools.partial(
        faults.fail_collection_record,
        index=index, record_id=record_id, error_code=error_code, message=message,
    )


async def usage(request: Request) -> Response:
    """GET /_emulator/usage: API calls today, per connected app and user."""
    try:
        _require_admin(request)
    except SalesforceError as error:
        return error_response(error)
    org = request.app.state.org
    return json_response({
        "dailyApiLimit": org.usage.daily_limit,
        "usedToday": org.usage.used_today(),
        "total": org.usage.total_calls(),
        "byAppAndUser": org.usage.calls_by_app_and_user(),
        "byApp": org.usage.calls_by_app(),
        "byUser": org.usage.calls_by_user(),
    })
