"""API call counting: the Sforce-Limit-Info header, /limits and the daily request limit."""

import datetime

from .errors import SalesforceError
from .store import Store

DEFAULT_DAILY_API_LIMIT = 100_000
# Settings key (plus the UTC day) of requests added by ApiUsage.exhaust().
_OFFSET_KEY = "api_usage_offset:"


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

    def limit_error(self, used: int) -> SalesforceError | None:
        """Return the error for a call that went past the daily limit, or None."""
        if used <= self.daily_limit:
            return None
        return SalesforceError("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", status=403)

    def exhaust(self) -> None:
        """Use up today's remaining requests, so the next call fails with REQUEST_LIMIT_EXCEEDED.

        The calls are added as an uncounted offset, so per-app and per-user counts stay true.
        """
        day = _today()
        with self.store.transaction() as connection:
            missing = max(0, self.daily_limit - self._total(connection, day))
            connection.execute(
                "INSERT INTO emu_setting (key, value) VALUES (?, ?) ON CONFLICT (key) "
                "DO UPDATE SET value = CAST(value AS INTEGER) + CAST(excluded.value AS INTEGER)",
                (_OFFSET_KEY + day, str(missing)),
            )

    def restore(self) -> None:
        """Give back the requests that exhaust() used up today."""
        with self.store.transaction() as connection:
            connection.execute("DELETE FROM emu_setting WHERE key = ?", (_OFFSET_KEY + _today(),))

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
        """Return today's calls per connected app and user.

        client_id is empty for calls made with a SOAP login session, which belongs to no
        connected app.
        """
        with self.store.read() as connection:
            rows = connection.execute(
                "SELECT client_id, user_id, calls FROM emu_api_usage WHERE day = ? "
                "ORDER BY client_id, user_id",
                (_today(),),
            ).fetchall()
        return [dict(row) for row in rows]

    def calls_by_app(self) -> dict[str, int]:
        """Return today's calls per connected app (consumer key)."""
        totals: dict[str, int] = {}
        for row in self.calls_by_app_and_user():
            totals[row["client_id"]] = totals.get(row["client_id"], 0) + row["calls"]
        return totals

    def calls_by_user(self) -> dict[str, int]:
        """Return today's calls per user id."""
        totals: dict[str, int] = {}
        for row in self.calls_by_app_and_user():
            totals[row["user_id"]] = totals.get(row["user_id"], 0) + row["calls"]
        return totals

    @staticmethod
    def _total(connection, day: str) -> int:
        row = connection.execute(
            "SELECT COALESCE(SUM(calls), 0) FROM emu_api_usage WHERE day = ?", (day,),
        ).fetchone()
        offset = connection.execute(
            "SELECT value FROM emu_setting WHERE key = ?", (_OFFSET_KEY + day,),
        ).fetchone()
        return row[0] + (int(offset["value"]) if offset else 0)

    def header(self, used: int) -> str:
        """Return the value of the Sforce-Limit-Info header."""
        return f"api-usage={used}/{self.daily_limit}"
