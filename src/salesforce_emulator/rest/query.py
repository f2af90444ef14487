"""The query and queryAll resources, with nextRecordsUrl paging and column metadata."""

from starlette.responses import Response

from ..errors import SalesforceError
from ..soql import batch_size_from_header
from .common import ApiCall, json_response
from .query_columns import column_metadata


async def query(call: ApiCall) -> Response:
    """GET /query?q= runs a query; GET /query/{locator} returns a later page."""
    return _run(call, include_deleted=False)


async def query_all(call: ApiCall) -> Response:
    """GET /queryAll?q=: like query, but deleted records are included."""
    return _run(call, include_deleted=True)


def _run(call: ApiCall, include_deleted: bool) -> Response:
    access = call.org.permissions.for_user(call.user_id)
    locator = call.request.path_params.get("locator")
    if locator:
        return json_response(call.org.queries.query_more(locator, call.version, call.user_id, access))

    soql = call.request.query_params.get("q")
    if not soql:
        raise SalesforceError("MALFORMED_QUERY", "A query string must be provided.")

    # columns=true describes the SELECT list without running the query.
    if call.request.query_params.get("columns", "").lower() == "true":
        compiled = call.org.queries.compile(soql, include_deleted, access)
        return json_response(column_metadata(soql, compiled, access))

    batch_size = batch_size_from_header(call.request.headers.get("sforce-query-options"))
    return json_response(call.org.queries.query(
        soql, call.version, call.user_id, include_deleted=include_deleted, batch_size=batch_size,
        access=access,
    ))
