"""Run SOQL queries and page through their results with query locators."""

import secrets
import sqlite3
import time

from .. import ids
from ..errors import SalesforceError
from ..permissions import UserAccess
from ..render import record_url, render_value
from ..schema import Schema
from ..store import Store
from ..values import from_storage
from .compiler import CompiledQuery, Compiler
from .parser import parse

DEFAULT_BATCH_SIZE = 2000
MIN_BATCH_SIZE = 200
MAX_BATCH_SIZE = 2000
# Query locators key prefix, as in Salesforce ("01g...").
LOCATOR_PREFIX = "01g"


def batch_size_from_header(header: str | None) -> int:
    """Read `Sforce-Query-Options: batchSize=N`; Salesforce keeps N within 200..2000."""
    if not header:
        return DEFAULT_BATCH_SIZE
    for option in header.split(","):
        name, _, value = option.strip().partition("=")
        if name.strip().lower() == "batchsize" and value.strip().isdigit():
            return max(MIN_BATCH_SIZE, min(MAX_BATCH_SIZE, int(value)))
    return DEFAULT_BATCH_SIZE


class QueryService:
    """Run SOQL against the store and keep cursors for `nextRecordsUrl` paging."""

    def __init__(self, store: Store, schema: Schema) -> None:
        self.store = store
        self.schema = schema

    def compile(
        self, soql: str, include_deleted: bool = False, access: UserAccess | None = None,
    ) -> CompiledQuery:
        """Parse and compile a SOQL statement, raising Salesforce's query errors.

        With access, objects and fields the user cannot read fail as if they did not exist.
        """
        return Compiler(self.schema, soql, include_deleted, access=access).compile(parse(soql))

    def query(
        self,
        soql: str,
        version: str,
        user_id: str,
        include_deleted: bool = False,
        batch_size: int = DEFAULT_BATCH_SIZE,
        access: UserAccess | None = None,
    ) -> dict:
        """Run a query and return its first page as the REST query resource does.

        access is the calling user's permissions; None reads everything.
        """
        compiled = self.compile(soql, include_deleted, access)

        with self.store.read() as connection:
            if compiled.is_count:
                total = self._count(connection, compiled)
                return {"totalSize": total, "done": True, "records": []}
            if compiled.is_aggregate:
                records = self._aggregate(connection, compiled)
                return {"totalSize": len(records), "done": True, "records": records}

            total = self._count(connection, compiled)
            records = self._page(connection, compiled, 0, min(batch_size, total), version)

        response = {"totalSize": total, "done": len(records) >= total, "records": records}
        if not response["done"]:
            locator = self._save_cursor(soql, include_deleted, user_id, batch_size, total)
            response["nextRecordsUrl"] = (
                f"/services/data/v{version}/query/{locator}-{len(records)}"
            )
        return response

    def query_more(
        self, locator_path: str, version: str, user_id: str, access: UserAccess | None = None,
    ) -> dict:
        """Return the page of a saved query that starts at the position in the locator."""
        locator, _, position_text = locator_path.rpartition("-")
        with self.store.read() as connection:
            cursor = connection.execute(
                "SELECT * FROM emu_query_cursor WHERE locator = ?", (locator,),
            ).fetchone()
        if cursor is None or not position_text.isdigit() or cursor["user_id"] != user_id:
            raise SalesforceError("INVALID_QUERY_LOCATOR", "invalid query locator")

        position = int(position_text)
        total = cursor["total_size"]
        compiled = self.compile(cursor["soql"], bool(cursor["include_deleted"]), access)
        count = max(0, min(cursor["batch_size"], total - position))
        with self.store.read() as connection:
            records = self._page(connection, compiled, position, count, version)

        next_position = position + len(records)
        response = {"totalSize": total, "done": next_position >= total, "records": records}
        if response["done"]:
            with self.store.transaction() as connection:
                connection.execute("DELETE FROM emu_query_cursor WHERE locator = ?", (locator,))
        else:
            response["nextRecordsUrl"] = f"/services/data/v{version}/query/{locator}-{next_position}"
        return response

    def page(self, compiled: CompiledQuery, position: int, count: int, version: str) -> list[dict]:
        """Return `count` records of a compiled query from a position, holding the store for this page only."""
        with self.store.read() as connection:
            return self._page(connection, compiled, position, count, version)

    def _save_cursor(
        self, soql: str, include_deleted: bool, user_id: str, batch_size: int, total: int,
    ) -> str:
        locator = ids.make_id(LOCATOR_PREFIX, secrets.randbelow(62 ** 9))
        with self.store.transaction() as connection:
            connection.execute(
                "INSERT INTO emu_query_cursor (locator, soql, include_deleted, user_id, "
                "batch_size, total_size, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (locator, soql, int(include_deleted), user_id, batch_size, total, time.time()),
            )
        return locator

    # SQL -----------------------------------------------------------------------------

    @staticmethod
    def _count(connection: sqlite3.Connection, compiled: CompiledQuery) -> int:
        limit = compiled.limit if compiled.limit is not None else -1
        row = connection.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {compiled.from_sql} "  # noqa: S608 - schema names only, values bound
            f"WHERE {compiled.where_sql} LIMIT ? OFFSET ?)",
            [*compiled.params, limit, compiled.offset],
        ).fetchone()
        return row[0]

    def _page(
        self, connection: sqlite3.Connection, compiled: CompiledQuery, position: int,
        count: int, version: str,
    ) -> list[dict]:
        if count <= 0:
            return []
        rows = connection.execute(
            f"SELECT {compiled.select_sql} FROM {compiled.from_sql} "  # noqa: S608 - schema names only, values bound
            f"WHERE {compiled.where_sql} ORDER BY {compiled.order_sql} LIMIT ? OFFSET ?",
            [*compiled.params, count, compiled.offset + position],
        ).fetchall()
        children = self._children(connection, compiled, rows, version)
        return [render_row(compiled, row, version, children) for row in rows]

    def _children(
        self, connection: sqlite3.Connection, compiled: CompiledQuery, rows: list, version: str,
    ) -> dict:
        """Run each child subquery once for the page: {(relationship, parent id): result}."""
        results: dict = {}
        child_queries = [item for kind, item in compiled.layout if kind == "child"]
        if not child_queries or not rows:
            return results

        parent_ids = [row["c0"] for row in rows]
        marks = ", ".join("?" for _ in parent_ids)
        for child in child_queries:
            inner = child.compiled
            parent_column = f'{inner.alias}."{child.parent_field}"'
            child_rows = connection.execute(
                f"SELECT {inner.select_sql}, {parent_column} AS parent_id "  # noqa: S608 - schema names only, values bound
                f"FROM {inner.from_sql} WHERE ({inner.where_sql}) AND {parent_column} IN ({marks}) "
                f"ORDER BY {inner.order_sql}",
                [*inner.params, *parent_ids],
            ).fetchall()

            grouped: dict[str, list] = {}
            for child_row in child_rows:
                grouped.setdefault(child_row["parent_id"], []).append(child_row)
            for parent_id, members in grouped.items():
                end = None if inner.limit is None else inner.offset + inner.limit
                members = members[inner.offset:end]
                if not members:
                    continue
                records = [render_row(inner, member, version, {}) for member in members]
                results[(child.relationship_name, parent_id)] = {
                    "totalSize": len(records), "done": True, "records": records,
                }
        return results

    @staticmethod
    def _aggregate(connection: sqlite3.Connection, compiled: CompiledQuery) -> list[dict]:
        sql = f"SELECT {compiled.select_sql} FROM {compiled.from_sql} WHERE {compiled.where_sql}"  # noqa: S608 - schema names only, values bound
        if compiled.group_sql:
            sql += f" GROUP BY {compiled.group_sql}"
        if compiled.having_sql:
            sql += f" HAVING {compiled.having_sql}"
        if compiled.order_sql:
            sql += f" ORDER BY {compiled.order_sql}"
        limit = compiled.limit if compiled.limit is not None else -1
        rows = connection.execute(
            sql + " LIMIT ? OFFSET ?",
            [*compiled.params, *compiled.having_params, limit, compiled.offset],
        ).fetchall()
        return [_aggregate_record(compiled, row) for row in rows]


