"""Bulk API 2.0 query jobs: create, run in the background, page through CSV results, abort, delete.

A job is stored in `emu_bulk_query_job` and moves from UploadComplete to InProgress to
JobComplete (or Failed, or Aborted by its client). A worker thread runs the query page by
page, so the store is never held for a whole large query. It writes the CSV result to
`<data_dir>/bulk/<job id>.csv` and the byte offset of every record to
`<job id>.offsets`, so any page of results is read straight from disk.
"""

import array
import base64
import binascii
import csv
import io
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import structlog

from . import ids
from .errors import SalesforceError
from .permissions import UserAccess
from .soql import QueryService
from .soql.compiler import CompiledQuery, OutputColumn
from .soql.parser import parse
from .store import Store
from .values import now_stamp

log = structlog.get_logger(__name__)

JOB_KEY_PREFIX = "750"
COLUMN_DELIMITERS = {
    "BACKQUOTE": "`", "CARET": "^", "COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "TAB": "\t",
}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
# Records fetched from the store at a time while a job runs.
PAGE_SIZE = 2000
# Jobs listed per page by GET /jobs/query, as in Salesforce.
LIST_PAGE_SIZE = 1000

_DDL = """
CREATE TABLE IF NOT EXISTS emu_bulk_query_job (
    id TEXT PRIMARY KEY,
    operation TEXT NOT NULL,
    object TEXT NOT NULL,
    soql TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_date TEXT NOT NULL,
    system_modstamp TEXT NOT NULL,
    state TEXT NOT NULL,
    api_version TEXT NOT NULL,
    column_delimiter TEXT NOT NULL,
    line_ending TEXT NOT NULL,
    records_processed INTEGER NOT NULL DEFAULT 0,
    processing_ms INTEGER NOT NULL DEFAULT 0,
    header TEXT,
    error_message TEXT
);
"""


def bulk_error(error_code: str, message: str, status: int = 400) -> SalesforceError:
    """Build a Bulk API 2.0 error; its body has errorCode and message, without fields."""
    return SalesforceError(error_code, message, status=status)


def encode_locator(position: int) -> str:
    """Return the Sforce-Locator of the results page that starts at a record position."""
    return base64.b64encode(str(position).encode()).decode().rstrip("=")


def decode_locator(locator: str) -> int:
    """Return the record position a locator stands for, or raise INVALID_LOCATOR."""
    try:
        text = base64.b64decode(locator + "=" * (-len(locator) % 4), validate=True).decode()
        position = int(text)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bulk_error("INVALID_LOCATOR", f"The locator {locator!r} is not valid for this job") from None
    if position < 0:
        raise bulk_error("INVALID_LOCATOR", f"The locator {locator!r} is not valid for this job")
    return position


@dataclass(frozen=True)
class ResultPage:
    """One page of a job's CSV results: where it lies in the result file and what follows."""

    path: Path
    header: bytes
    start: int
    end: int
    records: int
    next_locator: str


