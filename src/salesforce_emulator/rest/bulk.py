"""Bulk API 2.0 query job resources under `/services/data/vXX.X/jobs/query`.

POST creates a job, GET lists the org's jobs or returns one, PATCH aborts, DELETE
deletes, and GET `.../results` returns CSV pages with the Sforce-Locator and
Sforce-NumberOfRecords headers. The jobs themselves live in bulk_jobs.py.
"""

from collections.abc import AsyncIterator

from starlette.responses import Response, StreamingResponse

from ..bulk_jobs import ResultPage, bulk_error
from .common import ApiCall, json_response, no_content

_READ_CHUNK_BYTES = 64 * 1024


async def jobs(call: ApiCall) -> Response:
    """POST /jobs/query creates a query job; GET lists every query job of the org."""
    bulk = call.org.bulk
    if call.request.method == "POST":
        access = call.org.permissions.for_user(call.user_id)
        body = await call.json()
        return json_response(bulk.create(body, call.user_id, call.version, access))
    params = call.request.query_params
    return json_response(bulk.list_jobs(call.version, params.get("jobType"), params.get("queryLocator")))


async def job(call: ApiCall) -> Response:
    """GET returns a job's information, PATCH with {"state": "Aborted"} aborts it, DELETE deletes it."""
    bulk = call.org.bulk
    job_id = call.request.path_params["job_id"]
    method = call.request.method
    if method == "GET":
        return json_response(bulk.info(job_id))
    if method == "PATCH":
        return json_response(bulk.abort(job_id, await call.json()))
    bulk.delete(job_id)
    return no_content()


async def results(call: ApiCall) -> Response:
    """GET /jobs/query/{id}/results?locator=&maxRecords=: one page of CSV results."""
    params = call.request.query_params
    max_records = None
    if params.get("maxRecords"):
        text = params["maxRecords"]
        if not text.isdigit() or int(text) < 1:
            raise bulk_error("INVALIDJOB", f"maxRecords must be a whole number of at least 1, not {text!r}")
        max_records = int(text)

    page = call.org.bulk.results(
        call.request.path_params["job_id"], call.version, params.get("locator"), max_records,
    )
    return StreamingResponse(_stream(page), media_type="text/csv", headers={
        "Sforce-Locator": page.next_locator,
        "Sforce-NumberOfRecords": str(page.records),
    })


async def _stream(page: ResultPage) -> AsyncIterator[bytes]:
    """Send the header row, then the page's bytes of the result file, a chunk at a time."""
    yield page.header
    with open(page.path, "rb") as source:
        source.seek(page.start)
        remaining = page.end - page.start
        while remaining > 0:
            chunk = source.read(min(_READ_CHUNK_BYTES, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk
