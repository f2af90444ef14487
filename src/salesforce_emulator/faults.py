"""Faults on demand: failures, delays, locked rows, partial collection failures, used-up limits.

Tests reach these through `RunningEmulator.faults` (the org's Faults object) and clients
through `POST /_emulator/faults`. Each planned failure is used up by the calls it hits;
`clear()` removes whatever is left.
"""

import math
import threading
from dataclasses import dataclass

from .errors import SalesforceError
from .sessions import SessionService
from .usage import ApiUsage

LOCK_ROW_MESSAGE = "unable to obtain exclusive access to this record or 1 records"

# Bounds of a fault plan. A status outside 400-599 is not an error (or kills the
# connection), a long delay parks every request, and a session shorter than a second or a
# daily limit below one locks the org until restart.
MIN_ERROR_STATUS = 400
MAX_ERROR_STATUS = 599
MAX_COUNT = 10_000
MAX_DELAY_SECONDS = 60.0
MIN_SESSION_SECONDS = 1.0


class InvalidFaultPlan(ValueError):
    """A fault plan value of the wrong type or outside its range; the message names it."""


def check_integer(name: str, value: object, minimum: int, maximum: int | None = None) -> int:
    """Return value if it is an integer in [minimum, maximum], or raise InvalidFaultPlan."""
    is_integer = isinstance(value, int) and not isinstance(value, bool)
    if not is_integer or value < minimum or (maximum is not None and value > maximum):
        bound = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        raise InvalidFaultPlan(f"{name} must be an integer {bound}, not {value!r}")
    return value


def check_count(name: str, value: object) -> int:
    """Return value if it is an integer from 1 to MAX_COUNT, or raise InvalidFaultPlan."""
    return check_integer(name, value, 1, MAX_COUNT)


def check_status(name: str, value: object) -> int:
    """Return value if it is an HTTP error status (400 to 599), or raise InvalidFaultPlan."""
    if (
        isinstance(value, bool) or not isinstance(value, int)
        or not MIN_ERROR_STATUS <= value <= MAX_ERROR_STATUS
    ):
        raise InvalidFaultPlan(
            f"{name} must be an HTTP error status from {MIN_ERROR_STATUS} to {MAX_ERROR_STATUS}, "
            f"not {value!r}",
        )
    return value


def check_seconds(name: str, value: object, minimum: float, maximum: float | None = None) -> float:
    """Return value as float seconds if it is a number in [minimum, maximum], or raise InvalidFaultPlan."""
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not is_number or not math.isfinite(value) or value < minimum or (
        maximum is not None and value > maximum
    ):
        bound = f"from {minimum:g} to {maximum:g}" if maximum is not None else f"of at least {minimum:g}"
        raise InvalidFaultPlan(f"{name} must be a number of seconds {bound}, not {value!r}")
    return float(value)


def check_text(name: str, value: object) -> str:
    """Return value if it is a non-empty string, or raise InvalidFaultPlan."""
    if not isinstance(value, str) or not value:
        raise InvalidFaultPlan(f"{name} must be a non-empty string, not {value!r}")
    return value


def lock_row_error() -> SalesforceError:
    """Build the UNABLE_TO_LOCK_ROW error Salesforce returns when a record is locked by another transaction."""
    return SalesforceError("UNABLE_TO_LOCK_ROW", LOCK_ROW_MESSAGE, fields=[])


@dataclass
class _PlannedFailure:
    remaining: int
    error: SalesforceError


@dataclass
class _RowLock:
    object_name: str
    # None locks the object's rows until clear() is called.
    remaining: int | None


@dataclass
class CollectionFailure:
    """A planned failure of one record in the next sObject Collections request.

    The record is chosen by its position in the request (index, from 0) or by its id.
    """

    error: SalesforceError
    index: int | None = None
    record_id: str | None = None

    def matches(self, index: int, record_id: str | None) -> bool:
        """Tell whether the record at this position, with this id, is the one to fail."""
        if self.index is not None and self.index == index:
            return True
        if self.record_id is None or record_id is None:
            return False
        # Compare the 15-character case-sensitive part, so 15- and 18-character ids match.
        return self.record_id[:15] == str(record_id)[:15]


