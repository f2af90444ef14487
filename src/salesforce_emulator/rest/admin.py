"""The emulator's own admin resource (not a Salesforce API): faults, sessions and usage.

Every call needs the session of a user with Modify All Data (from the profile or a
permission set), so only an org admin can break the org on purpose.
"""

from starlette.requests import Request
from starlette.responses import Response

from ..errors import SalesforceError
from ..faults import LOCK_ROW_MESSAGE
from .common import error_response, json_response


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
    dailyApiLimit, sessionSeconds.
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
        body = await request.json()
    except ValueError as error:
        return error_response(SalesforceError("JSON_PARSER_ERROR", f"The body is not valid JSON: {error}"))
    if not isinstance(body, dict):
        return error_response(SalesforceError("JSON_PARSER_ERROR", "The body must be a JSON object"))
    try:
        _plan_object_faults(org, body)
    except (KeyError, TypeError, ValueError) as error:
        return error_response(SalesforceError(
            "INVALID_INPUT", f"Invalid fault plan {body!r}: {error}; see docs/emulator.md for the keys",
        ))
    if "failNext" in body:
        plan = body["failNext"]
        org.faults.fail_next(
            int(plan.get("count", 1)),
            status=int(plan.get("status", 503)),
            error_code=plan.get("errorCode", "SERVER_UNAVAILABLE"),
            message=plan.get("message", "Service temporarily unavailable; retry later."),
        )
    if "lockRowsNext" in body:
        org.faults.lock_rows_next(int(body["lockRowsNext"]))
    if "delaySeconds" in body:
        org.faults.delay_seconds = float(body["delaySeconds"])
    if "dailyApiLimit" in body:
        org.usage.daily_limit = int(body["dailyApiLimit"])
    if "sessionSeconds" in body:
        org.sessions.timeout_seconds = float(body["sessionSeconds"])
    if body.get("exhaustDailyLimit"):
        org.faults.exhaust_daily_limit()
    expired = org.faults.expire_sessions() if body.get("expireSessions") else 0
    return json_response({"expiredSessions": expired})


def _plan_object_faults(org, body: dict) -> None:
    """Plan the row-lock and collection-record faults a fault request names."""
    if "lockRows" in body:
        plan = body["lockRows"]
        count = plan.get("count", 1)
        org.faults.lock_rows(str(plan["object"]), None if count is None else int(count))
    if "failCollectionRecord" in body:
        plan = body["failCollectionRecord"]
        index = plan.get("index")
        org.faults.fail_collection_record(
            index=None if index is None else int(index),
            record_id=plan.get("id"),
            error_code=plan.get("errorCode", "UNABLE_TO_LOCK_ROW"),
            message=plan.get("message", LOCK_ROW_MESSAGE),
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
