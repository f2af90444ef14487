"""API call counting (the Sforce-Limit-Info header and /limits) and faults on demand."""

import datetime
import threading
from dataclasses import dataclass

from .errors import SalesforceError
from .store import Store

DEFAULT_DAILY_API_LIMIT = 100_000


def _today() -> str:
    return datetime.datetime.now(datetime.UTC).date().isoformat()


class ApiUsage:
    """Count REST calls per UTC day, connected app and user.

    NOTE: Salesforce counts over a rolling 24 hours; this resets at midnight UTC.
    """

    def __init__(self, store: Store, daily_limit: int = DEFAULT_DAILY_API_LIMIT) -> None:
        self.store = store
        self.daily_limit = daily_limit

    def record_call(self, client_id: str | None, user_id: str) -> int:
        """Count one call and return the org's calls so far today."""
        day = _today()
        with self.store.transaction() as connection:
            connection.execute(
                "INSERT INTO emu_api_usage (day, client_id, user_id, calls) VALUES (?, ?, ?, 1) "
                "ON CONFLICT (day, client_id, user_id) DO UPDATE SET calls = calls + 1",
                (day, client_id or "", user_id),
            )
            return self._total(connection, day)

    def used_today(self) -> int:
        """Return the org's calls so far today."""
        with self.store.read() as connection:
            return self._total(connection, _today())

    def total_calls(self) -> int:
        """Return every call counted since the org was created."""
        with self.store.read() as connection:
            row = connection.execute("SELECT COALESCE(SUM(calls), 0) FROM emu_api_usage").fetchone()
        return row[0]

    def calls_by_app_and_user(self) -> list[dict]:
        """Return today's calls per connected app and user."""
        with self.store.read() as connection:
            rows = connection.execute(
                "SELECT client_id, user_id, calls FROM emu_api_usage WHERE day = ? "
                "ORDER BY client_id, user_id",
                (_today(),),
            ).fetchall()
        return [dict(row) for row in rows]

    @staticmethod
    def _total(connection, day: str) -> int:
        row = connection.execute(
            "SELECT COALESCE(SUM(calls), 0) FROM emu_api_usage WHERE day = ?", (day,),
        ).fetchone()
        return row[0]

    def header(self, used: int) -> str:
        """Return the value of the Sforce-Limit-Info header."""
        return f"api-usage={used}/{self.daily_limit}"


@dataclass
class _PlannedFailure:
    remaining: int
    error: SalesforceError


class Faults:
    """Failures and delays injected into REST calls, for testing clients' error handling."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: list[_PlannedFailure] = []
        self.delay_seconds = 0.0

    def fail_next(
        self, count: int, status: int = 503, error_code: str = "SERVER_UNAVAILABLE",
        message: str = "Service temporarily unavailable; retry later.",
    ) -> None:
        """Make the next `count` REST calls fail with this status and error."""
        with self._lock:
            self._failures.append(_PlannedFailure(
                count, SalesforceError(error_code, message, status=status),
            ))

    def lock_rows_next(self, count: int = 1) -> None:
        """Make the next `count` REST calls fail with UNABLE_TO_LOCK_ROW, as under contention."""
        self.fail_next(
            count, status=400, error_code="UNABLE_TO_LOCK_ROW",
            message="unable to obtain exclusive access to this record or 1 records",
        )

    def clear(self) -> None:
        """Remove every planned failure and delay."""
        with self._lock:
            self._failures.clear()
            self.delay_seconds = 0.0

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
