"""WHERE clauses: SOQL conditions and literals to SQL, with SOQL's two-valued logic.

A comparison with an empty field is false, so `Name != 'x'` and `NOT (Name = 'x')` both
match records whose Name is empty. Negations are therefore pushed down to single
comparisons, each of which states its own NULL handling.
"""

import datetime

from .. import ids
from ..errors import SalesforceError
from ..schema import FieldDef
from ..store import quote, table_name
from ..values import parse_datetime, store_datetime
from . import nodes as ast
from .date_literals import DateLiteralOutOfRange, UnknownDateLiteral, date_range
from .scope import QueryScope

# Salesforce's valid dates run from 1700-01-01 to 4000-12-31 UTC, per the "Minimum and
# Maximum Dates" note of the SOQL reference page on date formats (as quoted in
# salesforce.stackexchange.com question 223974). Only the UTC year is checked here.
MIN_YEAR = 1700
MAX_YEAR = 4000


class ConditionCompiler:
    """The WHERE half of the SOQL compiler; the Compiler class supplies scopes and paths."""

    def condition(self, node, scope: QueryScope, negate: bool) -> tuple[str, list]:
        """Compile a condition; with negate, compile its two-valued negation."""
        if isinstance(node, ast.Not):
            return self.condition(node.item, scope, not negate)
        if isinstance(node, (ast.And, ast.Or)):
            parts = [self.condition(item, scope, negate) for item in node.items]
            joiner = " AND " if isinstance(node, ast.And) != negate else " OR "
            sql = joiner.join(f"({part_sql})" for part_sql, _params in parts)
            return sql, [param for _sql, params in parts for param in params]

        compilers = {
            ast.AggregateComparison: self.aggregate_comparison,
            ast.Comparison: self._comparison,
            ast.Like: self._like,
            ast.InList: self._in_list,
            ast.InQuery: self._in_query,
            ast.Includes: self._includes,
        }
        return compilers[type(node)](node, scope, negate)

    def _comparison(self, node: ast.Comparison, scope: QueryScope, negate: bool) -> tuple:
        column, field_def = self._filterable_column(node.path, scope, "filtered")
        operator = node.operator
        value = node.value

        if value.kind == "null":
            if operator not in ("=", "!="):
                raise self.error(value.position, f"invalid operator on null value: {operator}")
            is_null = (operator == "=") != negate
            return f"{column} IS {'' if is_null else 'NOT '}NULL", []

        converted = self.literal(field_def, value)
        if isinstance(converted, tuple):
            return self._range_comparison(column, operator, converted, negate)

        if operator == "!=":
            operator, negate = "=", not negate
        if not negate:
            return f"{column} {operator} ?", [converted]
        opposite = {"=": "!=", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}[operator]
        return f"({column} {opposite} ? OR {column} IS NULL)", [converted]

    @staticmethod
    def _range_comparison(column: str, operator: str, bounds: tuple, negate: bool) -> tuple:
        start, end = bounds
        if operator == "!=":
            operator, negate = "=", not negate
        positive = {
            "=": (f"({column} >= ? AND {column} < ?)", [start, end]),
            "<": (f"{column} < ?", [start]),
            "<=": (f"{column} < ?", [end]),
            ">": (f"{column} >= ?", [end]),
            ">=": (f"{column} >= ?", [start]),
        }
        sql, params = positive[operator]
        if not negate:
            return sql, params
        return f"(NOT {sql} OR {column} IS NULL)", params

    def _like(self, node: ast.Like, scope: QueryScope, negate: bool) -> tuple:
        column, field_def = self._filterable_column(node.path, scope, "filtered")
        if not (field_def.is_text or field_def.type in ("id", "reference")):
            raise self.error(
                node.path.position,
                f"invalid operator on {field_def.type} field: LIKE", "INVALID_FIELD",
            )
        if node.value.kind != "string":
            raise self.error(node.value.position, "LIKE pattern must be a quoted string")
        if negate:
            return f"({column} NOT LIKE ? ESCAPE '\\' OR {column} IS NULL)", [node.value.text]
        return f"{column} LIKE ? ESCAPE '\\'", [node.value.text]

    def _in_list(self, node: ast.InList, scope: QueryScope, negate: bool) -> tuple:
        column, field_def = self._filterable_column(node.path, scope, "filtered")
        values = [self.literal(field_def, value) for value in node.values]
        if any(isinstance(value, tuple) for value in values):
            raise self.error(node.values[0].position, "date literals are not allowed in IN")
        marks = ", ".join("?" for _ in values)
        if node.negated != negate:
            return f"({column} NOT IN ({marks}) OR {column} IS NULL)", values
        return f"{column} IN ({marks})", values

    def _in_query(self, node: ast.InQuery, scope: QueryScope, negate: bool) -> tuple:
        column, field_def = self._filterable_column(node.path, scope, "filtered")
        if field_def.type not in ("id", "reference"):
            raise self.error(
                node.path.position,
                "semi join sub selects are only allowed on id and reference fields",
            )
        inner = node.query
        if len(inner.select) != 1 or not isinstance(inner.select[0], ast.SelectField):
            raise self.error(inner.object_position, "semi join sub-selects must select one field")

        inner_def = self._object(inner)
        inner_scope = QueryScope(self, inner_def)
        table_alias, inner_field, _owner, _rel = self.resolve(inner.select[0].path, inner_scope)
        if inner_field.type not in ("id", "reference"):
            raise self.error(
                inner.select[0].path.position,
                "semi join sub-selects can only select an id or reference field",
            )
        inner_column = f"{table_alias}.{quote(inner_field.name)}"
        conditions = [f'{inner_scope.alias}."IsDeleted" = 0', f"{inner_column} IS NOT NULL"]
        params: list = []
        if inner.where is not None:
            inner_sql, params = self.condition(inner.where, inner_scope, negate=False)
            conditions.append(f"({inner_sql})")
        subquery = (
            f"SELECT {inner_column} FROM {table_name(inner_def.name)} AS {inner_scope.alias} "  # noqa: S608 - schema names only, values bound
            f"{' '.join(inner_scope.join_sql)} WHERE {' AND '.join(conditions)}"
        )
        if node.negated != negate:
            return f"({column} NOT IN ({subquery}) OR {column} IS NULL)", params
        return f"{column} IN ({subquery})", params

    def _includes(self, node: ast.Includes, scope: QueryScope, negate: bool) -> tuple:
        column, field_def = self._filterable_column(node.path, scope, "filtered")
        if field_def.type != "multipicklist":
            raise self.error(
                node.path.position,
                "INCLUDES and EXCLUDES apply only to multi-select picklist fields",
                "INVALID_FIELD",
            )
        alternatives = []
        params = []
        for value in node.values:
            if value.kind != "string":
                raise self.error(value.position, "INCLUDES values must be quoted strings")
            # 'a;b' inside INCLUDES means the field contains both a and b.
            wanted = [part.strip() for part in value.text.split(";") if part.strip()]
            checks = []
            for part in wanted:
                checks.append(f"instr(';' || lower({column}) || ';', ?) > 0")
                params.append(f";{part.lower()};")
            alternatives.append("(" + " AND ".join(checks) + ")")
        matched = " OR ".join(alternatives)
        if node.negated != negate:
            return f"({column} IS NULL OR NOT ({matched}))", params
        return f"({column} IS NOT NULL AND ({matched}))", params

    # Literals ------------------------------------------------------------------------

    def literal(self, field_def: FieldDef, value: ast.Value):
        """Convert a literal to the storage form of field_def, or a (start, end) range."""
        kind = value.kind
        field_type = field_def.type

        if kind == "date_literal":
            if field_type not in ("date", "datetime"):
                raise self._type_error(field_def, value)
            try:
                start, end = date_range(value.text, value.number, self.today)
            except UnknownDateLiteral:
                raise self.error(value.position, f"unexpected token: '{value.text}'") from None
            except DateLiteralOutOfRange as error:
                raise self.error(
                    value.position,
                    f"Invalid date literal: {error}; its range passes the years 1 to 9999, so use a smaller n",
                ) from None
            if field_type == "date":
                return start.isoformat(), end.isoformat()
            return start.isoformat() + "T00:00:00.000Z", end.isoformat() + "T00:00:00.000Z"

        if field_type in ("id", "reference"):
            if kind != "string":
                raise self._type_error(field_def, value)
            try:
                return ids.to_18(value.text)
            except ids.MalformedIdError:
                raise self.error(
                    value.position, f"invalid ID field: {value.text}",
                    "INVALID_QUERY_FILTER_OPERATOR",
                ) from None
        if field_def.is_text or field_type in ("time", "encryptedstring"):
            if kind != "string":
                raise self._type_error(field_def, value)
            return value.text
        if field_type == "boolean":
            if kind != "boolean":
                raise self._type_error(field_def, value)
            return 1 if value.text == "true" else 0
        if field_type in ("int", "double", "currency", "percent"):
            if kind != "number":
                raise self._type_error(field_def, value)
            return float(value.text)
        if field_type == "date":
            if kind != "date":
                raise self._type_error(field_def, value)
            return self._date_literal(value)
        if field_type == "datetime":
            if kind != "datetime":
                raise self._type_error(field_def, value)
            return self._datetime_literal(value)
        raise self._type_error(field_def, value)

    def _date_literal(self, value: ast.Value) -> str:
        """Check a YYYY-MM-DD literal names a real day in Salesforce's date range."""
        try:
            day = datetime.date.fromisoformat(value.text)
        except ValueError:
            day = None
        if day is None or not MIN_YEAR <= day.year <= MAX_YEAR:
            raise self.error(
                value.position,
                f"Invalid date: {value.text}; use a real day from {MIN_YEAR}-01-01 to {MAX_YEAR}-12-31",
            )
        return value.text

    def _datetime_literal(self, value: ast.Value) -> str:
        """Convert a date-time literal to storage form, checking it is real and in range."""
        try:
            moment = parse_datetime(value.text.replace("Z", "+00:00"))
            stored = store_datetime(moment)
        except (ValueError, OverflowError):
            stored = None
        if stored is None or not MIN_YEAR <= int(stored[:4]) <= MAX_YEAR:
            raise self.error(
                value.position,
                f"Invalid datetime: {value.text}; use a real time from {MIN_YEAR}-01-01T00:00:00Z "
                f"to {MAX_YEAR}-12-31T23:59:59Z",
            )
        return stored

    def _type_error(self, field_def: FieldDef, value: ast.Value) -> SalesforceError:
        quoted = field_def.is_text or field_def.type in ("id", "reference")
        describe_type = {"int": "int", "reference": "reference", "id": "id"}.get(
            field_def.type, field_def.type,
        )
        advice = "and should be enclosed in quotes" if quoted else (
            "and should not be enclosed in quotes"
        )
        return self.error(
            value.position,
            f"value of filter criterion for field '{field_def.name}' must be of type "
            f"{describe_type} {advice}",
            "INVALID_QUERY_FILTER_OPERATOR",
        )



def filters_content_document_link(where) -> bool:
    """Tell whether a ContentDocumentLink WHERE pins ContentDocumentId or LinkedEntityId."""
    if where is None:
        return False
    if isinstance(where, ast.And):
        return any(filters_content_document_link(item) for item in where.items)
    if isinstance(where, ast.Comparison):
        return where.operator == "=" and _is_cdl_key(where.path)
    if isinstance(where, (ast.InList, ast.InQuery)):
        return not where.negated and _is_cdl_key(where.path)
    return False


def _is_cdl_key(path: ast.FieldPath) -> bool:
    return path.parts[-1].lower() in ("contentdocumentid", "linkedentityid", "id")
