"""SQLite storage of the whole org: one table per sObject, one column per field.

Tables are named `sobj_<ObjectName>`; columns carry the field API names. Text fields use
case-insensitive collation because SOQL compares and sorts text without case, while ids
keep binary collation. Bookkeeping tables (prefixes, sessions, query cursors, API usage,
settings) start with `emu_`.

One connection serves every thread; a re-entrant lock around it keeps uvicorn's event
loop and test threads from interleaving statements or transactions.
"""

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import structlog

from . import ids
from .schema import FieldDef, ObjectDef, Schema

log = structlog.get_logger(__name__)

_BOOKKEEPING_DDL = """
CREATE TABLE IF NOT EXISTS emu_object (
    name TEXT PRIMARY KEY,
    key_prefix TEXT NOT NULL UNIQUE,
    next_sequence INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS emu_setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS emu_connected_app (
    client_id TEXT PRIMARY KEY,
    client_secret TEXT NOT NULL,
    name TEXT NOT NULL,
    run_as_user_id TEXT NOT NULL,
    certificate_pem TEXT,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS emu_session (
    token TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    client_id TEXT,
    issued_at REAL NOT NULL,
    last_used REAL NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS emu_refresh_token (
    token TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS emu_query_cursor (
    locator TEXT PRIMARY KEY,
    soql TEXT NOT NULL,
    include_deleted INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    batch_size INTEGER NOT NULL,
    total_size INTEGER NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS emu_api_usage (
    day TEXT NOT NULL,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    calls INTEGER NOT NULL,
    PRIMARY KEY (day, client_id, user_id)
);
"""


def table_name(object_name: str) -> str:
    """Return the quoted SQLite table name of an sObject."""
    return f'"sobj_{object_name}"'


def quote(identifier: str) -> str:
    """Quote an identifier (a field API name) for SQLite."""
    return '"' + identifier.replace('"', '""') + '"'


def column_type(field_def: FieldDef) -> str:
    """Return the SQLite column declaration for a field."""
    if field_def.type == "boolean":
        return "INTEGER NOT NULL DEFAULT 0"
    if field_def.type == "int":
        return "INTEGER"
    if field_def.type in ("double", "currency", "percent"):
        return "REAL"
    if field_def.is_text and not field_def.case_sensitive:
        return "TEXT COLLATE NOCASE"
    return "TEXT"


def _indexed(field_def: FieldDef) -> bool:
    # Audit user lookups get no index because every write would pay for indexes that queries rarely use.
    if field_def.name in ("CreatedById", "LastModifiedById"):
        return False
    # Picklists are how integrations find their work (Status__c = 'Submitted'), and
    # a query that filters on one should not scan the whole table twice (count and page).
    return (
        field_def.type in ("reference", "picklist")
        or field_def.external_id
        or field_def.unique
        or field_def.name_field
        or field_def.name in ("SystemModstamp", "LastModifiedDate", "CreatedDate")
    )


