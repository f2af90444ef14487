"""Data replication resources: `sobjects/{O}/updated/` and `sobjects/{O}/deleted/`.

Both take `start` and `end` date-times in UTC. As in Salesforce's getUpdated() and
getDeleted(), the seconds are dropped (both are rounded down to the minute), a record
counts when its SystemModstamp is at or after start and before end, updated records go
back at most 30 days and deleted ones at most 15.
"""

import datetime

from starlette.responses import Response

from ..errors import SalesforceError
from ..store import table_name
from ..user_records import visible_object
from ..values import format_datetime, parse_datetime, store_datetime
from .common import ApiCall, json_response

UPDATED_DAYS = 30
DELETED_DAYS = 15
MAX_IDS = 600_000


def _minute(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(second=0, microsecond=0)


def _parameter(call: ApiCall, name: str) -> datetime.datetime:
    text = call.request.query_params.get(name)
    if not text:
        raise SalesforceError(
            "MISSING_ARGUMENT",
            f"The {name} parameter is required: give {name}= as a UTC date-time such as "
            "2026-01-31T00:00:00+00:00",
        )
    try:
        # An unencoded "+" in a query string arrives as a space.
        return parse_datetime(text.strip().replace(" ", "+"))
    except ValueError:
        raise SalesforceError(
            "INVALID_REPLICATION_DATE",
            f"{name} is not a valid date-time: {text}; use ISO 8601 such as 2026-01-31T00:00:00+00:00",
        ) from None


def _window(call: ApiCall, days: int) -> tuple[datetime.datetime, datetime.datetime, datetime.datetime]:
    """Return (start, end, latest date covered) of a replication request, each at a whole minute."""
    start = _minute(_parameter(call, "start"))
    end = _minute(_parameter(call, "end"))
    now = datetime.datetime.now(datetime.UTC)
    if start >= end:
        raise SalesforceError("INVALID_REPLICATION_DATE", "startDate must chronologically precede endDate")
    if start < _minute(now) - datetime.timedelta(days=days):
        raise SalesforceError(
            "INVALID_REPLICATION_DATE", f"startDate cannot be more than {days} days ago",
        )
    return start, end, min(end, _minute(now))


def _rows(call: ApiCall, object_name: str, deleted: bool, start: str, end: str) -> list:
    with call.org.store.read() as connection:
        rows = connection.execute(
            f'SELECT "Id", "SystemModstamp" FROM {table_name(object_name)} '  # noqa: S608 - schema names only, values bound
            'WHERE "IsDeleted" = ? AND "SystemModstamp" >= ? AND "SystemModstamp" < ? '
            'ORDER BY "SystemModstamp", rowid LIMIT ?',
            (int(deleted), start, end, MAX_IDS + 1),
        ).fetchall()
    if len(rows) > MAX_IDS:
        raise SalesforceError(
            "EXCEEDED_ID_LIMIT",
            f"More than {MAX_IDS} records are in this window; choose start and end closer together",
        )
    return rows


async def updated(call: ApiCall) -> Response:
    """GET sobjects/{O}/updated/?start=&end=: ids of records created or changed in the window."""
    access = call.org.permissions.for_user(call.user_id)
    object_def = visible_object(call.org, access, call.request.path_params["name"])
    start, end, covered = _window(call, UPDATED_DAYS)

    rows = _rows(call, object_def.name, False, store_datetime(start), store_datetime(end))
    return json_response({
        "ids": [row["Id"] for row in rows],
        "latestDateCovered": format_datetime(store_datetime(covered)),
    })


async def deleted(call: ApiCall) -> Response:
    """GET sobjects/{O}/deleted/?start=&end=: records deleted in the window, with when."""
    access = call.org.permissions.for_user(call.user_id)
    object_def = visible_object(call.org, access, call.request.path_params["name"])
    start, end, covered = _window(call, DELETED_DAYS)

    rows = _rows(call, object_def.name, True, store_datetime(start), store_datetime(end))
    # Nothing is purged from the emulator's recycle bin, so every deletion since the
    # org was created is available.
    with call.org.store.read() as connection:
        created = connection.execute(
            'SELECT "CreatedDate" FROM "sobj_Organization" WHERE "Id" = ?', (call.org.org_id,),
        ).fetchone()
    earliest = _minute(parse_datetime(created["CreatedDate"].replace("Z", "+00:00")))
    return json_response({
        "deletedRecords": [
            {"id": row["Id"], "deletedDate": format_datetime(row["SystemModstamp"])} for row in rows
        ],
        "earliestDateAvailable": format_datetime(store_datetime(earliest)),
        "latestDateCovered": format_datetime(store_datetime(covered)),
    })