class BulkQueryService:
    """The org's Bulk API 2.0 query jobs and the worker thread that runs them."""

    def __init__(self, store: Store, queries: QueryService, permissions, faults, folder: Path) -> None:
        self.store = store
        self.queries = queries
        self.permissions = permissions
        self.faults = faults
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        with store.transaction() as connection:
            connection.execute(_DDL)
            connection.execute(
                "INSERT OR IGNORE INTO emu_object (name, key_prefix) VALUES ('BulkQueryJob', ?)",
                (JOB_KEY_PREFIX,),
            )
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._resume_unfinished()

    def close(self) -> None:
        """Stop the worker thread; a job it has not started stays queued for the next start."""
        self._stopping.set()
        with self._lock:
            worker = self._worker
            self._worker = None
        if worker is not None:
            self._queue.put(None)
            worker.join(timeout=30)

    # Jobs ---------------------------------------------------------------------------

    def create(self, body: object, user_id: str, version: str, access: UserAccess) -> dict:
        """Validate a job request, store the job as UploadComplete and queue it; return its info."""
        if not isinstance(body, dict):
            raise bulk_error("JSON_PARSER_ERROR", "The request body must be a JSON object with operation and query")
        operation = body.get("operation")
        if operation not in ("query", "queryAll"):
            raise bulk_error(
                "INVALIDJOB", f"Invalid operation {operation!r}: a query job's operation is query or queryAll",
            )
        soql = body.get("query")
        if not isinstance(soql, str) or not soql.strip():
            raise bulk_error("INVALIDJOB", "The query is missing: give the SOQL statement as query")
        content_type = body.get("contentType", "CSV")
        if content_type != "CSV":
            raise bulk_error("INVALIDJOB", f"Invalid contentType {content_type!r}: only CSV is supported")
        delimiter = body.get("columnDelimiter", "COMMA")
        if delimiter not in COLUMN_DELIMITERS:
            raise bulk_error(
                "INVALIDJOB",
                f"Invalid columnDelimiter {delimiter!r}: use one of {', '.join(COLUMN_DELIMITERS)}",
            )
        line_ending = body.get("lineEnding", "LF")
        if line_ending not in LINE_ENDINGS:
            raise bulk_error("INVALIDJOB", f"Invalid lineEnding {line_ending!r}: use LF or CRLF")

        compiled = self._compile(soql, operation == "queryAll", access)
        stamp = now_stamp()
        with self.store.transaction() as connection:
            job_id = self.store.next_id(connection, "BulkQueryJob")
            connection.execute(
                "INSERT INTO emu_bulk_query_job (id, operation, object, soql, created_by, created_date, "
                "system_modstamp, state, api_version, column_delimiter, line_ending) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'UploadComplete', ?, ?, ?)",
                (job_id, operation, compiled.object_def.name, soql, user_id, stamp, stamp, version,
                 delimiter, line_ending),
            )
        log.info("bulk query job created", job_id=job_id, object=compiled.object_def.name, user_id=user_id)
        self._start_worker()
        self._queue.put(job_id)
        return _job_info(self._row(job_id), job_type=False, counters=False)

    def _compile(self, soql: str, include_deleted: bool, access: UserAccess) -> CompiledQuery:
        """Compile a job's query, rejecting what Bulk API 2.0 does not run."""
        parsed = parse(soql)
        compiled = self.queries.compile(soql, include_deleted, access)
        if compiled.is_count or compiled.is_aggregate:
            raise bulk_error("API_ERROR", "Aggregate queries and GROUP BY are not supported in Bulk V2 Query")
        if parsed.offset is not None:
            raise bulk_error("API_ERROR", "OFFSET is not supported in Bulk V2 Query")
        if any(kind == "child" for kind, _item in compiled.layout):
            raise bulk_error(
                "API_ERROR", "Aggregate Relationships not supported in Bulk V2 Query with CSV content type.",
            )
        binary = [item.field_def.name for kind, item in compiled.layout if item.field_def.type == "base64"]
        if binary:
            raise bulk_error("API_ERROR", f"Binary fields are not supported in Bulk V2 Query: {', '.join(binary)}")
        return compiled

    def _row(self, job_id: str):
        try:
            job_id = ids.to_18(job_id)
        except ids.MalformedIdError:
            raise _job_not_found(job_id) from None
        with self.store.read() as connection:
            row = connection.execute("SELECT * FROM emu_bulk_query_job WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise _job_not_found(job_id)
        return row

    def info(self, job_id: str) -> dict:
        """Return a job's information with its state and counters."""
        return _job_info(self._row(job_id), job_type=True, counters=True)

    def list_jobs(self, version: str, job_type: str | None, locator: str | None) -> dict:
        """Return one page of every query job in the org, as GET /jobs/query does."""
        if job_type not in (None, "", "V2Query"):
            return {"done": True, "records": [], "nextRecordsUrl": None}
        start = decode_locator(locator) if locator else 0
        with self.store.read() as connection:
            rows = connection.execute(
                "SELECT * FROM emu_bulk_query_job ORDER BY created_date, id LIMIT ? OFFSET ?",
                (LIST_PAGE_SIZE + 1, start),
            ).fetchall()
        done = len(rows) <= LIST_PAGE_SIZE
        next_url = None if done else (
            f"/services/data/v{version}/jobs/query?queryLocator={encode_locator(start + LIST_PAGE_SIZE)}"
        )
        return {
            "done": done,
            "records": [_job_info(row, job_type=True, counters=False) for row in rows[:LIST_PAGE_SIZE]],
            "nextRecordsUrl": next_url,
        }

    def abort(self, job_id: str, body: object) -> dict:
        """Abort a job that has not finished (PATCH with {"state": "Aborted"})."""
        row = self._row(job_id)
        state = body.get("state") if isinstance(body, dict) else None
        if state != "Aborted":
            raise bulk_error(
                "INVALIDJOBSTATE", f"Invalid state {state!r}: a query job can only be set to Aborted",
            )
        if row["state"] not in ("UploadComplete", "InProgress"):
            raise bulk_error(
                "INVALIDJOBSTATE",
                f"Job {row['id']} is {row['state']}; only an UploadComplete or InProgress job can be aborted",
            )
        self._set_state(row["id"], "Aborted")
        log.info("bulk query job aborted", job_id=row["id"])
        return self.info(row["id"])

    def delete(self, job_id: str) -> None:
        """Delete a finished job and its results."""
        row = self._row(job_id)
        if row["state"] not in ("JobComplete", "Aborted", "Failed"):
            raise bulk_error(
                "INVALIDJOBSTATE",
                f"Job {row['id']} is {row['state']}; abort it or wait until it finishes before deleting it",
            )
        with self.store.transaction() as connection:
            connection.execute("DELETE FROM emu_bulk_query_job WHERE id = ?", (row["id"],))
        self._remove_files(row["id"])
        log.info("bulk query job deleted", job_id=row["id"])

    # Results ------------------------------------------------------------------------

    def results(self, job_id: str, version: str, locator: str | None, max_records: int | None) -> ResultPage:
        """Return the page of a complete job's results that starts at the locator."""
        row = self._row(job_id)
        if row["api_version"] != version:
            raise bulk_error(
                "INVALIDJOB",
                f"Job {row['id']} was created with API version {row['api_version']}; get its results "
                f"with /services/data/v{row['api_version']}/",
                status=409,
            )
        if row["state"] != "JobComplete":
            raise bulk_error(
                "JOB_NOT_COMPLETE",
                "can only download query results of successfully completed bulk job with status: "
                f"JOB_COMPLETE. Current status: {_STATE_NAMES[row['state']]}",
                status=412,
            )

        total = row["records_processed"]
        start = decode_locator(locator) if locator else 0
        if start > total:
            raise bulk_error("INVALID_LOCATOR", f"The locator {locator!r} is past the end of the results")
        end = total if max_records is None else min(total, start + max_records)
        offsets_path = self.folder / f"{row['id']}.offsets"
        with open(offsets_path, "rb") as offsets:
            first = _offset_at(offsets, start)
            last = _offset_at(offsets, end)
        return ResultPage(
            path=self.folder / f"{row['id']}.csv",
            header=row["header"].encode("utf-8"),
            start=first,
            end=last,
            records=end - start,
            next_locator=encode_locator(end) if end < total else "null",
        )

    # Worker -------------------------------------------------------------------------

    def _start_worker(self) -> None:
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="bulk-query-jobs", daemon=True)
                self._worker.start()

    def _resume_unfinished(self) -> None:
        """Queue the jobs a stopped emulator left unfinished, so they complete after a restart."""
        with self.store.read() as connection:
            rows = connection.execute(
                "SELECT id FROM emu_bulk_query_job WHERE state IN ('UploadComplete', 'InProgress') "
                "ORDER BY created_date",
            ).fetchall()
        for row in rows:
            self._start_worker()
            self._queue.put(row["id"])

    def _work(self) -> None:
        while True:
            job_id = self._queue.get()
            if job_id is None or self._stopping.is_set():
                return
            try:
                self._run(job_id)
            except SalesforceError as error:
                self._fail(job_id, error.message)
            except Exception as error:  # noqa: BLE001 - a bug fails the job instead of the worker
                log.exception("bulk query job failed unexpectedly", job_id=job_id)
                self._fail(job_id, f"The emulator failed to run the query ({type(error).__name__}); see its log")

    def _run(self, job_id: str) -> None:
        delay = self.faults.bulk_job_delay_seconds
        if delay and self._stopping.wait(delay):
            return
        row = self._row(job_id)
        if row["state"] != "UploadComplete":
            return
        planned = self.faults.take_bulk_job_failure()
        if planned is not None:
            raise bulk_error("API_ERROR", planned)

        started = time.monotonic()
        with self.store.transaction() as connection:
            claimed = connection.execute(
                "UPDATE emu_bulk_query_job SET state = 'InProgress', system_modstamp = ? "
                "WHERE id = ? AND state = 'UploadComplete'",
                (now_stamp(), job_id),
            ).rowcount
        if not claimed:
            return
        access = self.permissions.for_user(row["created_by"])
        compiled = self._compile(row["soql"], row["operation"] == "queryAll", access)
        columns = [item for kind, item in compiled.layout if kind == "field"]
        header = _csv_line(
            [".".join([*column.relationships, column.field_def.name]) for column in columns],
            row["column_delimiter"], row["line_ending"],
        )

        count = 0
        csv_path = self.folder / f"{job_id}.csv"
        offsets = array.array("Q")
        with open(csv_path, "wb") as output:
            for records in self._pages(compiled, row["api_version"]):
                if self._state(job_id) == "Aborted":
                    self._remove_files(job_id)
                    return
                for record in records:
                    offsets.append(output.tell())
                    output.write(_csv_line(
                        [_csv_value(column, record) for column in columns],
                        row["column_delimiter"], row["line_ending"],
                    ).encode("utf-8"))
                    count += 1
            offsets.append(output.tell())
        with open(self.folder / f"{job_id}.offsets", "wb") as offsets_file:
            offsets.tofile(offsets_file)

        elapsed_ms = int((time.monotonic() - started) * 1000)
        with self.store.transaction() as connection:
            connection.execute(
                "UPDATE emu_bulk_query_job SET state = 'JobComplete', records_processed = ?, header = ?, "
                "processing_ms = ?, system_modstamp = ? WHERE id = ? AND state = 'InProgress'",
                (count, header, elapsed_ms, now_stamp(), job_id),
            )
        log.info("bulk query job complete", job_id=job_id, records=count, milliseconds=elapsed_ms)

    def _pages(self, compiled: CompiledQuery, version: str) -> Iterator[list[dict]]:
        position = 0
        while compiled.limit is None or position < compiled.limit:
            size = PAGE_SIZE if compiled.limit is None else min(PAGE_SIZE, compiled.limit - position)
            records = self.queries.page(compiled, position, size, version)
            if not records:
                return
            yield records
            position += len(records)

    def _state(self, job_id: str) -> str:
        return self._row(job_id)["state"]

    def _set_state(self, job_id: str, state: str) -> None:
        with self.store.transaction() as connection:
            connection.execute(
                "UPDATE emu_bulk_query_job SET state = ?, system_modstamp = ? WHERE id = ?",
                (state, now_stamp(), job_id),
            )

    def _fail(self, job_id: str, message: str) -> None:
        log.warning("bulk query job failed", job_id=job_id, error=message)
        with self.store.transaction() as connection:
            connection.execute(
                "UPDATE emu_bulk_query_job SET state = 'Failed', error_message = ?, system_modstamp = ? "
                "WHERE id = ? AND state != 'Aborted'",
                (message, now_stamp(), job_id),
            )
        self._remove_files(job_id)

    def _remove_files(self, job_id: str) -> None:
        for suffix in (".csv", ".offsets"):
            (self.folder / f"{job_id}{suffix}").unlink(missing_ok=True)


