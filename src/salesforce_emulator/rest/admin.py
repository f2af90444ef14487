"""The emulator's own admin resource (not a Salesforce API): faults, sessions and usage.

Every call needs the session of a user whose profile has Modify All Data, so only an
org admin can break the org on purpose.
"""

from starlette.requests import Request
from starlette.responses import Response

from ..errors import SalesforceError
from .common import error_response, json_response


def _require_admin(request: Request) -> None:
    org = request.app.state.org
    session = org.sessions.authenticate(request.headers.get("authorization"))
    with org.store.read() as connection:
        row = connection.execute(
            'SELECT p."PermissionsModifyAllData" FROM "sobj_User" u '
            'JOIN "sobj_Profile" p ON p."Id" = u."ProfileId" WHERE u."Id" = ?',
            (session.user_id,),
        ).fetchone()
    if row is None or not row[0]:
        raise SalesforceError(
            "INSUFFICIENT_ACCESS",
            "The emulator admin resource needs a user with Modify All Data; sign in as the org admin",
            status=403,
        )


async def faults(request: Request) -> Response:
    """POST /_emulator/faults: plan failures; DELETE clears them.

    Body keys (all optional): failNext {count, status, errorCode, message},
    lockRowsNext (count), delaySeconds, expireSessions (true), dailyApiLimit.
    """
    try:
        _require_admin(request)
    except SalesforceError as error:
        return error_response(error)
    org = request.app.state.org

    if request.method == "DELETE":
        org.faults.clear()
        return Response(status_code=204)

    body = await request.json()
    if not isinstance(body, dict):
        return error_response(SalesforceError("JSON_PARSER_ERROR", "The body must be a JSON object"))
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
    expired = org.sessions.expire_all() if body.get("expireSessions") else 0
    return json_response({"expiredSessions": expired})


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
    })