class Store:
    """The org's SQLite database file and the lock that guards its one connection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._depth = 0
        self._connection = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None,
        )
        self._connection.row_factory = sqlite3.Row
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.executescript(_BOOKKEEPING_DDL)

    def refresh_statistics(self) -> None:
        """Measure every index so SQLite's planner can choose between them.

        Without statistics SQLite guesses, and a query filtering on a picklist and
        ordering by SystemModstamp used the picklist index and sorted thousands of
        rows. A sample (analysis_limit) was not enough to fix that; a full pass took
        117 ms on 100,000 requests (bench/README.md). NOTE: it runs only when the
        org starts, so the statistics of an org that grows while it runs (or gains
        objects by a deploy) age until the next start.
        """
        with self._lock:
            self._connection.execute("PRAGMA analysis_limit=0")
            self._connection.execute("ANALYZE")

    def close(self) -> None:
        """Close the connection; the store cannot be used afterwards."""
        with self._lock:
            self._connection.close()

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Hold the connection for a sequence of reads."""
        with self._lock:
            yield self._connection

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run the block atomically.

        The outermost block is a transaction. A nested block is a savepoint, so a failing
        nested write (one record of a collection, one subrequest) is undone on its own
        while the outer block goes on.
        """
        with self._lock:
            depth = self._depth
            begin, commit, rollback = (
                ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK") if depth == 0 else (
                    f"SAVEPOINT level{depth}",
                    f"RELEASE level{depth}",
                    f"ROLLBACK TO level{depth}; RELEASE level{depth}",
                )
            )
            self._connection.execute(begin)
            self._depth += 1
            try:
                yield self._connection
            except BaseException:
                self._depth -= 1
                for statement in rollback.split("; "):
                    self._connection.execute(statement)
                raise
            self._depth -= 1
            self._connection.execute(commit)

    def savepoint(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """Run the block so its writes can be undone alone, inside the current transaction."""
        with self._lock:
            if self._depth == 0:
                raise RuntimeError("Store.savepoint() needs an enclosing Store.transaction()")
        return self.transaction()

    # Settings -----------------------------------------------------------------------

    def get_setting(self, key: str) -> str | None:
        """Return an org setting, or None if it was never set."""
        with self.read() as connection:
            row = connection.execute(
                "SELECT value FROM emu_setting WHERE key = ?", (key,),
            ).fetchone()
        return row["value"] if row else None

    def set_setting(self, key: str, value: str) -> None:
        """Store an org setting."""
        with self.transaction() as connection:
            connection.execute(
                "INSERT INTO emu_setting (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # Schema -------------------------------------------------------------------------

    def sync_schema(self, schema: Schema) -> None:
        """Give custom objects their key prefixes and create or extend every table."""
        with self.transaction() as connection:
            known = {
                row["name"]: row["key_prefix"]
                for row in connection.execute("SELECT name, key_prefix FROM emu_object")
            }
            used_prefixes = set(known.values())

            for object_def in schema.objects.values():
                prefix = known.get(object_def.name) or object_def.key_prefix
                if prefix is None:
                    prefix = self._free_custom_prefix(used_prefixes)
                if object_def.name not in known:
                    connection.execute(
                        "INSERT INTO emu_object (name, key_prefix) VALUES (?, ?)",
                        (object_def.name, prefix),
                    )
                    used_prefixes.add(prefix)
                object_def.key_prefix = prefix
                self._sync_table(connection, object_def)

    @staticmethod
    def _free_custom_prefix(used: set[str]) -> str:
        index = 0
        while ids.custom_key_prefix(index) in used:
            index += 1
        return ids.custom_key_prefix(index)

    @staticmethod
    def _sync_table(connection: sqlite3.Connection, object_def: ObjectDef) -> None:
        table = table_name(object_def.name)
        columns = [
            f"{quote(field_def.name)} {column_type(field_def)}"
            for field_def in object_def.fields.values()
        ]
        connection.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(columns)})")

        existing = {
            row["name"] for row in connection.execute(f"PRAGMA table_info({table})")
        }
        for field_def in object_def.fields.values():
            if field_def.name not in existing:
                # NOTE: a field whose type changed in the package keeps its old column
                # type; recreating the table would be needed to change it.
                connection.execute(
                    f"ALTER TABLE {table} ADD COLUMN {quote(field_def.name)} "
                    f"{column_type(field_def)}"
                )

        connection.execute(
            f'CREATE UNIQUE INDEX IF NOT EXISTS "ix_{object_def.name}_Id" ON {table} ("Id")'
        )
        for field_def in object_def.fields.values():
            if not _indexed(field_def):
                continue
            unique = "UNIQUE " if field_def.unique else ""
            connection.execute(
                f'CREATE {unique}INDEX IF NOT EXISTS "ix_{object_def.name}_{field_def.name}" '
                f"ON {table} ({quote(field_def.name)})"
            )

    # Rows ---------------------------------------------------------------------------

    def next_id(self, connection: sqlite3.Connection, object_name: str) -> str:
        """Allocate the next record id of an sObject; call inside a transaction."""
        row = connection.execute(
            "UPDATE emu_object SET next_sequence = next_sequence + 1 WHERE name = ? "
            "RETURNING key_prefix, next_sequence - 1 AS sequence",
            (object_name,),
        ).fetchone()
        return ids.make_id(row["key_prefix"], row["sequence"])

    @staticmethod
    def insert_row(connection: sqlite3.Connection, object_name: str, row: dict) -> None:
        """Insert one row given as {field name: storage value}."""
        names = ", ".join(quote(name) for name in row)
        marks = ", ".join("?" for _ in row)
        connection.execute(
            f"INSERT INTO {table_name(object_name)} ({names}) VALUES ({marks})",  # noqa: S608 - schema names only, values bound
            list(row.values()),
        )

    @staticmethod
    def update_row(
        connection: sqlite3.Connection, object_name: str, record_id: str, changes: dict,
    ) -> None:
        """Update the given columns of the row with this id."""
        if not changes:
            return
        assignments = ", ".join(f"{quote(name)} = ?" for name in changes)
        connection.execute(
            f'UPDATE {table_name(object_name)} SET {assignments} WHERE "Id" = ?',  # noqa: S608 - schema names only, values bound
            [*changes.values(), record_id],
        )

    @staticmethod
    def fetch_row(
        connection: sqlite3.Connection,
        object_name: str,
        record_id: str,
        include_deleted: bool = False,
    ) -> sqlite3.Row | None:
        """Return the row with this id, or None; deleted rows only when asked for."""
        deleted_filter = "" if include_deleted else ' AND "IsDeleted" = 0'
        return connection.execute(
            f'SELECT * FROM {table_name(object_name)} WHERE "Id" = ?{deleted_filter}',  # noqa: S608 - schema names only, values bound
            (record_id,),
        ).fetchone()