# Job information and CSV ---------------------------------------------------------------

_STATE_NAMES = {
    "UploadComplete": "UPLOAD_COMPLETE", "InProgress": "IN_PROGRESS", "Aborted": "ABORTED",
    "JobComplete": "JOB_COMPLETE", "Failed": "FAILED",
}


def _job_not_found(job_id: str) -> SalesforceError:
    return bulk_error("NOT_FOUND", f"No query job with id {job_id} exists in this org", status=404)


def _job_info(row, job_type: bool, counters: bool) -> dict:
    """Return a job as the API shows it: the create response has neither jobType nor counters."""
    info = {
        "id": row["id"],
        "operation": row["operation"],
        "object": row["object"],
        "createdById": row["created_by"],
        "createdDate": row["created_date"][:-1] + "+0000",
        "systemModstamp": row["system_modstamp"][:-1] + "+0000",
        "state": row["state"],
        "concurrencyMode": "Parallel",
        "contentType": "CSV",
        "apiVersion": float(row["api_version"]),
    }
    if job_type:
        info["jobType"] = "V2Query"
    info["lineEnding"] = row["line_ending"]
    info["columnDelimiter"] = row["column_delimiter"]
    if counters:
        info.update({
            "numberRecordsProcessed": row["records_processed"],
            "retries": 0,
            "totalProcessingTime": row["processing_ms"],
            "isPkChunkingSupported": True,
        })
        if row["error_message"]:
            info["errorMessage"] = row["error_message"]
    return info


def _csv_line(values: list[str], delimiter: str, line_ending: str) -> str:
    """Return one CSV record with every value quoted (RFC 4180 doubling of quotes)."""
    buffer = io.StringIO()
    csv.writer(
        buffer, delimiter=COLUMN_DELIMITERS[delimiter], lineterminator=LINE_ENDINGS[line_ending],
        quoting=csv.QUOTE_ALL,
    ).writerow(values)
    return buffer.getvalue()


def _csv_value(column: OutputColumn, record: dict) -> str:
    """Return a field's value as Bulk API CSV writes it: empty for null, true/false, dates in UTC with Z."""
    container = record
    for name in column.relationships:
        container = container.get(name) if container else None
    value = container.get(column.field_def.name) if container else None
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if column.field_def.type == "datetime":
        return str(value).replace("+0000", "Z")
    return str(value)


def _offset_at(offsets, index: int) -> int:
    offsets.seek(index * 8)
    return array.array("Q", offsets.read(8))[0]