def _aggregate_record(compiled: CompiledQuery, row: sqlite3.Row) -> dict:
    """Shape one result row of an aggregate query as an AggregateResult record."""
    record: dict = {"attributes": {"type": "AggregateResult"}}
    for column in compiled.aggregates:
        value = row[column.sql_alias]
        if column.function in ("COUNT", "COUNT_DISTINCT"):
            record[column.name] = int(value or 0)
        elif column.function == "AVG" or (column.function == "SUM" and column.field_def.type != "int"):
            record[column.name] = None if value is None else float(value)
        elif column.function == "SUM":
            record[column.name] = None if value is None else int(value)
        else:
            record[column.name] = from_storage(column.field_def, value)
    return record


def render_row(compiled: CompiledQuery, row: sqlite3.Row, version: str, children: dict) -> dict:
    """Shape one result row as a REST record, nesting parent records and child results."""
    record_id = row["c0"]
    record: dict = {
        "attributes": {
            "type": compiled.object_def.name,
            "url": record_url(compiled.object_def.name, record_id, version),
        },
    }
    for kind, item in compiled.layout:
        if kind == "child":
            record[item.relationship_name] = children.get((item.relationship_name, record_id))
            continue

        container = _container(compiled, record, item.relationships, row, version)
        if container is None:
            continue
        value_row = {item.field_def.name: row[item.sql_alias], "Id": row[item.id_alias]}
        container[item.field_def.name] = render_value(
            item.object_def, item.field_def, value_row, version,
        )
    return record


def _container(
    compiled: CompiledQuery, record: dict, relationships: tuple, row: sqlite3.Row, version: str,
) -> dict | None:
    container = record
    for depth in range(1, len(relationships) + 1):
        name = relationships[depth - 1]
        if name not in container:
            node = compiled.parents[relationships[:depth]]
            parent_id = row[node.id_alias]
            container[name] = None if parent_id is None else {
                "attributes": {
                    "type": node.object_def.name,
                    "url": record_url(node.object_def.name, parent_id, version),
                },
            }
        container = container[name]
        if container is None:
            return None
    return container