class Faults:
    """Failures and delays injected into REST calls, for testing clients' error handling."""

    def __init__(self, usage: ApiUsage | None = None, sessions: SessionService | None = None) -> None:
        self._lock = threading.Lock()
        self._failures: list[_PlannedFailure] = []
        self._row_locks: list[_RowLock] = []
        self._collection_failures: list[CollectionFailure] = []
        self.usage = usage
        self.sessions = sessions
        self.delay_seconds = 0.0
        self.bulk_job_delay_seconds = 0.0
        self._bulk_job_failures: list[str] = []

    # Whole calls ----------------------------------------------------------------------

    def fail_next(
        self, count: int, status: int = 503, error_code: str = "SERVER_UNAVAILABLE",
        message: str = "Service temporarily unavailable; retry later.",
    ) -> None:
        """Make the next `count` REST calls fail with this status and error.

        Raises InvalidFaultPlan unless count is 1 to 10000 and status is 400 to 599.
        """
        count = check_count("count", count)
        status = check_status("status", status)
        error_code = check_text("error_code", error_code)
        message = check_text("message", message)
        with self._lock:
            self._failures.append(_PlannedFailure(
                count, SalesforceError(error_code, message, status=status),
            ))

    def lock_rows_next(self, count: int = 1) -> None:
        """Make the next `count` REST calls fail with UNABLE_TO_LOCK_ROW, as under contention."""
        self.fail_next(count, status=400, error_code="UNABLE_TO_LOCK_ROW", message=LOCK_ROW_MESSAGE)

    def delay(self, seconds: float) -> None:
        """Delay every REST response by 0 to 60 seconds until clear() (0 stops delaying)."""
        self.delay_seconds = check_seconds("seconds", seconds, 0.0, MAX_DELAY_SECONDS)

    def set_session_timeout(self, seconds: float) -> None:
        """Set how long an unused session lives (at least 1 second), as the org setting does."""
        if self.sessions is None:
            raise RuntimeError("Faults.set_session_timeout() needs the org's SessionService")
        self.sessions.timeout_seconds = check_seconds("seconds", seconds, MIN_SESSION_SECONDS)

    def set_daily_api_limit(self, limit: int) -> None:
        """Set the API requests allowed per day (at least 1)."""
        if self.usage is None:
            raise RuntimeError("Faults.set_daily_api_limit() needs the org's ApiUsage")
        self.usage.daily_limit = check_integer("limit", limit, 1)

    def take(self) -> SalesforceError | None:
        """Return the failure planned for this call, if any."""
        with self._lock:
            while self._failures:
                planned = self._failures[0]
                if planned.remaining <= 0:
                    self._failures.pop(0)
                    continue
                planned.remaining -= 1
                return planned.error
        return None

    # Rows of one object ---------------------------------------------------------------

    def lock_rows(self, object_name: str, count: int | None = 1) -> None:
        """Make the next `count` writes to records of one object fail with UNABLE_TO_LOCK_ROW.

        Writes of other objects go through, so one record of a collection can fail while
        the rest succeed. count None keeps the object locked until clear(); otherwise it is
        1 to 10000.
        """
        object_name = check_text("object_name", object_name)
        if count is not None:
            count = check_count("count", count)
        with self._lock:
            self._row_locks.append(_RowLock(object_name.lower(), count))

    def check_row_lock(self, object_name: str) -> None:
        """Raise UNABLE_TO_LOCK_ROW if a planned row lock covers a write to this object."""
        with self._lock:
            for lock in self._row_locks:
                if lock.object_name != object_name.lower():
                    continue
                if lock.remaining is None:
                    raise lock_row_error()
                if lock.remaining > 0:
                    lock.remaining -= 1
                    raise lock_row_error()

    # sObject Collections --------------------------------------------------------------

    def fail_collection_record(
        self,
        index: int | None = None,
        record_id: str | None = None,
        error_code: str = "UNABLE_TO_LOCK_ROW",
        message: str = LOCK_ROW_MESSAGE,
    ) -> None:
        """Make one record of the next sObject Collections request fail, chosen by index or id."""
        if index is None and record_id is None:
            raise InvalidFaultPlan("fail_collection_record needs an index or a record_id")
        if index is not None:
            index = check_integer("index", index, 0)
        if record_id is not None:
            record_id = check_text("record_id", record_id)
        error_code = check_text("error_code", error_code)
        message = check_text("message", message)
        with self._lock:
            self._collection_failures.append(CollectionFailure(
                SalesforceError(error_code, message, fields=[]), index, record_id,
            ))

    def take_collection_failures(self) -> list[CollectionFailure]:
        """Return and use up the failures planned for the next collection request."""
        with self._lock:
            planned = self._collection_failures
            self._collection_failures = []
        return planned

    # Bulk API 2.0 query jobs ----------------------------------------------------------

    def delay_bulk_jobs(self, seconds: float) -> None:
        """Keep each Bulk API query job UploadComplete 0 to 60 seconds before it runs (0 stops)."""
        self.bulk_job_delay_seconds = check_seconds("seconds", seconds, 0.0, MAX_DELAY_SECONDS)

    def fail_next_bulk_job(self, message: str = "The query job failed because of an internal error") -> None:
        """Make the next Bulk API query job that runs end Failed with this errorMessage."""
        with self._lock:
            self._bulk_job_failures.append(message)

    def take_bulk_job_failure(self) -> str | None:
        """Return and use up the failure planned for the job about to run, if any."""
        with self._lock:
            return self._bulk_job_failures.pop(0) if self._bulk_job_failures else None

    # Limits and sessions --------------------------------------------------------------

    def exhaust_daily_limit(self) -> None:
        """Use up today's API requests, so the next call fails with 403 REQUEST_LIMIT_EXCEEDED."""
        if self.usage is None:
            raise RuntimeError("Faults.exhaust_daily_limit() needs the org's ApiUsage")
        self.usage.exhaust()

    def expire_sessions(self) -> int:
        """End every access token, so the next calls fail with 401 INVALID_SESSION_ID; return how many."""
        if self.sessions is None:
            raise RuntimeError("Faults.expire_sessions() needs the org's SessionService")
        return self.sessions.expire_all()

    def clear(self) -> None:
        """Remove every planned failure, row lock and delay, and give back exhausted requests."""
        with self._lock:
            self._failures.clear()
            self._row_locks.clear()
            self._collection_failures.clear()
            self._bulk_job_failures.clear()
            self.delay_seconds = 0.0
            self.bulk_job_delay_seconds = 0.0
        if self.usage is not None:
            self.usage.restore()
